"""Domain records: workspaces, steps, tasks with their claims, and history events.

A task carries its claims (one per step name) so that dispatch decisions and run commits are
single conditional writes on one record, in SQLite and in DynamoDB alike.
"""

from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from .json_types import JsonObject, JsonValue
from .limits import Limits
from .notify.settings import NotifySettings


class TaskState(StrEnum):
    RUNNING = "running"
    DONE = "done"
    ERROR = "error"
    INCOMPLETE = "incomplete"
    IGNORED = "ignored"
    WAITING = "waiting"
    CANCELLED = "cancelled"


ENDED_STATES = frozenset({TaskState.DONE, TaskState.IGNORED, TaskState.CANCELLED})
RESUMABLE_STATES = frozenset({TaskState.INCOMPLETE, TaskState.ERROR})
TIMED_STATES = frozenset({TaskState.RUNNING, TaskState.WAITING})
"""States in which a task's timers stay armed: an end or an error cancels them."""
REPORTED_STATES = frozenset({*ENDED_STATES, TaskState.ERROR})
"""States of a subtask that its parent hears of (an error too: the parent must not wait forever)."""


class ClaimStatus(StrEnum):
    """`queued`/`running` block re-dispatch; `done` blocks for good; `redo` allows it on newer data."""

    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    REDO = "redo"


ACTIVE_CLAIMS = frozenset({ClaimStatus.QUEUED, ClaimStatus.RUNNING})


@dataclass(frozen=True)
class Claim:
    """The right of one step to run once on one task.

    `data_seq` is the task's data sequence the claim was made on (for `redo`: the one the run saw),
    `origin_version` the task version the dispatch decision was read from (a retried matcher
    re-sends exactly the claims it made from that version), `run_token` identifies the attempt
    that may commit, `lease_until` (epoch ms) lets a redelivered message take over a dead run.
    `libraries` is the workspace's library revision when the claim was made: the run sees those
    library versions (libraries.py); None runs with the current ones.
    """

    id: str
    step: str
    status: ClaimStatus
    data_seq: int
    origin_version: int
    run_token: str | None = None
    lease_until: int | None = None
    libraries: int | None = None

    def to_json(self) -> JsonObject:
        return {
            "id": self.id,
            "step": self.step,
            "status": self.status.value,
            "data_seq": self.data_seq,
            "origin_version": self.origin_version,
            "run_token": self.run_token,
            "lease_until": self.lease_until,
            "libraries": self.libraries,
        }

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> "Claim":
        return cls(
            id=raw["id"],
            step=raw["step"],
            status=ClaimStatus(raw["status"]),
            data_seq=int(raw["data_seq"]),
            origin_version=int(raw["origin_version"]),
            run_token=raw.get("run_token"),
            lease_until=None if raw.get("lease_until") is None else int(raw["lease_until"]),
            libraries=None if raw.get("libraries") is None else int(raw["libraries"]),
        )


@dataclass(frozen=True)
class TaskError:
    """`line` is in the step file, or in `file` (a library, `lib/NAME.js`) when that is set."""

    step: str | None
    message: str
    line: int | None = None
    file: str | None = None

    def to_json(self) -> JsonObject:
        shown: JsonObject = {"step": self.step, "message": self.message, "line": self.line}
        return shown if self.file is None else {**shown, "file": self.file}


@dataclass(frozen=True)
class Expiry:
    """A pending `task.timeout(ms)`: at `at` (epoch ms) an open task ends, `done` with `result` when
    the step also called `task.completeOnExpire()`, else `error`."""

    at: int
    complete: bool = False
    result: JsonValue = None

    def to_json(self) -> JsonObject:
        return {"at": self.at, "complete": self.complete, "result": self.result}

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> "Expiry":
        return cls(int(raw["at"]), bool(raw["complete"]), raw.get("result"))


@dataclass(frozen=True)
class ParentLink:
    """On a subtask: its parent, and where (`into`, a dotted path) its outcome goes in the parent."""

    id: str
    into: str | None
    wait_for: bool

    def to_json(self) -> JsonObject:
        return {"id": self.id, "into": self.into, "wait_for": self.wait_for}

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> "ParentLink":
        return cls(str(raw["id"]), raw.get("into"), bool(raw["wait_for"]))


@dataclass(frozen=True)
class ChildLink:
    """On a parent: one subtask, and the state it was last reported in (None while it is open)."""

    id: str
    name: str | None
    into: str | None
    wait_for: bool
    ended: TaskState | None = None

    def to_json(self) -> JsonObject:
        return {
            "id": self.id,
            "name": self.name,
            "into": self.into,
            "wait_for": self.wait_for,
            "ended": None if self.ended is None else self.ended.value,
        }

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> "ChildLink":
        ended = raw.get("ended")
        return cls(
            str(raw["id"]),
            raw.get("name"),
            raw.get("into"),
            bool(raw["wait_for"]),
            None if ended is None else TaskState(ended),
        )


@dataclass(frozen=True)
class Task:
    """A task record. `version` changes on every write (optimistic concurrency); `data_seq` only
    when `data` changes, which is what re-matching and `redo` eligibility follow."""

    workspace_id: str
    id: str
    name: str | None
    state: TaskState
    data: JsonObject
    created_at: int
    updated_at: int
    version: int = 1
    data_seq: int = 1
    result: JsonValue = None
    tags: tuple[str, ...] = ()
    runs: int = 0
    error: TaskError | None = None
    claims: dict[str, Claim] = field(default_factory=dict)
    park_until: int | None = None
    expiry: Expiry | None = None
    parent: ParentLink | None = None
    children: tuple[ChildLink, ...] = ()
    depth: int = 0
    ran: tuple[str, ...] = ()
    """Names of the steps that ran on the task (any outcome), first run first: a failed run's claim
    is released, so the claims alone cannot say which steps ran; listings filter on this."""

    def with_changes(self, **changes: Any) -> "Task":
        return replace(self, **changes)

    def active_claims(self) -> list[Claim]:
        return [c for c in self.claims.values() if c.status in ACTIVE_CLAIMS]

    @property
    def wake_at(self) -> int | None:
        """When a timer of this task next fires (epoch ms): what the due-time index holds."""
        times = [
            t for t in (self.park_until, None if self.expiry is None else self.expiry.at) if t is not None
        ]
        return min(times) if times and self.state in TIMED_STATES else None

    def awaited_children(self) -> list[ChildLink]:
        """Subtasks started with `waitFor` that have not ended yet."""
        return [child for child in self.children if child.wait_for and child.ended is None]


@dataclass(frozen=True)
class Event:
    """One history entry. `seq` is assigned by the store, in order of the writes."""

    type: Literal[
        "created",
        "dispatched",
        "run",
        "skipped",
        "conflict",
        "state",
        "resumed",
        "patched",
        "audit",
        "parked",
        "timeout",
        "woken",
        "expired",
        "subtask",
        "child_ended",
        "cancelled",
        "rerun",
    ]
    at: int
    detail: JsonObject = field(default_factory=dict)
    seq: int = 0

    def to_json(self) -> JsonObject:
        return {"seq": self.seq, "at": self.at, "type": self.type, **self.detail}


@dataclass(frozen=True)
class Step:
    """A stored step. `condition` is the validated wire form; `source` is the step file."""

    workspace_id: str
    name: str
    version: int
    condition: JsonObject
    content: str
    source: str
    enabled: bool
    specificity: int
    created_at: int
    updated_at: int
    created_seq: int = 0


class WorkspaceSettings(BaseModel):
    """Per-workspace settings of api.md; every field optional in a PATCH."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    execution: Literal["parallel", "sequential"] = "parallel"
    max_runs_per_task: int = Field(500, ge=1, le=100_000)
    limits: Limits = Field(default_factory=Limits)
    egress_allow: tuple[str, ...] = ()
    notify: NotifySettings | None = None
    """Who hears of tasks that end in `error` or `incomplete` (notify/); None: nobody."""


@dataclass(frozen=True)
class Workspace:
    id: str
    name: str
    settings: WorkspaceSettings
    created_at: int


@dataclass(frozen=True)
class RunRequest:
    """The message that asks a runner to run one claim."""

    workspace_id: str
    task_id: str
    step: str
    claim_id: str

    def to_json(self) -> JsonObject:
        return {
            "workspace_id": self.workspace_id,
            "task_id": self.task_id,
            "step": self.step,
            "claim_id": self.claim_id,
        }

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> "RunRequest":
        return cls(str(raw["workspace_id"]), str(raw["task_id"]), str(raw["step"]), str(raw["claim_id"]))


@dataclass(frozen=True)
class ConnectorConfig:
    """What `connectors.NS` reaches in a workspace's steps: a connector type and its configuration.

    `config` is the stored form: secret fields hold references to workspace secrets, never values
    (see connectors/stored.py).
    """

    workspace_id: str
    namespace: str
    type: str
    config: JsonObject
    updated_at: int


class SigningScheme(StrEnum):
    """How a webhook's sender signs the raw body with a shared key (HMAC-SHA256 in every case)."""

    GITHUB = "github"
    STRIPE = "stripe"
    HMAC_SHA256 = "hmac-sha256"


@dataclass(frozen=True)
class WebhookSigning:
    """`secret` names the workspace secret holding the key; `header` carries the signature."""

    scheme: SigningScheme
    secret: str
    header: str


@dataclass(frozen=True)
class Webhook:
    """A way in for tasks: `POST /v1/hooks/{key}`. The key is its credential and only stored hashed;
    `id` is what `$via.id` of its tasks says."""

    workspace_id: str
    id: str
    name: str
    signing: WebhookSigning | None
    keep_headers: tuple[str, ...]
    rate_limit_per_minute: int
    created_at: int


@dataclass(frozen=True)
class Schedule:
    """A cron schedule that creates a task at each firing (semantics.md section 6).

    `next_fire_at` (epoch ms) is the next slot the cron expression gives after the last firing (or
    after the schedule was set); it is what the due-time index holds, and advancing it with a
    conditional write is what keeps a firing from being doubled. `task_name` names the tasks it
    creates (the schedule's name when None).
    """

    workspace_id: str
    name: str
    cron: str
    timezone: str
    data: JsonObject
    task_name: str | None
    next_fire_at: int
    created_at: int
    updated_at: int
    last_fired_at: int | None = None
    last_task_id: str | None = None
