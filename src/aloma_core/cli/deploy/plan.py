"""Desired state vs live state -> the actions that make the workspace match. Pure: no I/O.

Rules the plan follows (docs/workspace-as-code.md):
- a kind the file does not mention is left alone; a kind it mentions is managed whole;
- what the file names and the workspace lacks is created, what differs is changed;
- what the workspace has and the file does not name is deleted only with `prune`, otherwise it is
  listed as what prune would delete;
- secrets are never written or deleted: the names the file needs must exist, or nothing is done;
- a webhook cannot be edited, only replaced, which gives it a new URL;
- a seed task is created once per seed name, then never again (its marker records it);
- creations and changes go in dependency order, deletions last, so a failure part way leaves the
  workspace with more than it needs rather than less.
"""

import difflib
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from pydantic import ValidationError

from ...json_types import JsonObject, JsonValue
from ...notify.settings import NotifySettings
from ..errors import CliError
from .state import Desired, Live, seed_marker


class Op(StrEnum):
    CREATE = "create"
    UPDATE = "update"
    REPLACE = "replace"
    DELETE = "delete"
    UNCHANGED = "unchanged"
    PRUNABLE = "prunable"


CHANGES = (Op.CREATE, Op.UPDATE, Op.REPLACE, Op.DELETE)
# Creations and changes in this order; deletions in the reverse one.
KINDS = ("settings", "library", "connector", "step", "webhook", "schedule", "seed")


Compare = Callable[[Any, Any], list[str]]


class DeployRefused(CliError):
    """The file cannot be applied to this workspace at all; nothing was changed."""


@dataclass(frozen=True)
class Action:
    kind: str
    name: str
    op: Op
    body: JsonObject | None = None
    detail: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        return self.kind if self.kind == "settings" else f"{self.kind} {self.name}"

    def to_json(self) -> JsonObject:
        return {"kind": self.kind, "name": self.name, "op": self.op.value, "detail": list(self.detail)}


@dataclass(frozen=True)
class Plan:
    actions: list[Action] = field(default_factory=list)
    missing_secrets: list[str] = field(default_factory=list)
    missing_connectors: list[str] = field(default_factory=list)

    @property
    def blocked(self) -> bool:
        """Something the file needs but never creates is missing: nothing may be applied."""
        return bool(self.missing_secrets or self.missing_connectors)

    @property
    def changes(self) -> list[Action]:
        return [action for action in self.actions if action.op in CHANGES]

    @property
    def prunable(self) -> list[Action]:
        return [action for action in self.actions if action.op is Op.PRUNABLE]

    def count(self, *ops: Op) -> int:
        return sum(1 for action in self.actions if action.op in ops)

    def to_json(self) -> JsonObject:
        return {
            "actions": [action.to_json() for action in self.actions],
            "missing_secrets": list(self.missing_secrets),
            "missing_connectors": list(self.missing_connectors),
            "changes": len(self.changes),
        }


def make_plan(desired: Desired, live: Live, *, prune: bool) -> Plan:
    if desired.libraries is not None and live.libraries is None:
        raise DeployRefused(
            "the deploy file names shared libraries, but this server has no libraries API "
            "(GET /v1/libraries: not found); remove `libraries` from the file or upgrade the server"
        )
    ahead: list[Action] = []
    behind: list[Action] = []
    if desired.settings is not None:
        ahead += _settings(desired.settings, live.settings)
    # Connectors configured by hand for the file are the workspace's own: never pruned.
    managed_connectors = {
        namespace: value
        for namespace, value in live.connectors.items()
        if namespace not in desired.required_connectors
    }
    sections: list[tuple[str, Mapping[str, Any] | None, Mapping[str, Any], Compare]] = [
        ("library", desired.libraries, live.libraries or {}, _source_change),
        ("connector", desired.connectors, managed_connectors, _object_change),
        ("step", desired.steps, live.steps, _source_change),
        ("webhook", desired.webhooks, live.webhooks, _object_change),
        ("schedule", desired.schedules, live.schedules, _object_change),
    ]
    for kind, wanted, have, compare in sections:
        if wanted is None:
            continue
        made, gone = _named(kind, wanted, have, compare, prune)
        ahead += made
        behind = gone + behind
    ahead += _seeds(desired.seeds, live.secrets)
    missing = sorted(set(desired.secrets) - live.secrets)
    absent = sorted(set(desired.required_connectors) - live.connectors.keys())
    return Plan(ahead + behind, missing, absent)


def _named(
    kind: str,
    wanted: Mapping[str, Any],
    have: Mapping[str, Any],
    compare: Compare,
    prune: bool,
) -> tuple[list[Action], list[Action]]:
    made: list[Action] = []
    for name in sorted(wanted):
        new = wanted[name]
        if name not in have:
            made.append(Action(kind, name, Op.CREATE, _body(new)))
            continue
        detail = compare(have[name], new)
        if not detail:
            made.append(Action(kind, name, Op.UNCHANGED))
        else:
            op = Op.REPLACE if kind == "webhook" else Op.UPDATE
            made.append(Action(kind, name, op, _body(new), tuple(detail)))
    gone = [
        Action(kind, name, Op.DELETE if prune else Op.PRUNABLE) for name in sorted(set(have) - set(wanted))
    ]
    return made, gone


def _body(value: str | JsonObject) -> JsonObject:
    """What the API is sent for this kind: a source for files, the object itself otherwise."""
    if isinstance(value, str):
        return {"source": value}
    return dict(value)


def _source_change(old: JsonValue, new: JsonValue) -> list[str]:
    if old == new:
        return []
    before = str(old).splitlines(keepends=True)
    after = str(new).splitlines(keepends=True)
    return [line.rstrip("\n") for line in difflib.unified_diff(before, after, "live", "file", n=1)]


def _object_change(old: JsonValue, new: JsonValue) -> list[str]:
    return field_changes(old, new, "")


def field_changes(old: JsonValue, new: JsonValue, prefix: str) -> list[str]:
    """`path: old -> new` for each leaf that differs, descending into objects on both sides."""
    if isinstance(old, dict) and isinstance(new, dict):
        lines: list[str] = []
        for key in [*old, *(key for key in new if key not in old)]:
            path = f"{prefix}.{key}" if prefix else key
            if key not in new:
                lines.append(f"{path}: {_shown(old[key])} -> (absent)")
            elif key not in old:
                lines.append(f"{path}: (absent) -> {_shown(new[key])}")
            else:
                lines += field_changes(old[key], new[key], path)
        return lines
    if _same(old, new):
        return []
    return [f"{prefix or '.'}: {_shown(old)} -> {_shown(new)}"]


def _same(old: JsonValue, new: JsonValue) -> bool:
    """JSON equality: 1 and 1.0 are one number, but true is no number."""
    return json.dumps(old, sort_keys=True) == json.dumps(new, sort_keys=True) or (
        type(old) in (int, float) and type(new) in (int, float) and old == new
    )


def _shown(value: JsonValue) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def _settings(wanted: JsonObject, have: JsonObject) -> list[Action]:
    """Only the settings the file gives are compared and sent (a PATCH is partial)."""
    detail: list[str] = []
    for key, value in wanted.items():
        current = have.get(key)
        if key == "limits" and isinstance(value, dict) and isinstance(current, dict):
            current = {limit: current.get(limit) for limit in value}
        compared = _notify_as_stored(value) if key == "notify" else value
        detail += field_changes(current, compared, key)
    if not detail:
        return [Action("settings", "settings", Op.UNCHANGED)]
    return [Action("settings", "settings", Op.UPDATE, {"settings": dict(wanted)}, tuple(detail))]


def _notify_as_stored(wanted: JsonValue) -> JsonValue:
    """The server fills in what a file leaves out of `notify` (its defaults, null fields), so the
    file's value is compared in that form; one the server would refuse is compared as written."""
    try:
        return NotifySettings.model_validate(wanted).model_dump(mode="json")
    except ValidationError:
        return wanted


def _seeds(wanted: dict[str, JsonObject], secrets: frozenset[str]) -> list[Action]:
    actions: list[Action] = []
    for name in sorted(wanted):
        if seed_marker(name) in secrets:
            actions.append(Action("seed", name, Op.UNCHANGED, detail=("created by an earlier deploy",)))
        else:
            actions.append(Action("seed", name, Op.CREATE, dict(wanted[name])))
    return actions
