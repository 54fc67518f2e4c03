"""`aloma logs`: the platform's structured log, filtered by task and age."""

import json
from datetime import UTC, datetime, timedelta, tzinfo
from pathlib import Path
from typing import Annotated

import typer
from rich.text import Text

from ..logsource import LogQuery, LogRecord, local_log_source, parse_since
from ..output import console
from ..times import format_moment

_LEVEL_STYLE = {
    "DEBUG": "dim",
    "WARNING": "yellow",
    "WARN": "yellow",
    "ERROR": "bold red",
    "CRITICAL": "bold red",
}
_CONTEXT = ("task_id", "step", "claim")


def _since(text: str) -> timedelta:
    try:
        return parse_since(text)
    except ValueError as error:
        raise typer.BadParameter(str(error)) from None


def logs(
    task: Annotated[str | None, typer.Option("--task", help="Only lines about this task id.")] = None,
    since: Annotated[
        timedelta | None,
        typer.Option(
            "--since", parser=_since, metavar="AGE", help="Only lines this recent: 30s, 15m, 1h, 2d."
        ),
    ] = None,
    json_output: Annotated[
        bool, typer.Option("--json", help="Print the matching lines as JSON lines.")
    ] = False,
) -> None:
    """Show the platform's log lines: the local log that `aloma dev` writes here."""
    query = LogQuery(task_id=task, since=None if since is None else datetime.now(UTC) - since)
    out = console()
    for record in local_log_source(Path.cwd()).records(query):
        if json_output:
            print_json_line(record)
        else:
            out.print(log_line(record))


def print_json_line(record: LogRecord) -> None:
    """One object per line, like the log itself, so the output pipes into `jq -c`."""
    typer.echo(json.dumps(record.raw, ensure_ascii=False))


def log_line(record: LogRecord, tz: tzinfo | None = None) -> Text:
    level = record.level.upper()
    context = " ".join(f"{key}={record.field(key)}" for key in _CONTEXT if record.field(key) is not None)
    when = format_moment(record.timestamp, tz, precise=True) if record.timestamp else "-"
    return Text.assemble(
        (when, "dim"),
        " ",
        (f"{level:<7}", _LEVEL_STYLE.get(level, "")),
        " ",
        record.message,
        (f"  {context}" if context else "", "cyan"),
    )
