"""`aloma dev`: the whole platform on this machine, provided by `aloma_core.home.dev.run_dev`."""

from pathlib import Path
from typing import Annotated

import typer

from ..config import state_dir
from ..errors import UsageProblem


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
    # Imported here: the server stack is heavy, and every other command is only an HTTP client.
    from ...home.dev import run_dev  # noqa: PLC0415

    try:
        run_dev(directory.resolve() if directory else None, host, port, state_dir(Path.cwd()))
    except KeyboardInterrupt:
        typer.echo("stopped", err=True)
