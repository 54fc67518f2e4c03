"""Path-level data changes: how a run's result is merged onto the latest task data.

A run's outcome is not its final `data` but the list of changes it made, so two parallel runs
that touch different fields both keep their work (semantics.md section 5). Arrays are replaced
as a whole, which keeps changes small and merge results predictable.
"""

import copy
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Literal

from .json_types import JsonObject, JsonValue

PathKey = str | int
Path = tuple[PathKey, ...]


@dataclass(frozen=True)
class Change:
    op: Literal["set", "delete"]
    path: Path
    value: JsonValue = field(default=None)

    def to_json(self) -> JsonObject:
        out: JsonObject = {"op": self.op, "path": list(self.path)}
        if self.op == "set":
            out["value"] = self.value
        return out

    @classmethod
    def from_json(cls, raw: JsonObject) -> "Change":
        op = raw.get("op")
        path = raw.get("path")
        if op not in ("set", "delete") or not isinstance(path, list):
            raise ValueError(f"not a change: {raw!r}")
        keys: list[PathKey] = []
        for key in path:
            if not isinstance(key, str | int) or isinstance(key, bool):
                raise ValueError(f"bad path key {key!r}")
            keys.append(key)
        if op == "set":
            return cls("set", tuple(keys), raw.get("value"))
        return cls("delete", tuple(keys))


def json_number(value: int | float | Decimal) -> int | float:
    """A number as JSON means it: DynamoDB's `Decimal` becomes the int or float it was written from.

    A non-integral Decimal goes through float so that `Decimal("0.1")` equals the float `0.1`
    it came from; comparing them exactly would say they differ.
    """
    if isinstance(value, Decimal):
        if value.is_nan():
            return math.nan
        if value.is_finite() and value == value.to_integral_value():
            return int(value)
        return float(value)
    return value


def json_equal(a: JsonValue | Decimal, b: JsonValue | Decimal) -> bool:
    """Equality with JSON's types: `true` is not `1`, but `1` is `1.0` and `Decimal("1")`."""
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, int | float | Decimal) and isinstance(b, int | float | Decimal):
        return json_number(a) == json_number(b)
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(json_equal(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(json_equal(x, y) for x, y in zip(a, b, strict=True))
    return type(a) is type(b) and a == b


def diff(before: JsonObject, after: JsonObject) -> list[Change]:
    """The changes that turn `before` into `after`: objects recurse, everything else is replaced."""
    changes: list[Change] = []
    _diff_objects(before, after, (), changes)
    return changes


def _diff_objects(before: JsonObject, after: JsonObject, prefix: Path, out: list[Change]) -> None:
    for key in before:
        if key not in after:
            out.append(Change("delete", (*prefix, key)))
    for key, new in after.items():
        path = (*prefix, key)
        if key not in before:
            out.append(Change("set", path, copy.deepcopy(new)))
            continue
        old = before[key]
        if isinstance(old, dict) and isinstance(new, dict):
            _diff_objects(old, new, path, out)
        elif not json_equal(old, new):
            out.append(Change("set", path, copy.deepcopy(new)))


def apply(changes: Iterable[Change], data: JsonObject) -> JsonObject:
    """A new object: `data` with the changes applied in order; missing parents are created."""
    result = copy.deepcopy(data)
    for change in changes:
        _apply_one(change, result)
    return result


def _apply_one(change: Change, root: JsonObject) -> None:
    if not change.path:
        raise ValueError("a change needs a non-empty path")
    parent: JsonValue = root
    for key in change.path[:-1]:
        parent = _child_container(parent, key, create=change.op == "set")
        if parent is None:
            return
    last = change.path[-1]
    if change.op == "set":
        if isinstance(parent, list) and isinstance(last, int) and 0 <= last < len(parent):
            parent[last] = copy.deepcopy(change.value)
        elif isinstance(parent, dict):
            parent[str(last)] = copy.deepcopy(change.value)
    elif isinstance(parent, dict):
        parent.pop(str(last), None)
    elif isinstance(parent, list) and isinstance(last, int) and 0 <= last < len(parent):
        del parent[last]


def _child_container(parent: JsonValue, key: PathKey, *, create: bool) -> JsonValue:
    """The object or array at `key`; on a set, a missing or scalar child becomes an empty object."""
    if isinstance(parent, list):
        if isinstance(key, int) and 0 <= key < len(parent) and isinstance(parent[key], dict | list):
            return parent[key]
        return None
    if not isinstance(parent, dict):
        return None
    child = parent.get(str(key))
    if isinstance(child, dict | list):
        return child
    if not create:
        return None
    fresh: JsonObject = {}
    parent[str(key)] = fresh
    return fresh


def conflicting_paths(first: Sequence[Change], second: Sequence[Change]) -> list[Path]:
    """Paths both lists touch, where one path equals or contains the other (last writer wins)."""
    found: list[Path] = []
    for a in first:
        for b in second:
            shorter = min(len(a.path), len(b.path))
            overlap = a.path if len(a.path) <= len(b.path) else b.path
            if a.path[:shorter] == b.path[:shorter] and overlap not in found:
                found.append(overlap)
    return found


def merge_patch(target: JsonValue, patch: JsonValue) -> JsonValue:
    """RFC 7396 JSON merge patch, as `PATCH /v1/tasks/{id}` applies it."""
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    result: JsonObject = copy.deepcopy(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = merge_patch(result.get(key), value)
    return result
