"""What a run wrote through its globals (logs, audit lines, `task.*`, `step.redo()`), read back from JSON.

The step's code shares the context with the bookkeeping, so the shape is checked rather than trusted.
A field is there only if the run touched the global that writes it (prelude.js loads the library
lazily), so a missing field means nothing was written.
"""

import json
from dataclasses import dataclass
from typing import TypeVar

from ..json_types import JsonObject, JsonValue
from .types import LogLine, SubtaskRequest, TaskActions

T = TypeVar("T")


@dataclass(frozen=True)
class Record:
    logs: list[LogLine]
    log_breached: bool
    log_breach_stack: str
    audit: list[str]
    audit_breached: bool
    actions: TaskActions
    redo: bool


EMPTY = Record([], False, "", [], False, TaskActions(), False)


def _typed(value: JsonValue, kind: type[T], what: str) -> T:
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise ValueError(f"{what} is not {kind.__name__}")
    return value


def _optional(value: JsonValue, kind: type[T], what: str) -> T | None:
    return None if value is None else _typed(value, kind, what)


def _strings(value: JsonValue, what: str) -> list[str]:
    return [_typed(item, str, what) for item in _typed(value, list, what)]


def _subtask(raw: JsonValue) -> SubtaskRequest:
    item = _typed(raw, dict, "subtask")
    data: JsonObject = _typed(item.get("data"), dict, "subtask data")
    return SubtaskRequest(
        _optional(item.get("name"), str, "subtask name"),
        data,
        _optional(item.get("into"), str, "subtask into"),
        _typed(item.get("wait_for"), bool, "subtask wait_for"),
    )


def _actions(raw: JsonValue) -> TaskActions:
    item = _typed(raw, dict, "actions")
    tags = item.get("tags")
    return TaskActions(
        complete=_typed(item.get("complete"), bool, "complete"),
        result=item.get("result"),
        ignore=_typed(item.get("ignore"), bool, "ignore"),
        name=_optional(item.get("name"), str, "name"),
        tags=None if tags is None else _strings(tags, "tags"),
        timeout_ms=_optional(item.get("timeout_ms"), int, "timeout_ms"),
        complete_on_expire=_typed(item.get("complete_on_expire"), bool, "complete_on_expire"),
        expire_result=item.get("expire_result"),
        park_ms=_optional(item.get("park_ms"), int, "park_ms"),
        subtasks=[_subtask(sub) for sub in _typed(item.get("subtasks"), list, "subtasks")],
    )


def _log_line(raw: JsonValue) -> LogLine:
    pair = _strings(raw, "log line")
    if len(pair) != 2:
        raise ValueError("a log line is [level, message]")
    return LogLine(pair[0], pair[1])


def parse_record(text: str) -> Record:
    """Raises ValueError when the text is not the record the sandbox's library writes."""
    raw = _typed(json.loads(text), dict, "record")
    actions = raw.get("actions")
    return Record(
        logs=[_log_line(line) for line in _typed(raw.get("logs", []), list, "logs")],
        log_breached=_typed(raw.get("logBreached", False), bool, "logBreached"),
        log_breach_stack=_typed(raw.get("logBreachStack", ""), str, "logBreachStack"),
        audit=_strings(raw.get("audit", []), "audit"),
        audit_breached=_typed(raw.get("auditBreached", False), bool, "auditBreached"),
        actions=TaskActions() if actions is None else _actions(actions),
        redo=_typed(raw.get("redo", False), bool, "redo"),
    )
