"""What goes into a step run and what comes out of it; plain data so it crosses process boundaries."""

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Protocol

from ..changes import Change
from ..json_types import JsonObject, JsonValue
from ..limits import Limits


@dataclass(frozen=True)
class ConnectorCall:
    """One `connectors.NS.METHOD(args)` call; `idempotency_key` is (task, step, claim, call number).

    `timeout_s` is what is left of the run's wall-time budget: a host must not take longer.
    """

    namespace: str
    method: str
    args: JsonValue
    idempotency_key: str
    timeout_s: float


class ConnectorFailed(Exception):
    """Raised by a host for a failed call; the message reaches JavaScript as a rejected Error."""


class ConnectorHost(Protocol):
    """How the sandbox reaches the outside world. Blocking; the sandbox runs calls on threads."""

    def call(self, call: ConnectorCall) -> JsonValue: ...


@dataclass(frozen=True)
class RunInput:
    source: str
    data: JsonObject
    task_id: str
    task_name: str | None
    tags: tuple[str, ...]
    step_name: str
    claim_id: str
    config: Mapping[str, str] = field(default_factory=dict)
    limits: Limits = field(default_factory=Limits)
    libraries: Mapping[str, str] = field(default_factory=dict)
    """The workspace's libraries pinned for this run: name -> source of `lib/NAME.js`."""


@dataclass(frozen=True)
class LogLine:
    level: str
    message: str


@dataclass(frozen=True)
class SubtaskRequest:
    name: str | None
    data: JsonObject
    into: str | None
    wait_for: bool


@dataclass
class TaskActions:
    """Requests the content made through `task.*`; they take effect only if the run commits."""

    complete: bool = False
    result: JsonValue = None
    ignore: bool = False
    name: str | None = None
    tags: list[str] | None = None
    timeout_ms: int | None = None
    complete_on_expire: bool = False
    expire_result: JsonValue = None
    park_ms: int | None = None
    subtasks: list[SubtaskRequest] = field(default_factory=list)


class RunInterrupted(Exception):
    """The executor lost the run before it finished (the process running it died): nothing of the
    run reached the task, so its request may be delivered again, as a message of a runner that
    died is on AWS."""


@dataclass(frozen=True)
class RunError:
    """Why a run failed: `line` is in the step file, or in `file` (`lib/NAME.js`) when that is set;
    `limit` names the limit that was hit, if any."""

    message: str
    line: int | None = None
    limit: str | None = None
    file: str | None = None


@dataclass(frozen=True)
class CallRecord:
    """One connector call as the run's history keeps it: `status` is `ok`, `failed` (with the
    failure's `message`) or `unfinished` (still running, or never started, when the run ended);
    `ms` is its wall time, None when it did not finish."""

    connector: str
    method: str
    status: str
    ms: float | None
    message: str | None = None

    def to_json(self) -> JsonObject:
        out: JsonObject = {"connector": self.connector, "method": self.method, "status": self.status}
        out["ms"] = None if self.ms is None else round(self.ms, 1)
        if self.message is not None:
            out["message"] = self.message
        return out


@dataclass
class RunResult:
    data: JsonObject | None
    changes: list[Change]
    logs: list[LogLine]
    actions: TaskActions
    redo: bool
    audit: list[str]
    error: RunError | None
    cpu_ms: float
    wall_ms: float
    calls: list[CallRecord] = field(default_factory=list)
    """The run's connector calls in the order the step made them."""
