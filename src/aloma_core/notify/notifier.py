"""The notifier: claims a notice when a task ends badly (matcher side) and delivers due notices
(tick side), so a slow or broken target never holds up matching, runs or timers.

Claiming is one conditional write per ending (the notice's key), so duplicate stream records,
retries and two matchers claim it once. Delivery takes each notice with a conditional write
(`pending` -> `sending`) before sending, so two overlapping ticks never send one notice twice.
"""

import itertools
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from ..errors import NotFound
from ..model import Task, WorkspaceSettings
from ..ports import Clock, ConnectorStore, NoticeStore, SecretStore, TaskStore, WorkspaceStore
from . import policy
from .delivery import DeliveryFailed, Destination, send
from .notice import Notice, NoticeStatus
from .settings import DigestSettings

logger = logging.getLogger("aloma.notify")

MAX_ATTEMPTS = 3
RETRY_AFTER_MS = 30_000
"""A failed delivery is tried again after this times the attempts made so far."""
BATCH = 200
BUDGET_S = 30.0
"""No new send starts after this long in one round: the tick Lambda runs for at most a minute."""


@dataclass
class Notifier:
    notices: NoticeStore
    tasks: TaskStore
    workspaces: WorkspaceStore
    secrets: SecretStore
    connectors: ConnectorStore
    clock: Clock
    budget_s: float = BUDGET_S
    own_machine: bool = False
    """The local home's: connectors reach this machine's services as its step runs do."""

    # Matcher side

    def task_stored(self, task: Task, settings: WorkspaceSettings, *, fresh: bool = False) -> None:
        """A version of `task` was stored: claim the notice of its ending if the workspace wants it.
        `fresh`: `task` was read from the store just now (not a stream image), so it is not read
        again. A failure here is logged and dropped: telling must never hold up the task itself."""
        notify = settings.notify
        if notify is None or task.state.value not in notify.on:
            return
        try:
            self._claim(task, fresh)
        except Exception:
            logger.exception("could not record the notification of task %s", task.id)

    def _claim(self, task: Task, fresh: bool) -> None:
        try:
            latest = task if fresh else self.tasks.get(task.workspace_id, task.id)
        except NotFound:
            return
        if latest.state is not task.state:
            return  # it moved on; the version that moved it has its own turn
        ending = policy.ending_of(latest, self.tasks.history(task.workspace_id, task.id))
        if ending is None:
            logger.warning("task %s is %s without a state event; not told", task.id, task.state.value)
            return
        notice = policy.notice_for(latest, ending, self.clock.now_ms())
        if self.notices.add(notice):
            logger.info(
                "notification of task %s (%s) recorded",
                task.id,
                task.state.value,
                extra={"workspace": task.workspace_id, "task_id": task.id},
            )

    # Tick side

    def tick(self) -> int:
        """Deliver what is due now; returns how many notices were sent, retried, failed or dropped."""
        now = self.clock.now_ms()
        started = time.monotonic()
        due = self.notices.due(now, BATCH)
        acted = 0
        for workspace_id, group in itertools.groupby(
            sorted(due, key=lambda n: n.workspace_id), key=lambda n: n.workspace_id
        ):
            if time.monotonic() - started > self.budget_s:
                break
            try:
                acted += self._deliver(workspace_id, list(group), now, started)
            except Exception:
                logger.exception("delivering notifications of workspace %s failed", workspace_id)
        return acted

    def _deliver(self, workspace_id: str, pending: Sequence[Notice], now: int, started: float) -> int:
        try:
            workspace = self.workspaces.get(workspace_id)
        except NotFound:
            return self._drop(pending, "the workspace is gone")
        notify = workspace.settings.notify
        if notify is None:
            return self._drop(pending, "settings.notify was removed before it was sent")
        unwanted = [n for n in pending if n.state not in notify.on]
        acted = self._drop(unwanted, "settings.notify.on no longer names this state") if unwanted else 0
        pending = [n for n in pending if n.state in notify.on]
        if not pending:
            return acted
        digest = notify.digest
        windows = {policy.window_of(n.at, digest) for n in pending}
        endings_in = {
            w: self.notices.count(workspace_id, w * digest.window_ms, (w + 1) * digest.window_ms)
            for w in windows
        }
        decided = policy.plan(pending, endings_in, now, digest)
        for notice, until in decided.held:
            self.notices.replace(notice.but(due_at=until, digest=True), notice)
        destination = Destination(
            workspace_id,
            workspace.settings,
            self.secrets.values(workspace_id),
            {c.namespace: c for c in self.connectors.list(workspace_id)},
            self.own_machine,
        )
        for notice in decided.alone:
            if time.monotonic() - started > self.budget_s:
                return acted
            acted += self._send(
                [notice],
                lambda taken: policy.single_message(workspace.name, taken[0]),
                f"aloma-notify:{workspace_id}:{notice.task_id}:{notice.ending}",
                destination,
                now,
                digest=False,
            )
        for window, notices in decided.digests.items():
            if time.monotonic() - started > self.budget_s:
                return acted
            acted += self._send(
                notices,
                _digest_of(workspace.name, window, digest),
                f"aloma-digest:{workspace_id}:{window}:{notices[0].task_id}:{notices[0].ending}",
                destination,
                now,
                digest=True,
            )
        return acted

    def _send(
        self,
        notices: Sequence[Notice],
        message_of: Callable[[Sequence[Notice]], policy.Message],
        idempotency_key: str,
        destination: Destination,
        now: int,
        *,
        digest: bool,
    ) -> int:
        taken = []
        for notice in notices:
            sending = notice.but(status=NoticeStatus.SENDING, attempts=notice.attempts + 1, digest=digest)
            if self.notices.replace(sending, notice):
                taken.append(sending)
        if not taken:
            return 0
        what = f"digest of {len(taken)} tasks" if digest else f"notification of task {taken[0].task_id}"
        extra = {"workspace": destination.workspace_id}
        try:
            send(destination, message_of(taken), idempotency_key, taken[0].task_id)
        except DeliveryFailed as exc:
            self._failed(taken, str(exc), now, what)
            return len(taken)
        for notice in taken:
            self.notices.replace(notice.but(status=NoticeStatus.SENT, last_error=None), notice)
        logger.info("%s sent", what, extra=extra)
        return len(taken)

    def _failed(self, taken: Sequence[Notice], reason: str, now: int, what: str) -> None:
        extra = {"workspace": taken[0].workspace_id}
        given_up = [n for n in taken if n.attempts >= MAX_ATTEMPTS]
        if given_up:
            logger.error("%s failed, given up on %d: %s", what, len(given_up), reason, extra=extra)
        if len(given_up) < len(taken):
            logger.warning("%s failed, tried again later: %s", what, reason, extra=extra)
        for notice in taken:
            if notice.attempts >= MAX_ATTEMPTS:
                after = notice.but(status=NoticeStatus.FAILED, last_error=reason)
            else:
                due_at = now + RETRY_AFTER_MS * notice.attempts
                after = notice.but(status=NoticeStatus.PENDING, due_at=due_at, last_error=reason)
            self.notices.replace(after, notice)

    def _drop(self, pending: Sequence[Notice], reason: str) -> int:
        for notice in pending:
            self.notices.replace(notice.but(status=NoticeStatus.DROPPED, last_error=reason), notice)
            logger.info("notification of task %s dropped: %s", notice.task_id, reason)
        return len(pending)


def _digest_of(
    workspace_name: str, window: int, digest: DigestSettings
) -> Callable[[Sequence[Notice]], policy.Message]:
    return lambda taken: policy.digest_message(workspace_name, taken, window, digest)
