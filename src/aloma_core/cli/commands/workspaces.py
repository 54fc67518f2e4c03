"""`aloma workspace ...`: the caller's workspace, and replacing its API key."""

import os
from pathlib import Path
from typing import Annotated

import typer

from ..client import ApiClient, api_path
from ..config import replace_dev_key, resolve_admin_connection, resolve_connection
from ..errors import ApiError
from ..output import print_json
from .common import JsonFlag

app = typer.Typer(help="The workspace and its API key.", no_args_is_help=True)


@app.command("rotate-key")
def rotate_key(
    workspace: Annotated[
        str | None,
        typer.Option(
            "--workspace",
            help="Re-key this workspace with the admin token (ALOMA_ADMIN_TOKEN), e.g. for a lost key.",
        ),
    ] = None,
    json_output: JsonFlag = False,
) -> None:
    """Replace the workspace's API key: the new key is printed once, the old one stops working at once."""
    cwd = Path.cwd()
    if workspace is None:
        connection = resolve_connection(os.environ, cwd)
        path = api_path("workspace", "rotate-key")
    else:
        connection = resolve_admin_connection(os.environ, cwd)
        path = api_path("workspaces", workspace, "rotate-key")
    with ApiClient(connection.url, connection.api_key) as client:
        answer = client.post(path).object()
    new_key = answer.get("api_key")
    if not isinstance(new_key, str):
        raise ApiError(200, "bad_answer", "the answer has no api_key")
    if workspace is None and replace_dev_key(cwd, connection.api_key, new_key):
        typer.echo("the new key is saved in .aloma/dev.json", err=True)
    if json_output:
        print_json(answer)
        return
    typer.echo(new_key)
    note = "the old key no longer works; keep this one, it is not shown again"
    typer.echo(f"workspace {answer.get('id')}: {note}", err=True)
