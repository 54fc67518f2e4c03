"""Many conditions against one task: prefilter by what the data must contain, then match.

Every data change is tested against every enabled step of a workspace, so the index avoids
running matchers that cannot succeed. Each condition is filed under one anchor:

- a top-level key pinned to a scalar (`{type: "order"}`): looked up by (key, value) in the data;
- else a top-level key the condition requires (one whose pattern rejects "absent"): looked up
  by the data's keys;
- else (only optional keys, top-level `$or` / `$not`): always tested.

Among possible anchors the one with the fewest conditions filed so far is chosen, which keeps
buckets small. The anchor is only a necessary condition: the compiled matcher still decides,
so answers are exactly those of testing every condition.
"""

from collections.abc import Hashable
from dataclasses import dataclass
from decimal import Decimal
from typing import TypeVar

from ..changes import json_number
from ..json_types import JsonObject
from .condition import Condition
from .nodes import Equals, ObjectPattern

_Bucket = dict[str, Condition]
K = TypeVar("K")
_ValueKey = tuple[str, str, Hashable]


@dataclass(frozen=True)
class _Entry:
    sequence: int
    condition: Condition
    anchor: _ValueKey | str | None


def _value_token(value: object) -> tuple[str, Hashable] | None:
    """A hashable stand-in for a scalar under JSON equality: `1` and `1.0` share one, `true` not."""
    if isinstance(value, bool):
        return ("boolean", value)
    if isinstance(value, str):
        return ("string", value)
    if isinstance(value, int | float | Decimal):
        return ("number", json_number(value))
    return None


class ConditionIndex:
    """Conditions by key (a step name); `matching` answers in the order keys were added."""

    def __init__(self) -> None:
        self._entries: dict[str, _Entry] = {}
        self._by_value: dict[_ValueKey, _Bucket] = {}
        self._by_key: dict[str, _Bucket] = {}
        self._always: _Bucket = {}
        self._sequence = 0

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, key: object) -> bool:
        return key in self._entries

    def add(self, key: str, condition: Condition) -> None:
        """File a condition under `key`, replacing the one it had."""
        self.remove(key)
        anchor = self._choose_anchor(condition)
        if anchor is None:
            self._always[key] = condition
        elif isinstance(anchor, str):
            self._by_key.setdefault(anchor, {})[key] = condition
        else:
            self._by_value.setdefault(anchor, {})[key] = condition
        self._sequence += 1
        self._entries[key] = _Entry(self._sequence, condition, anchor)

    def remove(self, key: str) -> None:
        """Forget `key`; unknown keys are ignored so removal can be repeated safely."""
        entry = self._entries.pop(key, None)
        if entry is None:
            return
        if entry.anchor is None:
            del self._always[key]
        elif isinstance(entry.anchor, str):
            _discard(self._by_key, entry.anchor, key)
        else:
            _discard(self._by_value, entry.anchor, key)

    def matching(self, data: JsonObject) -> list[str]:
        """Keys of the conditions that match `data`, in the order they were added."""
        candidates = list(self._always.items())
        by_key, by_value = self._by_key, self._by_value
        for data_key, value in data.items():
            bucket = by_key.get(data_key)
            if bucket:
                candidates.extend(bucket.items())
            if by_value:
                token = _value_token(value)
                if token is not None:
                    bucket = by_value.get((data_key, *token))
                    if bucket:
                        candidates.extend(bucket.items())
        found = [key for key, condition in candidates if condition.matches(data)]
        found.sort(key=lambda key: self._entries[key].sequence)
        return found

    def _choose_anchor(self, condition: Condition) -> _ValueKey | str | None:
        node = condition.node
        pinned: list[_ValueKey] = []
        if isinstance(node, ObjectPattern):
            for key, child in node.fields:
                token = _value_token(child.value) if isinstance(child, Equals) else None
                if token is not None:
                    pinned.append((key, *token))
        if pinned:
            return min(pinned, key=lambda anchor: len(self._by_value.get(anchor, ())))
        if condition.required_keys:
            return min(sorted(condition.required_keys), key=lambda key: len(self._by_key.get(key, ())))
        return None


def _discard(buckets: dict[K, _Bucket], anchor: K, key: str) -> None:
    bucket = buckets[anchor]
    del bucket[key]
    if not bucket:
        del buckets[anchor]
