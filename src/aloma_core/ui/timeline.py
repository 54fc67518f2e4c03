"""A task's history as timeline entries, built in one pass over the events.

The data diff of a run needs the data before it (to tell an added path from a changed one), so
the history is replayed once, in place, onto the data of its `created` event: opening a task with
hundreds of runs over megabytes of data copies nothing. The events are therefore used up (the
platform reads them afresh for every request). The data at one point comes from the platform
(`task_data_at`, the `/v1/tasks/{id}/data` rule). Values are
kept only as short previews; the full data at any point is loaded on demand (`data_at`).
"""

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from ..json_types import JsonObject, JsonValue
from ..model import Event

PREVIEW_CHARS = 120

_MISSING = object()


@dataclass(frozen=True)
class DiffLine:
    """One changed path: `kind` is added, changed or removed; values are previews."""

    kind: str
    path: str
    before: str | None
    after: str | None
    long: bool


@dataclass
class Entry:
    """One event as the page shows it: `title` is the summary line, the rest its details."""

    seq: int
    at: int
    type: str
    title: str
    step: str | None = None
    diff: list[DiffLine] = field(default_factory=list)
    detail: JsonObject = field(default_factory=dict)

    @property
    def counts(self) -> dict[str, int]:
        out = {"added": 0, "changed": 0, "removed": 0}
        for line in self.diff:
            out[line.kind] += 1
        return out


def preview(value: Any) -> tuple[str, bool]:
    """Compact JSON cut at PREVIEW_CHARS; True when it was cut."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    if len(text) <= PREVIEW_CHARS:
        return text, False
    return text[:PREVIEW_CHARS] + "…", True


def path_text(path: Iterable[object]) -> str:
    return ".".join(str(key) for key in path)


def _lookup(data: Any, path: list[Any]) -> Any:
    node = data
    for key in path:
        if isinstance(node, dict) and key in node:
            node = node[key]
        elif isinstance(node, list) and str(key).isdigit() and int(key) < len(node):
            node = node[int(key)]
        else:
            return _MISSING
    return node


def _apply_in_place(data: JsonObject, change: dict[str, Any]) -> DiffLine | None:
    """Apply one stored change to `data` and say what it did (None for a no-op delete)."""
    path = change.get("path")
    if not isinstance(path, list) or not path:
        return None
    before = _lookup(data, path)
    parent: Any = data
    for key in path[:-1]:
        child = parent.get(key) if isinstance(parent, dict) else None
        if not isinstance(child, dict):
            child = {}
            if isinstance(parent, dict):
                parent[key] = child
        parent = child
    last = path[-1]
    if not isinstance(parent, dict):
        return None
    if change.get("op") == "delete":
        if before is _MISSING:
            return None
        parent.pop(last, None)
        text, long = preview(before)
        return DiffLine("removed", path_text(path), text, None, long)
    value = change.get("value")
    parent[last] = value
    after, long_after = preview(value)
    if before is _MISSING:
        return DiffLine("added", path_text(path), None, after, long_after)
    old, long_before = preview(before)
    return DiffLine("changed", path_text(path), old, after, long_before or long_after)


def _apply_all(data: JsonObject, changes: Any) -> list[DiffLine]:
    if not isinstance(changes, list):
        return []
    lines = (_apply_in_place(data, c) for c in changes if isinstance(c, dict))
    return [line for line in lines if line is not None]


def _title(event: Event) -> str:
    d = event.detail
    match event.type:
        case "created":
            return "created" + (f" as a subtask of {d['parent']}" if d.get("parent") else "")
        case "dispatched":
            return f"dispatched {d.get('step')} v{d.get('version')}"
        case "run":
            if d.get("error"):
                return f"run of {d.get('step')} failed"
            if d.get("committed") is False:
                return f"run of {d.get('step')} not committed (task cancelled)"
            return f"run of {d.get('step')}"
        case "state":
            return f"{d.get('from')} → {d.get('to')}: {d.get('reason')}"
        case "skipped":
            return f"skipped {d.get('step')}: {d.get('reason')}"
        case "conflict":
            return f"conflict: {d.get('step')} overwrote paths another run changed"
        case "audit":
            return f"audit ({d.get('step')}): {d.get('text')}"
        case "parked":
            return f"parked by {d.get('step')}"
        case "timeout":
            return f"timeout set by {d.get('step')} (on expiry: {d.get('on_expire')})"
        case "subtask":
            return f"subtask started by {d.get('step')}"
        case "child_ended":
            return f"subtask ended {d.get('state')}"
        case "woken":
            return f"woken: {d.get('reason')}"
        case "patched":
            return "data patched from outside"
        case "rerun":
            start = f"run #{d['from']}" if d.get("from") else "the start"
            return f"rerun from {start}" + (" with edited data" if d.get("edited") else "")
        case _:
            return event.type + (f" (from {d['from']})" if "from" in d else "")


def _replay(data: JsonObject, event: Event) -> tuple[JsonObject, list[DiffLine]]:
    """The data after `event` and what the event changed; the rules of `replay.apply_event`, but
    applied in place (that module copies the data at every event, which is right for one answer
    and quadratic for a whole timeline)."""
    d = event.detail
    if event.type in ("created", "rerun"):
        whole = d.get("data")
        return (whole if isinstance(whole, dict) else {}), []
    if event.type == "run" and (d.get("error") or d.get("committed") is False):
        return data, []
    if event.type in ("run", "patched", "child_ended"):
        return data, _apply_all(data, d.get("changes"))
    return data, []


def build(events: list[Event]) -> Iterator[Entry]:
    """The timeline, oldest first, computed lazily so a template can stream it."""
    data: JsonObject = {}
    for event in events:
        d = event.detail
        data, diff = _replay(data, event)
        entry = Entry(event.seq, event.at, event.type, _title(event), _text(d.get("step")), diff, d)
        if event.type in ("created", "rerun"):
            entry.detail = {key: value for key, value in d.items() if key != "data"}
            entry.detail["size"] = len(json.dumps(data, separators=(",", ":"), ensure_ascii=False))
        yield entry


def dispatch_of(events: list[Event], run_seq: int) -> int | None:
    """The `seq` of the dispatch of the run at `run_seq`: a rerun from that run starts from the
    data right after it."""
    run = next((e for e in events if e.seq == run_seq and e.type == "run"), None)
    if run is None:
        return None
    claim = run.detail.get("claim")
    return next((e.seq for e in events if e.type == "dispatched" and e.detail.get("claim") == claim), None)


def value_at(data: JsonObject, path: str) -> JsonValue:
    """The full value at a dotted path (as `DiffLine.path` writes it), or None when absent."""
    found = _lookup(data, path.split(".") if path else [])
    return None if found is _MISSING else found


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None
