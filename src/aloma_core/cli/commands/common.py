"""What several commands share: the `--json` flag, the client, and JSON arguments."""

import json
import os
from pathlib import Path
from typing import Annotated

import typer

from ...json_types import JsonObject
from ..client import ApiClient
from ..config import resolve_connection
from ..errors import UsageProblem

JsonFlag = Annotated[bool, typer.Option("--json", help="Print the raw JSON answer instead of tables.")]


def open_client() -> ApiClient:
    connection = resolve_connection(os.environ, Path.cwd())
    return ApiClient(connection.url, connection.api_key)


def json_object_argument(text: str, what: str) -> JsonObject:
    """Parse a JSON object given on the command line; anything else is a usage error (exit 2)."""
    try:
        value = json.loads(text)
    except ValueError as error:
        raise UsageProblem(f"{what} is not valid JSON: {error}") from None
    if not isinstance(value, dict):
        raise UsageProblem(f"{what} must be a JSON object, not {type(value).__name__}")
    return value


def read_text_argument(path: Path, what: str) -> str:
    """A file named on the command line; `-` is stdin. Unreadable is a usage error (exit 2)."""
    if str(path) == "-":
        return typer.get_text_stream("stdin").read()
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise UsageProblem(f"cannot read {what} {path}: {error}") from None
