"""Plain-JSON records of the domain objects, shared by every storage adapter (SQLite, DynamoDB).

Free-form JSON (task data and result, event details, step conditions) is kept as JSON text inside
the record: DynamoDB maps have no floats and cap nesting at 32 levels, so storing text is what lets
both homes keep such data byte for byte. Everything else is flat scalars, lists and small objects.
"""

import json
import secrets
import time
from collections.abc import Mapping
from typing import Any, cast, get_args, get_type_hints

from .json_types import JsonObject, JsonValue
from .model import (
    ChildLink,
    Claim,
    ConnectorConfig,
    Event,
    Expiry,
    ParentLink,
    Schedule,
    SigningScheme,
    Step,
    Task,
    TaskError,
    TaskState,
    Webhook,
    WebhookSigning,
    Workspace,
    WorkspaceSettings,
)


def new_id(prefix: str = "") -> str:
    """12 hex digits of epoch milliseconds, then 64 random bits: unguessable, and sorted by creation time."""
    return f"{prefix}{time.time_ns() // 1_000_000:012x}{secrets.token_hex(8)}"


def dump_json(value: JsonValue) -> str:
    """Compact JSON text that is always valid UTF-8.

    Non-ASCII characters stay literal (smallest text), unless a lone surrogate (which JSON input
    may carry as an escape) would make the text unencodable; then everything is escaped.
    """
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return json.dumps(value, separators=(",", ":"), allow_nan=False)
    return text


def load_json(text: str) -> JsonValue:
    return cast(JsonValue, json.loads(text))


def load_json_object(text: str) -> JsonObject:
    value = load_json(text)
    if not isinstance(value, dict):
        raise ValueError("stored JSON text is not an object")
    return value


# Tasks


def task_to_record(task: Task) -> JsonObject:
    return {
        "workspace_id": task.workspace_id,
        "id": task.id,
        "name": task.name,
        "state": task.state.value,
        "data": dump_json(task.data),
        "created_at": task.created_at,
        "updated_at": task.updated_at,
        "version": task.version,
        "data_seq": task.data_seq,
        "result": dump_json(task.result),
        "tags": list(task.tags),
        "runs": task.runs,
        "error": None if task.error is None else task.error.to_json(),
        "claims": {step: claim.to_json() for step, claim in task.claims.items()},
        "park_until": task.park_until,
        "expiry": None if task.expiry is None else task.expiry.to_json(),
        "parent": None if task.parent is None else task.parent.to_json(),
        "children": [child.to_json() for child in task.children],
        "depth": task.depth,
        "ran": list(task.ran),
    }


def task_from_record(record: Mapping[str, object]) -> Task:
    raw_error = record["error"]
    return Task(
        workspace_id=_text(record, "workspace_id"),
        id=_text(record, "id"),
        name=_optional_text(record, "name"),
        state=TaskState(_text(record, "state")),
        data=load_json_object(_text(record, "data")),
        created_at=_int(record, "created_at"),
        updated_at=_int(record, "updated_at"),
        version=_int(record, "version"),
        data_seq=_int(record, "data_seq"),
        result=load_json(_text(record, "result")),
        tags=tuple(_text_list(record, "tags")),
        runs=_int(record, "runs"),
        error=None if raw_error is None else _task_error(_mapping(raw_error, "error")),
        claims={
            step: Claim.from_json(_mapping(raw, "claims"))
            for step, raw in _mapping(record["claims"], "claims").items()
        },
        # Records written before timers and subtasks existed have none of these fields.
        park_until=_optional_int(record, "park_until"),
        expiry=None
        if record.get("expiry") is None
        else Expiry.from_json(_mapping(record["expiry"], "expiry")),
        parent=None
        if record.get("parent") is None
        else ParentLink.from_json(_mapping(record["parent"], "parent")),
        children=tuple(ChildLink.from_json(_mapping(raw, "children")) for raw in _list(record, "children")),
        depth=_optional_int(record, "depth") or 0,
        ran=tuple(_text_list(record, "ran")) if "ran" in record else (),
    )


def _task_error(raw: dict[str, Any]) -> TaskError:
    return TaskError(
        step=_optional_text(raw, "step"),
        message=_text(raw, "message"),
        line=_optional_int(raw, "line"),
        file=_optional_text(raw, "file"),
    )


# Events


def event_to_record(event: Event) -> JsonObject:
    return {"type": event.type, "at": event.at, "seq": event.seq, "detail": dump_json(event.detail)}


def event_from_record(record: Mapping[str, object]) -> Event:
    kind = _text(record, "type")
    if kind not in _EVENT_TYPES:
        raise ValueError(f"unknown event type {kind!r}")
    return Event(
        type=cast(Any, kind),
        at=_int(record, "at"),
        detail=load_json_object(_text(record, "detail")),
        seq=_int(record, "seq"),
    )


_EVENT_TYPES = frozenset(get_args(get_type_hints(Event)["type"]))


# Steps


def step_to_record(step: Step) -> JsonObject:
    return {
        "workspace_id": step.workspace_id,
        "name": step.name,
        "version": step.version,
        "condition": dump_json(step.condition),
        "content": step.content,
        "source": step.source,
        "enabled": step.enabled,
        "specificity": step.specificity,
        "created_at": step.created_at,
        "updated_at": step.updated_at,
        "created_seq": step.created_seq,
    }


def step_from_record(record: Mapping[str, object]) -> Step:
    enabled = record["enabled"]
    if not isinstance(enabled, bool):
        raise ValueError("step record: 'enabled' is not a boolean")
    return Step(
        workspace_id=_text(record, "workspace_id"),
        name=_text(record, "name"),
        version=_int(record, "version"),
        condition=load_json_object(_text(record, "condition")),
        content=_text(record, "content"),
        source=_text(record, "source"),
        enabled=enabled,
        specificity=_int(record, "specificity"),
        created_at=_int(record, "created_at"),
        updated_at=_int(record, "updated_at"),
        created_seq=_int(record, "created_seq"),
    )


# Workspaces


def workspace_to_record(workspace: Workspace) -> JsonObject:
    return {
        "id": workspace.id,
        "name": workspace.name,
        "settings": workspace.settings.model_dump(mode="json"),
        "created_at": workspace.created_at,
    }


def workspace_from_record(record: Mapping[str, object]) -> Workspace:
    return Workspace(
        id=_text(record, "id"),
        name=_text(record, "name"),
        settings=WorkspaceSettings.model_validate(record["settings"]),
        created_at=_int(record, "created_at"),
    )


# Connectors


def connector_to_record(connector: ConnectorConfig) -> JsonObject:
    return {
        "workspace_id": connector.workspace_id,
        "namespace": connector.namespace,
        "type": connector.type,
        "config": dump_json(connector.config),
        "updated_at": connector.updated_at,
    }


def connector_from_record(record: Mapping[str, object]) -> ConnectorConfig:
    return ConnectorConfig(
        workspace_id=_text(record, "workspace_id"),
        namespace=_text(record, "namespace"),
        type=_text(record, "type"),
        config=load_json_object(_text(record, "config")),
        updated_at=_int(record, "updated_at"),
    )


# Webhooks (the key's hash is the store's business: a lookup key, not part of the record)


def webhook_to_record(webhook: Webhook) -> JsonObject:
    signing = webhook.signing
    return {
        "workspace_id": webhook.workspace_id,
        "id": webhook.id,
        "name": webhook.name,
        "signing": None
        if signing is None
        else {"scheme": signing.scheme.value, "secret": signing.secret, "header": signing.header},
        "keep_headers": list(webhook.keep_headers),
        "rate_limit_per_minute": webhook.rate_limit_per_minute,
        "created_at": webhook.created_at,
    }


def webhook_from_record(record: Mapping[str, object]) -> Webhook:
    raw_signing = record["signing"]
    signing = None
    if raw_signing is not None:
        raw = _mapping(raw_signing, "signing")
        signing = WebhookSigning(
            SigningScheme(_text(raw, "scheme")), _text(raw, "secret"), _text(raw, "header")
        )
    return Webhook(
        workspace_id=_text(record, "workspace_id"),
        id=_text(record, "id"),
        name=_text(record, "name"),
        signing=signing,
        keep_headers=tuple(_text_list(record, "keep_headers")),
        rate_limit_per_minute=_int(record, "rate_limit_per_minute"),
        created_at=_int(record, "created_at"),
    )


# Schedules


def schedule_to_record(schedule: Schedule) -> JsonObject:
    return {
        "workspace_id": schedule.workspace_id,
        "name": schedule.name,
        "cron": schedule.cron,
        "timezone": schedule.timezone,
        "data": dump_json(schedule.data),
        "task_name": schedule.task_name,
        "next_fire_at": schedule.next_fire_at,
        "created_at": schedule.created_at,
        "updated_at": schedule.updated_at,
        "last_fired_at": schedule.last_fired_at,
        "last_task_id": schedule.last_task_id,
    }


def schedule_from_record(record: Mapping[str, object]) -> Schedule:
    return Schedule(
        workspace_id=_text(record, "workspace_id"),
        name=_text(record, "name"),
        cron=_text(record, "cron"),
        timezone=_text(record, "timezone"),
        data=load_json_object(_text(record, "data")),
        task_name=_optional_text(record, "task_name"),
        next_fire_at=_int(record, "next_fire_at"),
        created_at=_int(record, "created_at"),
        updated_at=_int(record, "updated_at"),
        last_fired_at=_optional_int(record, "last_fired_at"),
        last_task_id=_optional_text(record, "last_task_id"),
    )


# Typed field access: a malformed record is a ValueError, never a half-built object.


def _text(record: Mapping[str, object], key: str) -> str:
    value = record[key]
    if not isinstance(value, str):
        raise ValueError(f"record field {key!r} is not a string")
    return value


def _optional_text(record: Mapping[str, object], key: str) -> str | None:
    return None if record.get(key) is None else _text(record, key)


def _int(record: Mapping[str, object], key: str) -> int:
    value = record[key]
    if not isinstance(value, int) or isinstance(value, bool):
        raise ValueError(f"record field {key!r} is not an integer")
    return value


def _optional_int(record: Mapping[str, object], key: str) -> int | None:
    return None if record.get(key) is None else _int(record, key)


def _text_list(record: Mapping[str, object], key: str) -> list[str]:
    value = record[key]
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ValueError(f"record field {key!r} is not a list of strings")
    return cast(list[str], value)


def _list(record: Mapping[str, object], key: str) -> list[object]:
    value = record.get(key, [])
    if not isinstance(value, list):
        raise ValueError(f"record field {key!r} is not a list")
    return value


def _mapping(value: object, key: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ValueError(f"record field {key!r} is not an object")
    return cast(dict[str, Any], value)
