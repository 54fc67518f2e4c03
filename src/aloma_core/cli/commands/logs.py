"""`aloma logs`: the platform's structured log, filtered by task and age.

Locally that is the file `aloma dev` writes; on AWS, the functions' log groups in CloudWatch Logs,
named by `--log-group` or by `ALOMA_LOG_GROUPS` (comma-separated, as the stack outputs them).
"""

import json
import os
import re
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta, tzinfo
from pathlib import Path
from typing import Annotated

import typer
from rich.text import Text

from ..errors import UsageProblem
from ..logsource import LogQuery, LogRecord, LogSource, local_log_source, parse_since
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
GROUPS_VARIABLE = "ALOMA_LOG_GROUPS"
# CloudWatch's rule for log group names; checked here so a typo is a usage error, not an AWS call.
_GROUP_NAME = re.compile(r"[.\-_/#A-Za-z0-9]{1,512}")


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
    log_group: Annotated[
        list[str] | None,
        typer.Option(
            "--log-group",
            metavar="NAME",
            help=f"Read this CloudWatch Logs group (repeatable); overrides {GROUPS_VARIABLE}.",
        ),
    ] = None,
    json_output: Annotated[
        bool, typer.Option("--json", help="Print the matching lines as JSON lines.")
    ] = False,
) -> None:
    """Show the platform's log lines: the local log that `aloma dev` writes here, or on AWS the
    functions' CloudWatch Logs (--log-group, or ALOMA_LOG_GROUPS from the stack's outputs)."""
    query = LogQuery(task_id=task, since=None if since is None else datetime.now(UTC) - since)
    source = _source(log_groups(log_group or [], os.environ), plain_lines=not json_output)
    out = console()
    for record in source.records(query):
        if json_output:
            print_json_line(record)
        else:
            out.print(log_line(record))


def log_groups(options: Sequence[str], environ: Mapping[str, str]) -> list[str]:
    """The groups to read, in order and once each: the options, else the variable; none means local."""
    if "" in options:
        raise UsageProblem("--log-group needs a log group name")
    names = list(options) or [name.strip() for name in environ.get(GROUPS_VARIABLE, "").split(",")]
    chosen = list(dict.fromkeys(name for name in names if name))
    for name in chosen:
        if not _GROUP_NAME.fullmatch(name):
            raise UsageProblem(f"{name!r} is not a log group name (letters, digits and . - _ / #)")
    return chosen


def _source(groups: list[str], *, plain_lines: bool) -> LogSource:
    if not groups:
        return local_log_source(Path.cwd())
    from ..cloudwatch import cloudwatch_source  # noqa: PLC0415 - boto3 only when reading AWS

    return cloudwatch_source(groups, plain_lines=plain_lines)


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
