"""A task's data at any point of its history, rebuilt from the events alone.

Every event that changes data says how: `created` and `rerun` carry the whole data, `patched`,
committed `run` and `child_ended` events the changes they applied, in the order they were
applied (history is in write order). A run that failed, or finished after its task was cancelled
(`committed: false`), changed nothing. So folding the history up to an event gives the data
right after it, and folding all of it gives the stored data: the tests hold the engine to that.
"""

from collections.abc import Sequence

from .changes import Change, apply
from .errors import InvalidInput, NotFound
from .json_types import JsonObject, JsonValue
from .model import Event

TRUNCATED = "truncated"
"""The field a store adds to an event it had to shorten (DynamoDB's item size, see `history.py`)."""


def data_after(events: Sequence[Event], seq: int) -> JsonObject:
    """The task data right after event `seq`; `NotFound` when the history has no such event."""
    if not any(event.seq == seq for event in events):
        raise NotFound(f"the task's history has no event {seq}")
    data: JsonObject = {}
    for event in events:
        if event.seq > seq:
            break
        data = apply_event(data, event)
    return data


def final_data(events: Sequence[Event]) -> JsonObject:
    data: JsonObject = {}
    for event in events:
        data = apply_event(data, event)
    return data


def apply_event(data: JsonObject, event: Event) -> JsonObject:
    """The data after one event. An event that was cut in storage and lost what it changed cannot
    be replayed: that is said rather than guessed."""
    detail = event.detail
    if event.type in ("created", "rerun"):
        whole = detail.get("data")
        if not isinstance(whole, dict):
            raise _lost(event)
        return whole
    if event.type == "run" and (detail.get("error") is not None or detail.get("committed") is False):
        return data
    if event.type not in ("patched", "run", "child_ended"):
        return data
    raw = detail.get("changes")
    if raw is None and event.type == "child_ended" and detail.get("into") is None:
        return data
    if not isinstance(raw, list) or TRUNCATED in detail:
        raise _lost(event)
    return apply([_change(item, event) for item in raw], data)


def _change(raw: JsonValue, event: Event) -> Change:
    if not isinstance(raw, dict):
        raise _lost(event)
    try:
        return Change.from_json(raw)
    except ValueError:
        raise _lost(event) from None


def _lost(event: Event) -> InvalidInput:
    return InvalidInput(
        f"history event {event.seq} ({event.type}) does not hold the data changes it made (it was shortened "
        "in storage, or written before they were recorded), so the data after it cannot be rebuilt"
    )
