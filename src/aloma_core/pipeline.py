"""The matcher and the runner of architecture.md, over the ports; both homes call these.

The matcher reacts to a stored task version; the runner to a run request. Every write is a
conditional write on the version just read, so duplicates, retries and crashes at any point
leave each run's changes committed exactly once.
"""

import contextlib
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from . import engine
from .catalog import StepCatalog
from .errors import ConflictingState, NotFound
from .library_pins import LibrarySets, pin_claims
from .limits import Limits
from .model import REPORTED_STATES, ClaimStatus, RunRequest, Task, WorkspaceSettings
from .notify.notifier import Notifier
from .ports import (
    Clock,
    ConnectorHosts,
    IdFactory,
    SecretStore,
    StepExecutor,
    StepStore,
    TaskStore,
    WorkQueue,
    WorkspaceStore,
)
from .sandbox.types import RunInput, RunInterrupted, RunResult
from .schedules.firing import ScheduleFirer

logger = logging.getLogger("aloma.pipeline")

MAX_WRITE_ATTEMPTS = 50
LEASE_MARGIN_MS = 60_000
COMMIT_RESERVE_MS = 5_000


class RunBusy(Exception):
    """Another attempt of this run holds a live lease: retry the request later."""


class RunLost(Exception):
    """A run's runner was stopped before the run finished (a timeout, out of memory, a crash), so
    nothing of it was recorded; told by the queue giving up on the run's message."""


class WriteContention(Exception):
    """A write lost the version race more often than any reasonable load explains."""


class CatalogCache:
    """Compiled step catalogs per workspace, rebuilt when the workspace's step revision moves."""

    def __init__(self, steps: StepStore) -> None:
        self._steps = steps
        self._cached: dict[str, tuple[int, StepCatalog]] = {}
        self._lock = threading.Lock()

    def get(self, workspace_id: str) -> StepCatalog:
        revision = self._steps.revision(workspace_id)
        with self._lock:
            hit = self._cached.get(workspace_id)
        if hit is not None and hit[0] == revision:
            return hit[1]
        catalog = StepCatalog(self._steps.list(workspace_id))
        with self._lock:
            self._cached[workspace_id] = (revision, catalog)
        return catalog


def update_task(
    tasks: TaskStore, workspace_id: str, task_id: str, change: Callable[[Task], engine.Outcome | None]
) -> Task | None:
    """Read, apply a pure rule, store conditionally, again while another writer came first.
    Returns the stored version, or None when the rule had nothing to write or the task is gone."""
    for _ in range(MAX_WRITE_ATTEMPTS):
        try:
            task = tasks.get(workspace_id, task_id)
        except NotFound:
            return None
        outcome = change(task)
        if outcome is None:
            return None
        if tasks.save(outcome.task, task.version, outcome.events, outcome.created):
            return outcome.task
    raise WriteContention(f"could not update task {task_id}")


def _log_extra(request: RunRequest) -> dict[str, str]:
    return {
        "workspace": request.workspace_id,
        "task_id": request.task_id,
        "step": request.step,
        "claim": request.claim_id,
    }


def _leased(task: Task, request: RunRequest, now: int) -> bool:
    """Whether an attempt of this very claim is running under a live lease."""
    claim = task.claims.get(request.step)
    return (
        claim is not None
        and claim.id == request.claim_id
        and claim.status is ClaimStatus.RUNNING
        and (claim.lease_until or 0) > now
    )


@dataclass
class Matcher:
    tasks: TaskStore
    workspaces: WorkspaceStore
    catalogs: CatalogCache
    queue: WorkQueue
    clock: Clock
    new_id: IdFactory
    libraries: LibrarySets = field(default_factory=lambda: LibrarySets(None))
    notifier: Notifier | None = None

    def handle(self, workspace_id: str, task_id: str, version: int, image: Task | None = None) -> Task | None:
        """React to task version `version` being stored: dispatch what matches, or settle the state.
        Returns that version when it was still the latest (so callers can measure latency).

        `image` is that version as the stream delivered it (DynamoDB's NEW_IMAGE): decided on
        without reading the task, since claims are written only while it is still the latest."""
        if image is not None and image.version == version:
            return self._decide(image, fresh=False)
        try:
            task = self.tasks.get(workspace_id, task_id)
        except NotFound:
            return None
        if task.version != version:
            self._resend(task, version)
            return None
        return self._decide(task, fresh=True)

    def _resend(self, latest: Task, version: int) -> None:
        """A later version exists and has its own turn; only re-send what `version` claimed, in
        case an earlier attempt stored the claims but died before sending them."""
        self.queue.send(engine.requests_from_version(latest, version))

    def _decide(self, task: Task, *, fresh: bool) -> Task | None:
        """Dispatch on `task`. One not read just now (`fresh` False) may turn out superseded when
        its claims cannot be written: then it is handled as a superseded version."""
        self._tell_relatives(task)
        settings = self.workspaces.get(task.workspace_id).settings
        if self.notifier is not None:
            self.notifier.task_stored(task, settings, fresh=fresh)
        catalog = self.catalogs.get(task.workspace_id)
        outcome = engine.plan_dispatch(task, catalog, settings, self.clock.now_ms(), self.new_id)
        if outcome is None:
            return task
        if outcome.requests:
            outcome = pin_claims(task, outcome, self.libraries.revision(task.workspace_id))
        if self.tasks.save(outcome.task, task.version, outcome.events, quiet=outcome.quiet):
            self.queue.send(outcome.requests)
            for request in outcome.requests:
                logger.info("dispatched", extra=_log_extra(request))
            return task
        if fresh:
            return task
        with contextlib.suppress(NotFound):
            self._resend(self.tasks.get(task.workspace_id, task.id), task.version)
        return None

    def _tell_relatives(self, task: Task) -> None:
        """A subtask that ended tells its parent; a cancelled task cancels the subtasks it waited
        for. Both are idempotent, so a retried stream record repeats them harmlessly."""
        if task.parent is not None and task.state in REPORTED_STATES:
            update_task(
                self.tasks,
                task.workspace_id,
                task.parent.id,
                lambda parent: engine.child_ended(parent, task, self.clock.now_ms()),
            )
        for child_id in engine.children_to_cancel(task):
            update_task(self.tasks, task.workspace_id, child_id, self._cancel_if_open)

    def _cancel_if_open(self, task: Task) -> engine.Outcome | None:
        try:
            return engine.cancel(task, self.clock.now_ms())
        except ConflictingState:
            return None


@dataclass
class Timekeeper:
    """Fires what is due: task timers (park, timeout) and schedules. Locally a thread of `aloma dev`
    calls `tick` every fraction of a second; on AWS an EventBridge rule invokes it every minute.
    Every step is a conditional write, so overlapping ticks never fire anything twice."""

    tasks: TaskStore
    schedules: ScheduleFirer
    clock: Clock
    batch: int = 100

    def tick(self) -> int:
        """Wake or expire every task that is due, then fire due schedules; returns how many acted."""
        now = self.clock.now_ms()
        acted = 0
        while True:
            due = self.tasks.due(now, self.batch)
            woken = [
                update_task(self.tasks, ws, task_id, lambda task: engine.wake(task, now))
                for ws, task_id in due
            ]
            acted += sum(task is not None for task in woken)
            if len(due) < self.batch or not any(woken):
                break
        return acted + self.schedules.fire_due(now)


@dataclass
class Runner:
    tasks: TaskStore
    workspaces: WorkspaceStore
    secrets: SecretStore
    catalogs: CatalogCache
    executor: StepExecutor
    clock: Clock
    new_id: IdFactory
    hosts: ConnectorHosts
    libraries: LibrarySets = field(default_factory=lambda: LibrarySets(None))

    def handle(self, request: RunRequest, deadline_ms: int | None = None) -> RunResult | None:
        """Run one claimed step: start it, run it in the sandbox, commit its changes exactly once.
        Returns the run's result, or None when the request was a duplicate or the run was skipped.

        `deadline_ms` (epoch ms) is when the caller itself is stopped, e.g. a Lambda's timeout: the
        run is bounded to end before it, so a slow step fails like any other, with its claim's
        lease short enough for the queue to retry it."""
        settings = self.workspaces.get(request.workspace_id).settings
        limits = self._limits_until(settings.limits, deadline_ms)
        started = self._start(request, limits)
        if started is None:
            return None
        task, decision_step_version, source = started
        started_at = self.clock.now_ms()
        libraries = self.libraries.sources(request.workspace_id, task.claims[request.step].libraries)
        try:
            result = self._execute(request, task, source, settings, limits, libraries)
        except RunInterrupted:
            self._release(request, task.claims[request.step].run_token or "")
            raise
        snapshot = engine.RunSnapshot(task.data, task.data_seq, decision_step_version, started_at)
        self._commit(request, task, snapshot, result, settings)
        return result

    def _release(self, request: RunRequest, run_token: str) -> None:
        """Give up this attempt's lease, so the retry of an interrupted run need not wait it out."""
        for _ in range(MAX_WRITE_ATTEMPTS):
            try:
                task = self.tasks.get(request.workspace_id, request.task_id)
            except NotFound:
                return
            outcome = engine.release_lease(task, request.step, run_token, self.clock.now_ms())
            if outcome is None or self.tasks.save(outcome.task, task.version, outcome.events, quiet=True):
                return

    def _limits_until(self, limits: Limits, deadline_ms: int | None) -> Limits:
        if deadline_ms is None:
            return limits
        left = max(1, deadline_ms - self.clock.now_ms() - COMMIT_RESERVE_MS)
        if left >= limits.wall_time_ms:
            return limits
        return limits.model_copy(update={"wall_time_ms": left, "cpu_time_ms": min(limits.cpu_time_ms, left)})

    def _start(self, request: RunRequest, limits: Limits) -> tuple[Task, int, str] | None:
        for _ in range(MAX_WRITE_ATTEMPTS):
            try:
                task = self.tasks.get(request.workspace_id, request.task_id)
            except NotFound:
                return None
            now = self.clock.now_ms()
            lease_until = now + limits.wall_time_ms + LEASE_MARGIN_MS
            decision = engine.start_run(
                task, request, self.catalogs.get(request.workspace_id), self.new_id(), lease_until, now
            )
            if decision.kind is engine.StartKind.BUSY:
                raise RunBusy(decision.reason)
            if decision.kind is engine.StartKind.DROP:
                logger.info("dropped run request: %s", decision.reason, extra=_log_extra(request))
                return None
            assert decision.outcome is not None
            outcome = decision.outcome
            if not self.tasks.save(outcome.task, task.version, outcome.events, quiet=outcome.quiet):
                continue
            if decision.kind is engine.StartKind.SKIP:
                logger.info("skipped: %s", decision.reason, extra=_log_extra(request))
                return None
            assert decision.step is not None
            return decision.outcome.task, decision.step.version, decision.step.source
        raise WriteContention(f"could not start {request.step!r} on task {request.task_id}")

    def _execute(
        self,
        request: RunRequest,
        task: Task,
        source: str,
        settings: WorkspaceSettings,
        limits: Limits,
        libraries: dict[str, str],
    ) -> RunResult:
        # Connector secrets are workspace secrets too, so the sandbox masks them with the rest.
        secrets = self.secrets.values(request.workspace_id)
        run = RunInput(
            source=source,
            data=task.data,
            task_id=task.id,
            task_name=task.name,
            tags=task.tags,
            step_name=request.step,
            claim_id=request.claim_id,
            config=secrets,
            limits=limits,
            libraries=libraries,
        )
        host = self.hosts.for_run(request.workspace_id, task.id, settings, secrets)
        result = self.executor.execute(run, host)
        level = logging.WARNING if result.error else logging.INFO
        outcome = f"failed: {result.error.message}" if result.error else "ok"
        logger.log(level, "ran in %.1f ms, %s", result.wall_ms, outcome, extra=_log_extra(request))
        return result

    def _commit(
        self,
        request: RunRequest,
        started: Task,
        snapshot: engine.RunSnapshot,
        result: RunResult,
        settings: WorkspaceSettings,
    ) -> None:
        """First on the version this run's start wrote, still the latest unless someone wrote
        meanwhile: no read after that conditional write. Read again only after a conflict."""
        token = started.claims[request.step].run_token or ""
        latest: Task | None = started
        for _ in range(MAX_WRITE_ATTEMPTS):
            if latest is None:
                try:
                    latest = self.tasks.get(request.workspace_id, request.task_id)
                except NotFound:
                    return
            outcome = engine.commit_run(
                latest, request, token, snapshot, result, self.clock.now_ms(), settings
            )
            if outcome is None:
                logger.warning(
                    "lost the claim before committing; another attempt owns it", extra=_log_extra(request)
                )
                return
            if self.tasks.save(outcome.task, latest.version, outcome.events, outcome.created):
                return
            latest = None
        raise WriteContention(f"could not commit {request.step!r} on task {request.task_id}")

    def give_up(
        self, request: RunRequest, error: Exception, attempts: int, *, unless_leased: bool = False
    ) -> bool:
        """The last delivery failed: record the failure so the task shows `error`, not silence.
        Only a claim still active under this id is failed: a run that committed, or whose failure
        is already recorded, is left alone. Returns whether the failure was recorded.

        `unless_leased`: a claim that an attempt holds with a live lease raises RunBusy instead,
        since that attempt (another copy of the message) may still commit."""
        message = f"the run failed {attempts} times; last error: {type(error).__name__}: {error}"
        for _ in range(MAX_WRITE_ATTEMPTS):
            try:
                task = self.tasks.get(request.workspace_id, request.task_id)
            except NotFound:
                return False
            now = self.clock.now_ms()
            if unless_leased and _leased(task, request, now):
                raise RunBusy("another attempt of this run holds a live lease")
            outcome = engine.fail_run(task, request, message, now)
            if outcome is None:
                return False
            if self.tasks.save(outcome.task, task.version, outcome.events):
                logger.error("recorded on the task: %s", message, extra=_log_extra(request))
                return True
        logger.error("could not record the failure: %s", message, extra=_log_extra(request))
        return False
