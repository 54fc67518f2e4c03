"""Request and response bodies of api.md.

Inputs are strict (no type coercion, no unknown fields) so that a typo or a wrong type is a 422
naming the field instead of a silently different request. Outputs are built from the domain
records by `of()` constructors, which is where internal fields (claims, versions, workspace ids)
are left out and timestamps become ISO 8601 strings.
"""

import math
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field
from pydantic_core import PydanticCustomError

from ..connectors import registry
from ..limits import MAX_SAFE_INTEGER
from ..model import (
    ConnectorConfig,
    Event,
    Schedule,
    Step,
    Task,
    TaskState,
    Webhook,
    Workspace,
    WorkspaceSettings,
)
from ..schedules.cron import DEFAULT_TIMEZONE
from ..schedules.definition import MAX_TASK_NAME
from ..timestamps import iso_timestamp

Timestamp = Annotated[
    str,
    Field(description="ISO 8601, UTC, milliseconds", examples=["2025-01-31T09:30:00.000Z"]),
]


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


class WorkspaceKeyRotated(WorkspaceCreated):
    """The workspace's new key; the key it replaces is refused from this answer on."""


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


TaskName = Annotated[str, Field(max_length=MAX_TASK_NAME)]
"""At most as long as the name schedules may give their tasks, so that no name fills a page."""


class TaskCreate(_Input):
    name: TaskName | None = None
    data: JsonObjectIn


class TaskPatch(_Input):
    data: JsonObjectIn = Field(description="a JSON merge patch (RFC 7396) applied to the task data")


class TaskErrorOut(BaseModel):
    step: str | None
    message: str
    line: int | None


class ChildOut(BaseModel):
    id: str
    name: str | None
    into: str | None = Field(description="where the subtask's `{id, state, result}` goes in this task's data")
    wait_for: bool = Field(description="whether this task waits (`waiting`) until the subtask ends")
    ended: TaskState | None = Field(description="the state the subtask ended in; null while it is open")


class TimeoutOut(BaseModel):
    expires_at: Timestamp
    on_expire: Literal["complete", "error"] = Field(
        description="`complete` after task.completeOnExpire(result), else the task ends in `error`"
    )
    result: Any = Field(description="the result the task completes with")


class WaitingFor(BaseModel):
    park_until: Timestamp | None = Field(
        description="parked until then, or until its data changes from outside"
    )
    timeout: bool = Field(description="nothing left to run: waits for its timeout")
    children: list[str] = Field(description="ids of the subtasks it waits for")


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
    wake_at: Timestamp | None = Field(None, description="when a timer of the task (park, timeout) next fires")
    timeout: TimeoutOut | None = Field(None, description="the pending task.timeout(ms), if any")
    waiting_for: WaitingFor | None = Field(
        None, description="what the task waits for; set only when `waiting`"
    )
    parent: str | None = Field(None, description="the id of the task that started this one as a subtask")
    children: list[ChildOut] = Field(default_factory=list, description="subtasks this task started")

    @classmethod
    def of(cls, task: Task) -> "TaskOut":
        error = task.error if task.state is TaskState.ERROR else None
        expiry = task.expiry
        wake_at = task.wake_at
        waiting = None
        if task.state is TaskState.WAITING:
            waiting = WaitingFor(
                park_until=None if task.park_until is None else iso_timestamp(task.park_until),
                timeout=task.park_until is None and not task.awaited_children() and expiry is not None,
                children=[child.id for child in task.awaited_children()],
            )
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
            wake_at=None if wake_at is None else iso_timestamp(wake_at),
            timeout=None
            if expiry is None
            else TimeoutOut(
                expires_at=iso_timestamp(expiry.at),
                on_expire="complete" if expiry.complete else "error",
                result=expiry.result,
            ),
            waiting_for=waiting,
            parent=None if task.parent is None else task.parent.id,
            children=[
                ChildOut(id=c.id, name=c.name, into=c.into, wait_for=c.wait_for, ended=c.ended)
                for c in task.children
            ],
        )


class TaskList(BaseModel):
    tasks: list[TaskOut]
    next: str | None = Field(description="cursor of the next page; null on the last one")


class TaskCounts(BaseModel):
    counts: dict[str, int] = Field(description="tasks by state; every state present, zeros included")
    total: int
    exact: bool = Field(
        description="false when a filter that reads each task stopped at its budget: the counts are a floor"
    )


StateName = Literal["running", "waiting", "done", "ignored", "error", "incomplete", "cancelled"]


class TaskDataAt(BaseModel):
    seq: int = Field(description="the history event the data is shown after")
    data: dict[str, Any]


class TaskRerun(_Input):
    from_: int | None = Field(
        None,
        alias="from",
        ge=1,
        le=MAX_SAFE_INTEGER,
        description="the `seq` of a `run` event; null reruns from the start",
    )
    data: JsonObjectIn | None = Field(None, description="an edited copy of the data to start from instead")


class TaskClone(_Input):
    data: JsonObjectIn | None = Field(
        None, description="the new task's data; the source's current data when null"
    )
    name: TaskName | None = Field(None, description="the new task's name; the source's if null")


class BulkFilter(_Input):
    state: StateName | None = None
    name: str | None = None
    tag: str | None = None
    step: str | None = None
    created_after: int | None = Field(None, ge=0, le=MAX_SAFE_INTEGER, description="epoch ms, inclusive")
    created_before: int | None = Field(None, ge=0, le=MAX_SAFE_INTEGER, description="epoch ms, exclusive")
    q: str | None = Field(None, min_length=1, description="substring of the data as compact JSON text")


class BulkRequest(_Input):
    action: Literal["resume", "rerun"]
    filter: BulkFilter = Field(default_factory=BulkFilter)
    limit: int = Field(50, ge=1, le=100, description="tasks of the filter this call handles")
    cursor: str | None = Field(None, description="`next` of the previous call")


class BulkSkip(BaseModel):
    id: str
    reason: str


class BulkAnswer(BaseModel):
    matched: int = Field(description="tasks of the filter on this page")
    changed: list[str] = Field(description="ids of the tasks resumed or rerun")
    skipped: list[BulkSkip]
    next: str | None = Field(description="cursor of the next page of the filter; null at the end")


class DataIn(_Input):
    data: JsonObjectIn


class StepMatch(BaseModel):
    name: str
    version: int
    enabled: bool


class StepMatches(BaseModel):
    steps: list[StepMatch] = Field(
        description="enabled matches in dispatch order (most specific first), then disabled ones"
    )


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


# Connectors


class ConnectorPut(_Input):
    type: str = Field(description="a connector type: fetch, remote, slack, http, or one a package adds")
    config: JsonObjectIn = Field(
        description="its configuration; a secret field holds a literal (moved to the secret store) "
        'or {"secret": "NAME"}',
        examples=[{"url": "https://crm.example.com/aloma", "secret": "CRM_TOKEN"}],
    )


class ConnectorOut(BaseModel):
    namespace: str
    type: str
    config: dict[str, Any] = Field(description='secret fields as {"secret": "NAME"} references, never values')
    updated_at: Timestamp

    @classmethod
    def of(cls, connector: ConnectorConfig) -> "ConnectorOut":
        return cls(
            namespace=connector.namespace,
            type=connector.type,
            config=registry.answer(connector.type, connector.config),
            updated_at=iso_timestamp(connector.updated_at),
        )


class ConnectorList(BaseModel):
    connectors: list[ConnectorOut]


# Webhooks

Scheme = Literal["github", "stripe", "hmac-sha256"]


class SigningIn(_Input):
    scheme: Scheme
    secret: str = Field(description="the name of the workspace secret holding the signing key")
    header: str | None = Field(
        None, description="X-Hub-Signature-256, Stripe-Signature and X-Signature by default"
    )


class WebhookCreate(_Input):
    name: str
    signing: SigningIn | None = Field(None, description="refuse deliveries not signed with the key")
    keep_headers: list[str] = Field(
        default_factory=list, description="request headers copied into $via.headers (never Authorization)"
    )
    rate_limit_per_minute: int | None = Field(None, description="600 when omitted")


class WebhookCreated(BaseModel):
    id: str
    name: str
    key: str = Field(description="shown once; only its hash is stored")
    url: str = Field(examples=["/v1/hooks/whk_..."])


class SigningOut(BaseModel):
    scheme: Scheme
    secret: str = Field(description="the secret's name")
    header: str


class WebhookOut(BaseModel):
    id: str
    name: str
    signing: SigningOut | None
    keep_headers: list[str]
    rate_limit_per_minute: int
    created_at: Timestamp

    @classmethod
    def of(cls, webhook: Webhook) -> "WebhookOut":
        signing = webhook.signing
        return cls(
            id=webhook.id,
            name=webhook.name,
            signing=None
            if signing is None
            else SigningOut(scheme=signing.scheme.value, secret=signing.secret, header=signing.header),
            keep_headers=list(webhook.keep_headers),
            rate_limit_per_minute=webhook.rate_limit_per_minute,
            created_at=iso_timestamp(webhook.created_at),
        )


class WebhookList(BaseModel):
    webhooks: list[WebhookOut]


class HookAccepted(BaseModel):
    task_id: str


# Schedules


class ScheduleIn(_Input):
    cron: str = Field(
        description="five fields: minute hour day-of-month month day-of-week", examples=["*/5 * * * *"]
    )
    timezone: str = Field(
        DEFAULT_TIMEZONE,
        description="the IANA time zone the expression is read in",
        examples=["Europe/Berlin"],
    )
    data: JsonObjectIn = Field(description="the data of each task it creates, `$via` added")
    name: str | None = Field(
        None, description="the name of the tasks it creates; the schedule's name when omitted"
    )


class ScheduleOut(BaseModel):
    name: str
    cron: str
    timezone: str
    data: dict[str, Any]
    task_name: str = Field(description="the name of the tasks it creates")
    next_fire_at: Timestamp
    last_fired_at: Timestamp | None = Field(description="when it last created a task; null before the first")
    last_task_id: str | None
    created_at: Timestamp
    updated_at: Timestamp

    @classmethod
    def of(cls, schedule: Schedule) -> "ScheduleOut":
        return cls(
            name=schedule.name,
            cron=schedule.cron,
            timezone=schedule.timezone,
            data=schedule.data,
            task_name=schedule.task_name or schedule.name,
            next_fire_at=iso_timestamp(schedule.next_fire_at),
            last_fired_at=None if schedule.last_fired_at is None else iso_timestamp(schedule.last_fired_at),
            last_task_id=schedule.last_task_id,
            created_at=iso_timestamp(schedule.created_at),
            updated_at=iso_timestamp(schedule.updated_at),
        )


class ScheduleList(BaseModel):
    schedules: list[ScheduleOut]
