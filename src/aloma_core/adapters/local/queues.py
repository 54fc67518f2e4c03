"""In-process stand-ins for the DynamoDB stream and the SQS step queue.

Both are thread pools over a queue with the delivery rules of their AWS counterparts that the
core relies on: at-least-once, retries with backoff, and a final failure hook in place of the
DLQ. `wait_idle` lets tests and benchmarks wait for quiet instead of sleeping.
"""

import logging
import queue
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from ...model import RunRequest

logger = logging.getLogger("aloma.local")

Item = TypeVar("Item")


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 3
    first_delay_s: float = 0.2
    """Doubles on each attempt."""


class WorkerPool(Generic[Item]):
    """Delivers each item to `handle` on one of `workers` threads, retrying on exceptions.

    `retry_later` exceptions are re-delivered after a delay without counting as attempts (a run
    whose previous attempt still holds its lease); after `policy.max_attempts` failures,
    `give_up(item, error)` is called.
    """

    def __init__(
        self,
        name: str,
        workers: int,
        handle: Callable[[Item], object],
        give_up: Callable[[Item, Exception], None],
        policy: RetryPolicy = RetryPolicy(),
        retry_later: tuple[type[Exception], ...] = (),
    ) -> None:
        self._queue: queue.Queue[tuple[Item, int] | None] = queue.Queue()
        self._handle = handle
        self._give_up = give_up
        self._policy = policy
        self._retry_later = retry_later
        self._pending = 0
        self._idle = threading.Condition()
        self._closed = False
        self._threads = [
            threading.Thread(target=self._work, name=f"{name}-{i}", daemon=True) for i in range(workers)
        ]
        for thread in self._threads:
            thread.start()

    def put(self, item: Item, attempt: int = 1, delay_s: float = 0.0) -> None:
        with self._idle:
            if self._closed:
                return
            self._pending += 1
        if delay_s <= 0:
            self._queue.put((item, attempt))
            return
        timer = threading.Timer(delay_s, self._queue.put, args=((item, attempt),))
        timer.daemon = True
        timer.start()

    def wait_idle(self, timeout_s: float) -> bool:
        """True once nothing is queued, delayed or being handled."""
        deadline = time.monotonic() + timeout_s
        with self._idle:
            while self._pending:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._idle.wait(left)
        return True

    def close(self) -> None:
        with self._idle:
            self._closed = True
        for _ in self._threads:
            self._queue.put(None)
        for thread in self._threads:
            thread.join(timeout=5)

    def _work(self) -> None:
        while True:
            entry = self._queue.get()
            if entry is None:
                return
            item, attempt = entry
            try:
                self._deliver(item, attempt)
            finally:
                with self._idle:
                    self._pending -= 1
                    self._idle.notify_all()

    def _deliver(self, item: Item, attempt: int) -> None:
        try:
            self._handle(item)
        except self._retry_later:
            self.put(item, attempt, self._policy.first_delay_s)
        except Exception as error:
            if attempt >= self._policy.max_attempts:
                logger.exception("giving up on %r after %d attempts", item, attempt)
                self._give_up(item, error)
            else:
                logger.warning("attempt %d of %r failed: %s", attempt, item, error)
                self.put(item, attempt + 1, self._policy.first_delay_s * 2 ** (attempt - 1))


class LocalWorkQueue:
    """The step queue: run requests go to a `WorkerPool` whose handler is the runner."""

    def __init__(self, pool: "WorkerPool[RunRequest]") -> None:
        self._pool = pool

    def send(self, requests: Sequence[RunRequest]) -> None:
        for request in requests:
            self._pool.put(request)
