"""Reading the platform's structured logs for `aloma logs`.

A `LogSource` takes the whole query, so a source that filters on its side (CloudWatch Logs, in
`cloudwatch.py`) can push `since` and `task_id` down; the local JSON-lines file filters here.
"""

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Protocol

from ..json_types import JsonObject
from .config import state_dir
from .errors import UsageProblem
from .times import parse_timestamp

LOCAL_LOG = Path("logs") / "aloma.jsonl"
_SINCE = re.compile(r"^\s*(\d+)\s*([smhd])\s*$")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


@dataclass(frozen=True)
class LogRecord:
    timestamp: datetime | None
    level: str
    message: str
    raw: JsonObject

    def field(self, name: str) -> str | None:
        value = self.raw.get(name)
        return None if value is None else str(value)


@dataclass(frozen=True)
class LogQuery:
    task_id: str | None = None
    since: datetime | None = None

    def matches(self, record: LogRecord) -> bool:
        if self.task_id is not None and record.field("task_id") != self.task_id:
            return False
        # A line whose time cannot be read cannot be shown to be recent enough.
        return self.since is None or (record.timestamp is not None and record.timestamp >= self.since)


class LogSource(Protocol):
    def records(self, query: LogQuery) -> Iterator[LogRecord]: ...


def parse_since(text: str) -> timedelta:
    """`30s`, `15m`, `1h`, `2d`: how far back `aloma logs --since` looks."""
    match = _SINCE.match(text)
    if match is None:
        raise ValueError(f"{text!r} is not a duration like 30s, 15m, 1h or 2d")
    return timedelta(seconds=int(match.group(1)) * _UNIT_SECONDS[match.group(2)])


def parse_line(line: str) -> LogRecord | None:
    """One JSON object per line; anything else (a line still being written, say) is skipped."""
    try:
        raw = json.loads(line)
    except ValueError:
        return None
    if not isinstance(raw, dict):
        return None
    level = raw.get("level")
    message = raw.get("message")
    return LogRecord(
        timestamp=parse_timestamp(raw.get("timestamp")),
        level=str(level) if level is not None else "",
        message=message if isinstance(message, str) else "" if message is None else json.dumps(message),
        raw=raw,
    )


class LocalLogFile:
    """The JSON-lines log `aloma dev` writes under `.aloma/logs/`."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def records(self, query: LogQuery) -> Iterator[LogRecord]:
        try:
            handle = self.path.open(encoding="utf-8", errors="replace")
        except FileNotFoundError:
            raise UsageProblem(
                f"no local log at {self.path}; `aloma dev` writes it when it runs here"
            ) from None
        with handle:
            for line in handle:
                record = parse_line(line)
                if record is not None and query.matches(record):
                    yield record


def local_log_source(cwd: Path) -> LocalLogFile:
    return LocalLogFile(state_dir(cwd) / LOCAL_LOG)
