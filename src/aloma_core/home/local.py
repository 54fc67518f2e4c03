"""The local home (architecture.md): SQLite storage, in-process stream and queue, worker processes."""

import logging
import threading
from collections.abc import Callable
from pathlib import Path

from .. import engine
from ..adapters.local.queues import LocalWorkQueue, RetryPolicy, WorkerPool
from ..adapters.local.ratelimit import InMemoryRateLimiter
from ..adapters.local.sqlite import (
    SqliteConnectorStore,
    SqliteDatabase,
    SqliteLibraryStore,
    SqliteNoticeStore,
    SqliteScheduleStore,
    SqliteSecretStore,
    SqliteStepStore,
    SqliteTaskStore,
    SqliteWebhookStore,
    SqliteWorkspaceStore,
)
from ..connectors.hosts import StoredConnectorHosts
from ..library_pins import LibrarySets
from ..model import RunRequest, Task, TaskState
from ..notify.notifier import Notifier
from ..pipeline import CatalogCache, Matcher, RunBusy, Runner, Timekeeper
from ..ports import Clock
from ..records import new_id
from ..sandbox.pool import ProcessSandbox
from ..sandbox.types import ConnectorHost, RunInput, RunResult
from ..schedules.firing import ScheduleFirer
from ..services import Platform
from .clock import SystemClock

logger = logging.getLogger("aloma.local")

TaskVersion = tuple[str, str, int]


class PooledExecutor:
    """Runs each step in one of the worker processes, so runs never share a CPU clock."""

    def __init__(self, sandbox: ProcessSandbox) -> None:
        self._sandbox = sandbox

    def execute(self, run: RunInput, host: ConnectorHost) -> RunResult:
        return self._sandbox.run(run, host)


class LocalHome:
    """Everything `aloma dev` and the tests need, in one process plus sandbox workers.

    Stored task versions feed the matcher (as the DynamoDB stream does on AWS); run requests
    feed the runner (as SQS does). On start, work that a previous process left unfinished is
    picked up again. A timer thread fires due timers and schedules every `tick_interval_s`, and a
    second one delivers due notifications as often, so a slow notification target never delays a
    timer (None: only when `tick` is called, which is how tests that move `clock` drive time).
    """

    def __init__(
        self,
        state_dir: Path,
        workers: int = 2,
        retry: RetryPolicy | None = None,
        *,
        clock: Clock | None = None,
        tick_interval_s: float | None = 0.2,
    ) -> None:
        retry = retry or RetryPolicy()
        self._retry = retry
        state_dir.mkdir(parents=True, exist_ok=True)
        self.clock = clock or SystemClock()
        self._db = SqliteDatabase(state_dir / "aloma.db")
        self.tasks = SqliteTaskStore(self._db, on_saved=self._on_saved)
        progress = SqliteTaskStore(self._db, on_saved=self._on_saved, durable=False)
        self.steps = SqliteStepStore(self._db)
        self.workspaces = SqliteWorkspaceStore(self._db)
        self.secrets = SqliteSecretStore(self._db)
        self.connectors = SqliteConnectorStore(self._db)
        self.schedules = SqliteScheduleStore(self._db)
        self.libraries = SqliteLibraryStore(self._db)
        self.notices = SqliteNoticeStore(self._db)
        self.platform = Platform(
            self.workspaces,
            self.steps,
            self.tasks,
            self.secrets,
            self.clock,
            new_id,
            connectors=self.connectors,
            webhooks=SqliteWebhookStore(self._db),
            rate_limiter=InMemoryRateLimiter(),
            schedules=self.schedules,
            libraries=self.libraries,
        )
        catalogs = CatalogCache(self.steps)
        library_sets = LibrarySets(self.libraries)
        self._sandbox = ProcessSandbox(workers)
        self.runner = Runner(
            progress,
            self.workspaces,
            self.secrets,
            catalogs,
            PooledExecutor(self._sandbox),
            self.clock,
            new_id,
            # The laptop's own services are a local workspace's in-house network.
            StoredConnectorHosts(self.connectors, own_machine=True),
            library_sets,
        )
        self._runs: WorkerPool[RunRequest] = WorkerPool(
            "run", workers, self.runner.handle, self._give_up, retry, retry_later=(RunBusy,)
        )
        self.notifier = Notifier(
            self.notices,
            progress,
            self.workspaces,
            self.secrets,
            self.connectors,
            self.clock,
            own_machine=True,
        )
        self.matcher = Matcher(
            progress,
            self.workspaces,
            catalogs,
            LocalWorkQueue(self._runs),
            self.clock,
            new_id,
            library_sets,
            self.notifier,
        )
        self._stream: WorkerPool[TaskVersion] = WorkerPool(
            "match", 1, lambda item: self.matcher.handle(*item), self._log_lost_version, retry
        )
        self.timekeeper = Timekeeper(
            progress, ScheduleFirer(self.schedules, progress, self.workspaces, self.clock), self.clock
        )
        self._ticks = (
            []
            if tick_interval_s is None
            else [
                _TimerThread("aloma-timers", self.timekeeper.tick, tick_interval_s),
                _TimerThread("aloma-notify", self.notifier.tick, tick_interval_s),
            ]
        )

    def tick(self) -> int:
        """Fire what is due now (by `clock`): timers, schedules and notifications. Returns how many
        acted."""
        return self.timekeeper.tick() + self.notifier.tick()

    def _on_saved(self, workspace_id: str, task_id: str, version: int) -> None:
        self._stream.put((workspace_id, task_id, version))

    def _give_up(self, request: RunRequest, error: Exception) -> None:
        self.runner.give_up(request, error, self._retry.max_attempts)

    @staticmethod
    def _log_lost_version(item: TaskVersion, error: Exception) -> None:
        logger.error("matching task %s version %d failed: %s", item[1], item[2], error)

    def recover(self) -> int:
        """Pick up what a previous process left: expire dead runs' leases, re-send queued runs and
        re-match running tasks. Returns the number of tasks touched."""
        open_tasks = self.tasks.open_tasks()
        now = self.clock.now_ms()
        for stored in open_tasks:
            outcome = engine.expire_leases(stored, now)
            saved = outcome is not None and self.tasks.save(outcome.task, stored.version, outcome.events)
            task = outcome.task if saved and outcome is not None else stored
            self._runs_for(task)
            if task.state is TaskState.RUNNING:
                self._on_saved(task.workspace_id, task.id, task.version)
        return len(open_tasks)

    def _runs_for(self, task: Task) -> None:
        for claim in task.active_claims():
            self._runs.put(RunRequest(task.workspace_id, task.id, claim.step, claim.id))

    def wait_idle(self, timeout_s: float = 30.0) -> bool:
        """True once no task version waits for matching and no run is queued or running."""
        for _ in range(1000):
            if not (self._stream.wait_idle(timeout_s) and self._runs.wait_idle(timeout_s)):
                return False
            if self._stream.wait_idle(0) and self._runs.wait_idle(0):
                return True
        return False

    def close(self) -> None:
        for ticks in self._ticks:
            ticks.close()
        self._stream.close()
        self._runs.close()
        self._sandbox.close()
        self._db.close()


class _TimerThread:
    """Calls `tick` every `interval_s`: timers fire within that of their time (and survive a
    restart, since due times live in SQLite). A failed tick is logged and the next one tries again."""

    def __init__(self, name: str, tick: Callable[[], int], interval_s: float) -> None:
        self._tick = tick
        self._interval_s = interval_s
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name=name, daemon=True)
        self._thread.start()

    def _loop(self) -> None:
        while not self._stop.wait(self._interval_s):
            try:
                self._tick()
            except Exception:
                logger.exception("%s failed; trying again on the next tick", self._thread.name)

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=10)
