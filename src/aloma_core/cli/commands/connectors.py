"""`aloma connector ...`: configure a connector namespace for `connectors.NS.METHOD()` in steps."""

from typing import Annotated

import typer

from ...json_types import JsonObject
from ..client import api_path, objects
from ..output import print_json, show
from ..render import connectors_table, pretty_json
from .common import JsonFlag, json_object_argument, open_client

app = typer.Typer(help="Configure connectors.", no_args_is_help=True)

NamespaceArgument = Annotated[str, typer.Argument(help="The NS in connectors.NS.METHOD().")]


@app.command("set")
def set_connector(
    namespace: NamespaceArgument,
    kind: Annotated[str, typer.Option("--type", help="Connector type, e.g. remote, slack, http.")],
    config: Annotated[
        str,
        typer.Option(
            "--config",
            help="The connector's configuration, a JSON object; a secret field holds a literal "
            '(kept in the secret store) or {"secret": "NAME"}.',
        ),
    ],
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


@app.command("list")
def list_connectors(json_output: JsonFlag = False) -> None:
    """List the configured connectors (secrets as the names of workspace secrets)."""
    with open_client() as client:
        answer = client.get(api_path("connectors"))
    if json_output:
        print_json(answer)
    else:
        show(connectors_table(objects(answer, "connectors")))


@app.command("delete")
def delete_connector(namespace: NamespaceArgument) -> None:
    """Remove the connector under NS, and the secrets `set` stored for it."""
    with open_client() as client:
        client.delete(api_path("connectors", namespace))
    typer.echo(f"connector {namespace} deleted")
