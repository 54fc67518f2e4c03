"""Where output goes: tables and text on stdout, raw JSON for `--json`, errors as one stderr line."""

import json

import typer
from rich.console import Console, RenderableType

from ..json_types import JsonValue


def console() -> Console:
    """A fresh console per print, so it writes wherever stdout is now (tests swap it)."""
    return Console(highlight=False, soft_wrap=False)


def show(renderable: RenderableType) -> None:
    console().print(renderable)


def print_json(value: JsonValue) -> None:
    """Unstyled, stable JSON for scripts and `jq`."""
    typer.echo(json.dumps(value, ensure_ascii=False, indent=2))


def print_error(message: str) -> None:
    typer.echo(f"error: {message}", err=True)
