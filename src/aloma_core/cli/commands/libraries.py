"""`aloma lib ...`: the workspace's shared libraries, one `lib/NAME.js` file each."""

from pathlib import Path
from typing import Annotated

import typer

from ..client import api_path, objects
from ..errors import UsageProblem
from ..libsync import upload_library
from ..output import print_error, print_json, show
from ..render import libraries_table, library_view
from ..sync import STEP_SUFFIX, Outcome
from .common import JsonFlag, open_client

app = typer.Typer(help="Upload, inspect and delete shared libraries (lib.NAME).", no_args_is_help=True)

NameArgument = Annotated[str, typer.Argument(help="Library name: lib/NAME.js is used as lib.NAME.")]


@app.command("list")
def list_libraries(json_output: JsonFlag = False) -> None:
    """List the workspace's libraries."""
    with open_client() as client:
        answer = client.get(api_path("libraries"))
    if json_output:
        print_json(answer)
    else:
        show(libraries_table(objects(answer, "libraries")))


@app.command("show")
def show_library(name: NameArgument, json_output: JsonFlag = False) -> None:
    """Show one library and its source with line numbers."""
    with open_client() as client:
        library = client.get(api_path("libraries", name))
    if json_output:
        print_json(library)
    else:
        show(library_view(library))


@app.command("push")
def push_library(
    file: Annotated[Path, typer.Argument(help="A library file; its name without .js is the library's.")],
    json_output: JsonFlag = False,
) -> None:
    """Create or replace one library from FILE; a refused file fails the command."""
    if not file.name.endswith(STEP_SUFFIX) or not file.is_file():
        raise UsageProblem(f"{file} is not a .js file")
    with open_client() as client:
        result = upload_library(client, file.name[: -len(STEP_SUFFIX)], file, None)
    if result.outcome is Outcome.REFUSED:
        print_error(str(result.message))
        raise typer.Exit(1)
    if json_output:
        print_json(result.to_json())
    else:
        typer.echo(f"lib/{result.name}.js {result.outcome.value} (v{result.version})")


@app.command("rm")
def remove_library(name: NameArgument) -> None:
    """Delete a library; tasks matched before keep the version they were matched with."""
    with open_client() as client:
        client.delete(api_path("libraries", name))
    typer.echo(f"lib/{name}.js deleted")
