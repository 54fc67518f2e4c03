"""`aloma dev`: the whole platform on this machine, provided by `aloma_core.home.dev.run_dev`."""

import importlib
from pathlib import Path
from typing import Annotated, Protocol, cast

import typer

from ..config import state_dir
from ..errors import CliError, UsageProblem


class RunDev(Protocol):
    def __call__(self, directory: Path | None, host: str, port: int, state_dir: Path) -> None: ...


def _run_dev() -> RunDev:
    """Imported on use: the server stack is heavy and every other command is only an HTTP client.
    Through importlib, so the CLI type-checks whether or not the dev home is installed yet."""
    try:
        module = importlib.import_module("aloma_core.home.dev")
    except ModuleNotFoundError as error:
        if error.name is None or not "aloma_core.home.dev".startswith(error.name):
            raise
        raise CliError("`aloma dev` is not part of this build yet (aloma_core.home.dev is missing)") from None
    return cast(RunDev, module.run_dev)


def dev(
    directory: Annotated[
        Path | None, typer.Argument(help="Directory of step files to sync, and re-sync when they change.")
    ] = None,
    port: Annotated[int, typer.Option("--port", min=1, max=65535, help="Port for the API.")] = 8000,
    host: Annotated[str, typer.Option("--host", help="Interface to listen on.")] = "127.0.0.1",
) -> None:
    """Run the platform locally: storage under .aloma/, a workspace and its key on first start."""
    if directory is not None and not directory.is_dir():
        raise UsageProblem(f"{directory} is not a directory")
    run_dev = _run_dev()
    cwd = Path.cwd()
    try:
        run_dev(directory.resolve() if directory else None, host, port, state_dir(cwd))
    except KeyboardInterrupt:
        typer.echo("stopped", err=True)
