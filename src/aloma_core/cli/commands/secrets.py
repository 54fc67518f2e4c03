"""`aloma secret ...`: workspace secrets. A value goes to the server and is never printed back."""

from typing import Annotated

import typer

from ..client import api_path
from ..errors import ApiError
from ..output import print_json, show
from ..render import names_table
from .common import JsonFlag, open_client

app = typer.Typer(help="Set and list workspace secrets (values are never shown).", no_args_is_help=True)


@app.command("set")
def set_secret(
    name: Annotated[str, typer.Argument(help="Secret name, as steps read it with task.config(NAME).")],
    value: Annotated[
        str, typer.Argument(help="The value; - reads it from stdin, keeping it out of shell history.")
    ],
) -> None:
    """Create or replace a secret."""
    if value == "-":
        value = typer.get_text_stream("stdin").read().removesuffix("\n")
    with open_client() as client:
        client.put(api_path("secrets", name), {"value": value})
    typer.echo(f"secret {name} set")


@app.command("list")
def list_secrets(json_output: JsonFlag = False) -> None:
    """List secret names."""
    with open_client() as client:
        answer = client.get(api_path("secrets"))
    if json_output:
        print_json(answer)
        return
    names = answer.get("secrets")
    if not isinstance(names, list):
        raise ApiError(200, "bad_answer", "the answer has no list of secrets")
    show(names_table("secret", [str(name) for name in names]))
