"""History items: a save's events as DynamoDB items that fit the item and transaction limits.

An event is one item (`record`) as a rule. Two limits can get in the way, and neither may cost the
write its atomicity:
- size: an event's record is at most `EVENT_BYTES`, and all of a save's events share what is
  left of the 4 MB transaction after the task item. When they do not fit, the largest events are
  cut down to a common cap (`fit_event`), the small ones stay whole.
- count: a transaction holds 100 items; when a save carries more events than the room left,
  consecutive events are packed into items holding `records`, a JSON array of event records.

A cut event keeps `type`, `at`, `step`, `version`, `claim` and `error` (its message clipped only
as a last resort), keeps the first entries of `logs`, `calls` and `changes` (in that order of giving way), and
sets other fields over 1 KiB to null. It says what it lost under `truncated`:
`{"logs": {"kept": 3, "of": 5000}}` for a list, `{"data": {"dropped_bytes": 412345}}` for a
dropped field, `{"error": {"message_chars": 400000}}` for a clipped message.
"""

from __future__ import annotations

import bisect
import itertools
from collections.abc import Callable, Sequence
from dataclasses import replace

from aloma_core.errors import TooLarge
from aloma_core.json_types import JsonObject, JsonValue
from aloma_core.model import Event
from aloma_core.records import dump_json, event_from_record, event_to_record, load_json, load_json_object

from ..table import EVENT_BYTES, TTL_ATTRIBUTE, event_sk
from .items import Item, item_size, n, s
from .items import text as text_of

TRUNCATED = "truncated"
_KEPT = frozenset({"step", "version", "claim", "error", TRUNCATED})
_LISTS = ("logs", "calls", "changes")
_ERROR_CHARS = 1000
_BULKY_BYTES = 1024


def event_items(
    pk: str,
    version: int,
    events: Sequence[Event],
    *,
    room_bytes: int,
    room_items: int,
    expires_at: int | None,
) -> list[Item]:
    """The items that store `events` written with task `version`, within `room_bytes` and `room_items`."""
    if not events:
        return []
    overhead = item_size(_item(pk, event_sk(version, 0), "records", "", expires_at))
    sizes = [_size(event) for event in events]
    cap = min(EVENT_BYTES, _water_level(sizes, room_bytes - overhead * len(events)))
    texts = [dump_json(event_to_record(fit_event(event, cap))) for event in events]
    if len(texts) <= room_items:
        groups = [(text, "record") for text in texts]
    else:
        groups = [("[" + ",".join(group) + "]", "records") for group in _pack(texts)]
    items = [
        _item(pk, event_sk(version, index), name, value, expires_at)
        for index, (value, name) in enumerate(groups)
    ]
    if len(items) > room_items or sum(item_size(item) for item in items) > room_bytes:
        raise TooLarge(f"{len(events)} history events exceed what one DynamoDB transaction can hold")
    return items


def events_from_items(items: Sequence[Item]) -> list[Event]:
    """The events of history items in their order, `seq` numbered from 1."""
    events: list[Event] = []
    for item in items:
        if "record" in item:
            events.append(event_from_record(load_json_object(text_of(item, "record"))))
            continue
        packed = load_json(text_of(item, "records"))
        if not isinstance(packed, list):
            raise ValueError("history item: 'records' is not a JSON array")
        events.extend(event_from_record(_object(record)) for record in packed)
    return [replace(event, seq=seq) for seq, event in enumerate(events, start=1)]


def fit_event(event: Event, cap: int) -> Event:
    """`event`, or a cut-down copy whose record text is at most `cap` bytes (see the module doc)."""
    if _size(event) <= cap:
        return event
    detail = dict(event.detail)
    lost: JsonObject = {}
    detail[TRUNCATED] = lost

    def fits() -> bool:
        return _size(replace(event, detail=detail)) <= cap

    for key in _LISTS:
        entries = detail.get(key)
        if (
            isinstance(entries, list)
            and entries
            and _keep_prefix(detail, lost, key, entries, cap=cap, fits=fits)
        ):
            return replace(event, detail=detail)
    sizes = {
        key: _json_bytes(value) for key, value in detail.items() if key not in _KEPT and key not in _LISTS
    }
    for key in sorted((key for key in sizes if sizes[key] > _BULKY_BYTES), key=lambda key: -sizes[key]):
        lost[key] = {"dropped_bytes": sizes[key]}
        detail[key] = None
        if fits():
            return replace(event, detail=detail)
    error = detail.get("error")
    if isinstance(error, dict) and isinstance(message := error.get("message"), str):
        detail["error"] = {**error, "message": message[:_ERROR_CHARS] + "…"}
        lost["error"] = {"message_chars": len(message)}
    return replace(event, detail=detail)


def _keep_prefix(
    detail: JsonObject,
    lost: JsonObject,
    key: str,
    entries: list[JsonValue],
    *,
    cap: int,
    fits: Callable[[], bool],
) -> bool:
    """Keep the longest leading run of `entries` that fits; whether the event fits now."""

    def keep(count: int) -> bool:
        detail[key] = entries[:count]
        lost[key] = {"kept": count, "of": len(entries)}
        return fits()

    # A prefix whose entries alone exceed the cap can never fit: that bounds the search cheaply.
    raw = list(itertools.accumulate(_json_bytes(entry) for entry in entries))
    low, high = 0, bisect.bisect_right(raw, cap)
    while low < high:
        middle = (low + high + 1) // 2
        if keep(middle):
            low = middle
        else:
            high = middle - 1
    return keep(low)


def _water_level(sizes: Sequence[int], budget: int) -> int:
    """The largest cap such that the sizes, each clipped to it, add up to at most `budget`."""
    remaining = budget
    ordered = sorted(sizes)
    for index, size in enumerate(ordered):
        share = remaining // (len(ordered) - index)
        if size > share:
            return max(share, 0)
        remaining -= size
    return ordered[-1]


def _pack(texts: Sequence[str]) -> list[list[str]]:
    """Consecutive records grouped so that each group's JSON array stays within `EVENT_BYTES`."""
    groups: list[list[str]] = []
    size = 0
    for record in texts:
        length = len(record.encode()) + 1
        if not groups or size + length > EVENT_BYTES:
            groups.append([])
            size = 1
        groups[-1].append(record)
        size += length
    return groups


def _item(pk: str, sk: str, name: str, value: str, expires_at: int | None) -> Item:
    item: Item = {"pk": s(pk), "sk": s(sk), "kind": s("event"), name: s(value)}
    if expires_at is not None:
        item[TTL_ATTRIBUTE] = n(expires_at)
    return item


def _size(event: Event) -> int:
    return len(dump_json(event_to_record(event)).encode())


def _json_bytes(value: JsonValue) -> int:
    return len(dump_json(value).encode())


def _object(value: JsonValue) -> JsonObject:
    if not isinstance(value, dict):
        raise ValueError("history item: a packed record is not a JSON object")
    return value
