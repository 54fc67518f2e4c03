"""A task's history (`GET /v1/tasks/{id}/history`) as a timeline a person can scan.

Each event gets one summary line; `--changes` and `--logs` add a run's detail under it.
Unknown event types still show, as their remaining fields, so a newer server stays readable.
"""

import json
from datetime import tzinfo

from rich.table import Column, Table
from rich.text import Text

from ..json_types import JsonObject, JsonValue
from .render import STATE_STYLE, compact_json, error_summary
from .times import format_time

_COMMON = ("seq", "at", "type", "step")
_TYPE_STYLE = {
    "run": "bold",
    "conflict": "yellow",
    "state": "cyan",
    "audit": "magenta",
    "skipped": "dim",
    "parked": "blue",
    "timeout": "blue",
    "woken": "blue",
    "expired": "blue",
    "subtask": "magenta",
    "child_ended": "magenta",
    "cancelled": "dim",
}
SUMMARY_VALUE_LIMIT = 80


def format_path(path: JsonValue) -> str:
    """`["customer", "emails", 0]` -> `customer.emails[0]`; odd keys are quoted."""
    if not isinstance(path, list):
        return str(path)
    out = ""
    for part in path:
        if isinstance(part, int) and not isinstance(part, bool):
            out += f"[{part}]"
        elif isinstance(part, str) and part.isidentifier():
            out += f".{part}" if out else part
        else:
            out += f"[{json.dumps(part, ensure_ascii=False)}]"
    return out or "(root)"


def format_change(change: JsonValue) -> str:
    if not isinstance(change, dict):
        return compact_json(change)
    path = format_path(change.get("path"))
    if change.get("op") == "delete":
        return f"delete {path}"
    return f"set {path} = {compact_json(change.get('value'), SUMMARY_VALUE_LIMIT)}"


def _count(items: JsonValue, word: str) -> str:
    n = len(items) if isinstance(items, list) else 0
    return f"{n} {word}" + ("" if n == 1 else "s")


def _milliseconds(value: float) -> str:
    return f"{value:.1f} ms" if value < 10 else f"{value:.0f} ms"


def run_summary(event: JsonObject) -> str:
    error = event.get("error")
    duration = event.get("duration_ms")
    took = f" in {_milliseconds(duration)}" if isinstance(duration, int | float) else ""
    version = f"v{event['version']} " if event.get("version") is not None else ""
    if isinstance(error, dict):
        return f"{version}failed{took}: {error_summary(error)}"
    counts = f"{_count(event.get('changes'), 'change')}, {_count(event.get('logs'), 'log line')}"
    return f"{version}ok{took}, {counts}"


def event_summary(event: JsonObject) -> str:
    kind = event.get("type")
    if kind == "created":
        name = f"{event['name']!r} " if event.get("name") else ""
        source = f" (a clone of {event['cloned_from']})" if event.get("cloned_from") else ""
        return f"task {name}created with {compact_json(event.get('data'), SUMMARY_VALUE_LIMIT)}{source}"
    if kind == "dispatched":
        return f"queued v{event.get('version')}" if event.get("version") is not None else "queued"
    if kind == "run":
        return run_summary(event)
    if kind == "skipped":
        return f"skipped: {event.get('reason') or 'condition no longer matches'}"
    if kind == "conflict":
        paths = event.get("paths")
        changed = ", ".join(format_path(p) for p in paths) if isinstance(paths, list) else ""
        return f"also changed by a parallel run; this later commit wins: {changed}"
    if kind == "state":
        reason = f" ({event['reason']})" if event.get("reason") else ""
        return f"{event.get('from')} -> {event.get('to')}{reason}"
    if kind == "resumed":
        return f"resumed from {event.get('from')}" if event.get("from") else "resumed"
    if kind == "rerun":
        start = f"from the run at {event['from']}" if event.get("from") is not None else "from the start"
        edited = " with edited data" if event.get("edited") else ""
        return f"rerun {start}{edited}: {compact_json(event.get('data'), SUMMARY_VALUE_LIMIT)}"
    if kind == "patched":
        return f"data changed from outside: {_count(event.get('changes'), 'change')}"
    if kind == "audit":
        return str(event.get("text") or event.get("message") or "")
    summary = _time_summary(event, kind)
    if summary is not None:
        return summary
    rest = {key: value for key, value in event.items() if key not in _COMMON}
    return compact_json(rest, SUMMARY_VALUE_LIMIT)


def _time_summary(event: JsonObject, kind: JsonValue) -> str | None:
    """Park, timers, subtasks and cancel: what happened and when it will fire (times as ISO)."""
    if kind == "parked":
        return f"parked until {event.get('until_at')}, or until its data changes from outside"
    if kind == "timeout":
        ends = "completes" if event.get("on_expire") == "complete" else "fails"
        return f"timeout set: the task {ends} at {event.get('expires_at')} if still open"
    if kind == "woken":
        return f"woken: {event.get('reason')}"
    if kind == "expired":
        ends = "completed" if event.get("on_expire") == "complete" else "failed"
        return f"the timeout passed; the task {ends}"
    if kind == "subtask":
        into = f", result into {event['into']}" if event.get("into") else ""
        waits = ", waiting for it" if event.get("wait_for") else ""
        name = f" ({event['name']})" if event.get("name") else ""
        return f"subtask {event.get('child')}{name} started{into}{waits}"
    if kind == "child_ended":
        into = f", written to {event['into']}" if event.get("into") else ""
        return f"subtask {event.get('child')} ended {event.get('state')}{into}"
    if kind == "cancelled":
        return f"cancelled (was {event.get('from')})"
    return None


def event_details(event: JsonObject, *, changes: bool, logs: bool) -> list[Text]:
    kind = event.get("type")
    lines: list[Text] = []
    if changes and kind in ("run", "patched"):
        lines += [
            Text(f"  {format_change(change)}", style="green") for change in _items(event.get("changes"))
        ]
    if logs and kind == "run":
        lines += [_log_line(line) for line in _items(event.get("logs"))]
        lines += [_call_line(call) for call in _items(event.get("calls")) if isinstance(call, dict)]
    return lines


def _call_line(call: JsonObject) -> Text:
    """A connector call of the run: `[call] crm.upsert ok 41.2 ms`, a failure with its reason."""
    method = call.get("method")
    name = f"{call.get('connector')}.{method}" if method else str(call.get("connector"))
    status = str(call.get("status") or "")
    ms = call.get("ms")
    took = f" {_milliseconds(ms)}" if isinstance(ms, int | float) else ""
    reason = f": {call['message']}" if call.get("message") else ""
    style = "green" if status == "ok" else "red"
    return Text.assemble("  ", ("[call]", "cyan"), f" {name} ", (status, style), f"{took}{reason}")


def _items(value: JsonValue) -> list[JsonValue]:
    return value if isinstance(value, list) else []


def _log_line(line: JsonValue) -> Text:
    if isinstance(line, dict):
        level = str(line.get("level") or "log")
        style = "red" if level == "error" else "yellow" if level == "warn" else "dim"
        return Text.assemble("  ", (f"[{level}]", style), f" {line.get('message', '')}")
    return Text(f"  {line}", style="dim")


def timeline_table(events: list[JsonObject], *, changes: bool, logs: bool, tz: tzinfo | None = None) -> Table:
    table = Table("seq", Column("time", no_wrap=True), "type", "step", "summary")
    shown_date = ""
    for event in events:
        kind = str(event.get("type") or "")
        summary = Text(event_summary(event))
        if kind == "state":
            summary.stylize(STATE_STYLE.get(str(event.get("to")), ""))
        if kind == "run" and isinstance(event.get("error"), dict):
            summary.stylize("red")
        for detail in event_details(event, changes=changes, logs=logs):
            summary.append("\n")
            summary.append_text(detail)
        # The date only when it changes, so the time column stays narrow on one day's timeline.
        date, _, clock = format_time(event.get("at"), tz, precise=True).partition(" ")
        when = clock if date == shown_date and clock else f"{date} {clock}".strip()
        shown_date = date
        table.add_row(
            Text(str(event.get("seq", ""))),
            Text(when),
            Text(kind, style=_TYPE_STYLE.get(kind, "")),
            Text(str(event.get("step") or "")),
            summary,
        )
    return table
