"""Request and response bodies of api.md.

Inputs are strict (no type coercion, no unknown fields) so that a typo or a wrong type is a 422
naming the field instead of a silently different request. Outputs are built from the domain
records by `of()` constructors, which is where internal fields (claims, versions, workspace ids)
are left out and timestamps become ISO 8601 strings.
"""

import math
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field
from pydantic_core import PydanticCustomError

from ..model import Event, Step, Task, TaskState, Workspace, WorkspaceSettings

Timestamp = Annotated[
    str,
    Field(description="ISO 8601, UTC, milliseconds", examples=["2025-01-31T09:30:00.000Z"]),
]


def iso_timestamp(epoch_ms: int) -> str:
    """Epoch milliseconds as `2025-01-31T09:30:00.000Z`, the only timestamp form of the API."""
    seconds, millis = divmod(epoch_ms, 1000)
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%S") + f".{millis:03d}Z"


def _non_finite_at(value: Any, path: tuple[str, ...]) -> tuple[str, ...] | None:
    if isinstance(value, float) and not math.isfinite(value):
        return path
    if isinstance(value, dict):
        items: Any = value.items()
    elif isinstance(value, list):
        items = enumerate(value)
    else:
        return None
    for key, child in items:
        found = _non_finite_at(child, (*path, str(key)))
        if found is not None:
            return found
    return None


def _finite_json(value: Any) -> Any:
    """Python's JSON parser accepts NaN and Infinity; JSON (and storage) does not."""
    where = _non_finite_at(value, ())
    if where is not None:
        raise PydanticCustomError(
            "finite_number",
            "{where}: NaN and Infinity are not JSON numbers",
            {"where": ".".join(where) or "."},
        )
    return value


JsonIn = Annotated[Any, AfterValidator(_finite_json)]
JsonObjectIn = Annotated[dict[str, Any], AfterValidator(_finite_json)]


class _Input(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


# Errors


class ErrorDetail(BaseModel):
    code: str = Field(description="stable snake_case code", examples=["not_found"])
    message: str = Field(description="what went wrong and where, for a person")


class ErrorBody(BaseModel):
    error: ErrorDetail


# Health


class Health(BaseModel):
    status: Literal["ok"] = "ok"


# Workspaces


class WorkspaceCreate(_Input):
    name: str


class WorkspaceCreated(BaseModel):
    id: str
    name: str
    api_key: str = Field(description="shown once; only its hash is stored")


class WorkspaceSummary(BaseModel):
    id: str
    name: str

    @classmethod
    def of(cls, workspace: Workspace) -> "WorkspaceSummary":
        return cls(id=workspace.id, name=workspace.name)


class WorkspaceList(BaseModel):
    workspaces: list[WorkspaceSummary]


class WorkspaceOut(BaseModel):
    id: str
    name: str
    settings: WorkspaceSettings

    @classmethod
    def of(cls, workspace: Workspace) -> "WorkspaceOut":
        return cls(id=workspace.id, name=workspace.name, settings=workspace.settings)


class SettingsPatch(_Input):
    settings: dict[str, Any] = Field(
        description="any subset of the workspace settings; `limits` may itself be partial",
        examples=[{"execution": "sequential", "limits": {"cpu_time_ms": 2000}}],
    )


# Steps


class StepPut(_Input):
    """Either `source` (a step file) or `condition` plus `content`; checked by the platform."""

    source: str | None = Field(None, description="the step file text")
    condition: JsonIn = Field(None, description="the condition in wire form")
    content: str | None = Field(None, description="the statements of the async content function")
    enabled: bool | None = Field(None, description="unchanged when omitted; true for a new step")


class StepOut(BaseModel):
    name: str
    version: int
    condition: dict[str, Any]
    content: str
    source: str
    enabled: bool
    specificity: int
    created_at: Timestamp
    updated_at: Timestamp

    @classmethod
    def of(cls, step: Step) -> "StepOut":
        return cls(
            name=step.name,
            version=step.version,
            condition=step.condition,
            content=step.content,
            source=step.source,
            enabled=step.enabled,
            specificity=step.specificity,
            created_at=iso_timestamp(step.created_at),
            updated_at=iso_timestamp(step.updated_at),
        )


class StepList(BaseModel):
    steps: list[StepOut]


# Tasks


class TaskCreate(_Input):
    name: str | None = None
    data: JsonObjectIn


class TaskPatch(_Input):
    data: JsonObjectIn = Field(description="a JSON merge patch (RFC 7396) applied to the task data")


class TaskErrorOut(BaseModel):
    step: str | None
    message: str
    line: int | None


class TaskOut(BaseModel):
    id: str
    name: str | None
    state: TaskState
    data: dict[str, Any]
    result: Any
    tags: list[str]
    created_at: Timestamp
    updated_at: Timestamp
    runs: int = Field(description="step runs so far")
    error: TaskErrorOut | None = Field(description="set only when the state is `error`")

    @classmethod
    def of(cls, task: Task) -> "TaskOut":
        error = task.error if task.state is TaskState.ERROR else None
        return cls(
            id=task.id,
            name=task.name,
            state=task.state,
            data=task.data,
            result=task.result,
            tags=list(task.tags),
            created_at=iso_timestamp(task.created_at),
            updated_at=iso_timestamp(task.updated_at),
            runs=task.runs,
            error=None
            if error is None
            else TaskErrorOut(step=error.step, message=error.message, line=error.line),
        )


class TaskList(BaseModel):
    tasks: list[TaskOut]
    next: str | None = Field(description="cursor of the next page; null on the last one")


class EventOut(BaseModel):
    """A history event: `seq`, `at`, `type`, then the fields of its type (`step`, `changes`, ...)."""

    model_config = ConfigDict(extra="allow")

    seq: int
    at: Timestamp
    type: str

    @classmethod
    def of(cls, event: Event) -> "EventOut":
        # Event detail keys are the engine's, never user data: `*_at` ones are timestamps.
        detail = {
            key: iso_timestamp(value) if key.endswith("_at") and type(value) is int else value
            for key, value in event.detail.items()
        }
        return cls.model_validate(
            {**detail, "seq": event.seq, "at": iso_timestamp(event.at), "type": event.type}
        )


class History(BaseModel):
    events: list[EventOut]


# Secrets


class SecretPut(_Input):
    value: str


class SecretNames(BaseModel):
    secrets: list[str]


# Connectors and webhooks (documented now, implemented with their issue)


class ConnectorPut(_Input):
    type: str
    config: JsonObjectIn


class ConnectorOut(BaseModel):
    namespace: str
    type: str
    config: dict[str, Any] = Field(description="secret values masked")


class ConnectorList(BaseModel):
    connectors: list[ConnectorOut]


class WebhookCreate(_Input):
    name: str


class WebhookCreated(BaseModel):
    name: str
    key: str
    url: str = Field(examples=["/v1/hooks/whk_..."])


class HookAccepted(BaseModel):
    task_id: str
