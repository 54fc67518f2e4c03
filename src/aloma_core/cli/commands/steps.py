"""`aloma step ...`: step files in a directory <-> the workspace's steps."""

from pathlib import Path
from typing import Annotated

import typer

from ..client import api_path, objects
from ..libsync import sync_directory
from ..output import print_error, print_json, show
from ..render import step_view, steps_table, sync_summary
from ..sync import Outcome, SyncReport, pull_steps
from .common import JsonFlag, open_client
from .steptest import step_test

app = typer.Typer(help="Upload, download and inspect steps.", no_args_is_help=True)

app.command("test")(step_test)

DirArgument = Annotated[Path, typer.Argument(help="Directory of step files, one `<step name>.js` per step.")]


@app.command()
def sync(
    directory: DirArgument,
    prune: Annotated[bool, typer.Option("--prune", help="Delete workspace steps that have no file.")] = False,
    json_output: JsonFlag = False,
) -> None:
    """Upload DIR/lib/*.js as the libraries, then every *.js file in DIR as the step named by the
    file; refused files fail the command."""
    with open_client() as client:
        report = sync_directory(client, directory, prune)
    _print_report(report, json_output)
    if not report.ok:
        raise typer.Exit(1)


@app.command()
def pull(directory: DirArgument, json_output: JsonFlag = False) -> None:
    """Write every step of the workspace to DIR/<name>.js (created if missing)."""
    with open_client() as client:
        report = pull_steps(client, directory)
    _print_report(report, json_output)


@app.command("list")
def list_steps(json_output: JsonFlag = False) -> None:
    """List the workspace's steps."""
    with open_client() as client:
        answer = client.get(api_path("steps"))
    if json_output:
        print_json(answer)
    else:
        show(steps_table(objects(answer, "steps")))


@app.command("show")
def show_step(name: Annotated[str, typer.Argument(help="Step name.")], json_output: JsonFlag = False) -> None:
    """Show one step and its source with line numbers."""
    with open_client() as client:
        step = client.get(api_path("steps", name))
    if json_output:
        print_json(step)
    else:
        show(step_view(step))


def _print_report(report: SyncReport, json_output: bool) -> None:
    for library in report.libraries:
        if library.outcome is Outcome.REFUSED:
            message = str(library.message)
            print_error(message if message.startswith("lib/") else f"lib/{library.name}.js: {message}")
    for result in report.results:
        if result.outcome is Outcome.REFUSED:
            print_error(f"{result.path.name if result.path else result.name}: {result.message}")
    if json_output:
        print_json(report.to_json())
    else:
        show(sync_summary(report))
