"""What the core needs from a home (architecture.md): storage, a work queue, a sandbox, a clock,
and a rate limiter for webhooks.

The AWS home implements these with DynamoDB, SQS and Secrets Manager, the local home with
SQLite, an in-process queue and a pool of worker processes. The core never sees which.
"""

import builtins
from collections.abc import Callable, Mapping, Sequence
from typing import Protocol

from .libraries import Library
from .model import (
    ConnectorConfig,
    Event,
    RunRequest,
    Schedule,
    Step,
    Task,
    TaskState,
    Webhook,
    Workspace,
    WorkspaceSettings,
)
from .notify.notice import Notice
from .sandbox.types import ConnectorHost, RunInput, RunResult
from .task_filter import TaskFilter


class TaskStore(Protocol):
    def create(self, task: Task, events: Sequence[Event]) -> None:
        """Store a new task with its first events; both or neither."""

    def get(self, workspace_id: str, task_id: str) -> Task:
        """The latest stored version (strongly consistent); `NotFound` if absent or of another workspace."""

    def save(
        self,
        task: Task,
        expected_version: int,
        events: Sequence[Event],
        created: Sequence[tuple[Task, Sequence[Event]]] = (),
        *,
        quiet: bool = False,
    ) -> bool:
        """Write `task` (whose version is `expected_version + 1`) and append `events`, atomically,
        only if the stored version is still `expected_version`; False when it moved on. `created`
        are new tasks (a run's subtasks) stored in the same transaction, each with its events.
        A `quiet` version is not handed to the matcher (see `engine.Outcome.quiet`)."""

    def list(
        self,
        workspace_id: str,
        state: TaskState | None,
        limit: int,
        cursor: str | None,
        where: TaskFilter | None = None,
    ) -> tuple[list[Task], str | None]:
        """Newest first, with an opaque cursor for the next page (None at the end). With `where`,
        a page examines a bounded number of tasks (`task_filter.page_of`): it may hold fewer than
        `limit`, and still have a cursor."""

    def count(self, workspace_id: str, where: TaskFilter) -> tuple[dict[TaskState, int], bool]:
        """The workspace's tasks that `where` matches, by state (every state present), and whether
        the count is exact (a filter that reads each task stops at `task_filter.COUNT_BUDGET`)."""

    def history(self, workspace_id: str, task_id: str) -> builtins.list[Event]:
        """Every event of the task, oldest first, `seq` numbered from 1."""

    def due(self, now_ms: int, limit: int) -> builtins.list[tuple[str, str]]:
        """(workspace id, task id) of tasks across workspaces whose `wake_at` is at or before
        `now_ms`, earliest first. The index may lag a write: callers re-read each task."""


class StepStore(Protocol):
    def put(self, step: Step, expected_version: int | None) -> bool:
        """Create (`expected_version` None) or replace a step only if its stored version matches."""

    def get(self, workspace_id: str, name: str) -> Step:
        """`NotFound` when absent."""

    def list(self, workspace_id: str) -> list[Step]:
        """Every step of the workspace, in creation order."""

    def delete(self, workspace_id: str, name: str) -> None:
        """`NotFound` when absent."""

    def revision(self, workspace_id: str) -> int:
        """A number that changes whenever a step of the workspace changes (for caching indexes)."""


class LibraryStore(Protocol):
    """Immutable library versions (libraries.py), and each workspace's library revision."""

    def put(self, library: Library, expected_revision: int) -> bool:
        """Store a new version made at `library.revision` (= `expected_revision` + 1), only if the
        workspace's revision is still `expected_revision`; False when another change came first."""

    def latest(self, workspace_id: str, name: str) -> Library | None:
        """The newest version of the name, a tombstone included; None if it never existed."""

    def revision(self, workspace_id: str) -> int:
        """The workspace's library revision: 0 before any change, + 1 with each."""

    def at(self, workspace_id: str, revision: int) -> builtins.list[Library]:
        """The libraries at `revision` (`libraries.live_at`), by name."""


class WorkspaceStore(Protocol):
    def create(self, workspace: Workspace, key_hash: str) -> None: ...

    def get(self, workspace_id: str) -> Workspace:
        """`NotFound` when absent."""

    def list(self) -> list[Workspace]: ...

    def by_key_hash(self, key_hash: str) -> Workspace | None: ...

    def replace_key(self, workspace_id: str, key_hash: str) -> None:
        """Make `key_hash` the workspace's only key, atomically: from the moment this returns the
        old key finds nothing. `NotFound` when absent; `ConflictingState` when the new hash is taken."""

    def save_settings(self, workspace_id: str, settings: WorkspaceSettings) -> Workspace: ...


class ScheduleStore(Protocol):
    def put(self, schedule: Schedule) -> None:
        """Create the schedule or replace the one of that name."""

    def get(self, workspace_id: str, name: str) -> Schedule:
        """`NotFound` when absent."""

    def list(self, workspace_id: str) -> builtins.list[Schedule]:
        """By name."""

    def delete(self, workspace_id: str, name: str) -> None:
        """`NotFound` when absent."""

    def due(self, now_ms: int, limit: int) -> builtins.list[Schedule]:
        """Schedules across workspaces whose `next_fire_at` is at or before `now_ms`, earliest first."""

    def advance(self, schedule: Schedule, expected_next_fire_at: int) -> bool:
        """Store `schedule` (a firing recorded, its next slot set) only if the stored one still has
        `expected_next_fire_at` and the same `updated_at` as `schedule` (a firing keeps it, a change
        moves it); False when another firing or a change came first, or it is gone."""


class SecretStore(Protocol):
    def put(self, workspace_id: str, name: str, value: str) -> None: ...

    def names(self, workspace_id: str) -> list[str]: ...

    def values(self, workspace_id: str) -> dict[str, str]:
        """Every secret of the workspace; what `task.config` reads and what logs are masked with."""

    def delete(self, workspace_id: str, name: str) -> None:
        """`NotFound` when absent."""


class ConnectorStore(Protocol):
    """A workspace's connector configurations, one per namespace (stored form: no secret values)."""

    def put(self, connector: ConnectorConfig) -> None:
        """Create the namespace's configuration or replace it."""

    def get(self, workspace_id: str, namespace: str) -> ConnectorConfig:
        """`NotFound` when absent."""

    def list(self, workspace_id: str) -> builtins.list[ConnectorConfig]:
        """By namespace."""

    def delete(self, workspace_id: str, namespace: str) -> None:
        """`NotFound` when absent."""


class WebhookStore(Protocol):
    """Webhooks, found by workspace and name, or across workspaces by the hash of their key."""

    def create(self, webhook: Webhook, key_hash: str) -> None:
        """`ConflictingState` when the workspace already has a webhook of that name."""

    def by_key_hash(self, key_hash: str) -> Webhook | None: ...

    def list(self, workspace_id: str) -> builtins.list[Webhook]:
        """By name."""

    def delete(self, workspace_id: str, name: str) -> None:
        """`NotFound` when absent."""


class NoticeStore(Protocol):
    """Notices of tasks that ended badly (notify/notice.py), keyed by (workspace, task, ending)."""

    def add(self, notice: Notice) -> bool:
        """Store a new notice only if none has its key: the claim. False when one has it already."""

    def due(self, now_ms: int, limit: int) -> builtins.list[Notice]:
        """`pending` notices across workspaces whose `due_at` is at or before `now_ms`, earliest
        first. The AWS index may lag a write: callers take each notice with `replace`."""

    def count(self, workspace_id: str, start_ms: int, end_ms: int) -> int:
        """The workspace's notices, in any status, whose `at` is in [start_ms, end_ms)."""

    def replace(self, notice: Notice, expected: Notice) -> bool:
        """Store `notice` (same key) only if the stored one still has `expected`'s status, attempts
        and due time; False when another deliverer moved it first, or it is gone."""

    def of_task(self, workspace_id: str, task_id: str) -> builtins.list[Notice]:
        """The task's notices, oldest ending first."""


class RateLimiter(Protocol):
    def allow(self, key: str, limit_per_minute: int, now_ms: int) -> bool:
        """Count one event for `key`; False (the event refused) once `limit_per_minute` events were
        allowed in the same window. Windows are fixed minutes of the epoch (`now_ms // 60_000`),
        so a refused caller may retry when the next minute starts, in every home alike."""


class WorkQueue(Protocol):
    def send(self, requests: Sequence[RunRequest]) -> None:
        """Deliver each request to a runner at least once."""


class ConnectorHosts(Protocol):
    def for_run(
        self, workspace_id: str, task_id: str, settings: WorkspaceSettings, secrets: Mapping[str, str]
    ) -> ConnectorHost:
        """The host of one run: the workspace's connectors as configured now, `secrets` their values."""


class StepExecutor(Protocol):
    def execute(self, run: RunInput, host: ConnectorHost) -> RunResult:
        """Run a step's content in a sandbox where only this run draws on the CPU budget."""


class Clock(Protocol):
    def now_ms(self) -> int: ...


IdFactory = Callable[[], str]
