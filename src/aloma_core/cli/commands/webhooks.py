"""`aloma webhook ...`: ways in for tasks. A webhook's key is printed once, when it is added."""

from enum import StrEnum
from typing import Annotated

import typer

from ...json_types import JsonObject
from ..client import api_path, objects
from ..errors import UsageProblem
from ..output import print_json, show
from ..render import webhooks_table
from .common import JsonFlag, open_client

app = typer.Typer(help="Add, list and delete webhooks.", no_args_is_help=True)


class Scheme(StrEnum):
    GITHUB = "github"
    STRIPE = "stripe"
    HMAC_SHA256 = "hmac-sha256"


@app.command("add")
def add_webhook(
    name: Annotated[str, typer.Argument(help="Its name, unique in the workspace; tasks are named after it.")],
    signing_secret: Annotated[
        str | None,
        typer.Option("--signing-secret", help="Workspace secret holding the key deliveries are signed with."),
    ] = None,
    scheme: Annotated[
        Scheme | None, typer.Option("--scheme", help="How deliveries are signed (with --signing-secret).")
    ] = None,
    header: Annotated[
        str | None, typer.Option("--header", help="Header carrying the signature, if not the scheme's usual.")
    ] = None,
    keep_headers: Annotated[
        list[str] | None,
        typer.Option("--keep-header", help="A request header to copy into $via.headers (repeatable)."),
    ] = None,
    rate_limit: Annotated[
        int | None, typer.Option("--rate-limit", min=1, help="Deliveries a minute (600 by default).")
    ] = None,
    json_output: JsonFlag = False,
) -> None:
    """Add a webhook and print its URL; the key in it is shown this once."""
    body: JsonObject = {"name": name, "keep_headers": list(keep_headers or [])}
    if (signing_secret is None) != (scheme is None):
        raise UsageProblem("--signing-secret and --scheme go together")
    if header is not None and signing_secret is None:
        raise UsageProblem("--header names the signature header: it needs --signing-secret and --scheme")
    if signing_secret is not None and scheme is not None:
        signing: JsonObject = {"scheme": scheme.value, "secret": signing_secret}
        body["signing"] = signing if header is None else {**signing, "header": header}
    if rate_limit is not None:
        body["rate_limit_per_minute"] = rate_limit
    with open_client() as client:
        answer = client.post(api_path("webhooks"), body).object()
        full_url = client.url.rstrip("/") + str(answer.get("url"))
    if json_output:
        print_json({**answer, "url": full_url})
        return
    typer.echo(f"webhook {name} added; POST JSON to:")
    typer.echo(full_url)
    typer.echo("The key in this URL is its only credential and is not shown again.")


@app.command("list")
def list_webhooks(json_output: JsonFlag = False) -> None:
    """List the workspace's webhooks (never their keys)."""
    with open_client() as client:
        answer = client.get(api_path("webhooks"))
    if json_output:
        print_json(answer)
    else:
        show(webhooks_table(objects(answer, "webhooks")))


@app.command("delete")
def delete_webhook(name: Annotated[str, typer.Argument(help="The webhook's name.")]) -> None:
    """Delete a webhook: its URL stops accepting deliveries."""
    with open_client() as client:
        client.delete(api_path("webhooks", name))
    typer.echo(f"webhook {name} deleted")
