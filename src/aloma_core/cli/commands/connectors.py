"""`aloma connector ...`: configure a connector namespace for `connectors.NS.METHOD()` in steps."""

from typing import Annotated

import typer

from ...json_types import JsonObject
from ..client import api_path
from ..output import print_json
from ..render import pretty_json
from .common import JsonFlag, json_object_argument, open_client

app = typer.Typer(help="Configure connectors.", no_args_is_help=True)


@app.command("set")
def set_connector(
    namespace: Annotated[str, typer.Argument(help="The NS in connectors.NS.METHOD().")],
    kind: Annotated[str, typer.Option("--type", help="Connector type, e.g. remote, slack, http.")],
    config: Annotated[str, typer.Option("--config", help="The connector's configuration, a JSON object.")],
    json_output: JsonFlag = False,
) -> None:
    """Create or replace the connector under NS."""
    body: JsonObject = {"type": kind, "config": json_object_argument(config, "--config")}
    with open_client() as client:
        connector = client.put(api_path("connectors", namespace), body).object()
    if json_output:
        print_json(connector)
    else:
        typer.echo(f"connector {namespace} set")
        typer.echo(pretty_json(connector))
