"""The event loop of a run: promise jobs, connector calls and timers, within the wall-time deadline.

JavaScript cannot call into Python here (QuickJS's time limit and `add_callable` do not mix), so
the step's code leaves requests in an outbox; the loop drains it between rounds of promise jobs,
starts the calls on threads, and settles them (or fires timers) with one eval each.
"""

import heapq
import itertools
import time

from ..json_types import JsonObject
from ..limits import WALL_TIME
from .bridge import Bridge
from .calls import ConnectorCalls
from .engine import Engine, LimitBreach, ScriptError


def _number(request: JsonObject, key: str) -> float:
    value = request.get(key)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ScriptError(f"malformed request from the sandbox: {key!r} is not a number")
    return float(value)


class Stalled(Exception):
    """The code waits for a promise that nothing (no call, no timer) can ever settle."""


class Timers:
    """Due times of live timers; a cleared or re-armed timer leaves a stale heap entry that is skipped."""

    def __init__(self) -> None:
        self._heap: list[tuple[float, int, int]] = []
        self._order = itertools.count()
        self._due: dict[int, float] = {}

    def __bool__(self) -> bool:
        return bool(self._due)

    def add(self, timer_id: int, delay_ms: float) -> None:
        due = time.monotonic() + max(delay_ms, 0) / 1000
        self._due[timer_id] = due
        heapq.heappush(self._heap, (due, next(self._order), timer_id))

    def clear(self, timer_id: int) -> None:
        self._due.pop(timer_id, None)

    def next_due(self) -> float | None:
        while self._heap and self._due.get(self._heap[0][2]) != self._heap[0][0]:
            heapq.heappop(self._heap)
        return self._heap[0][0] if self._heap else None

    def pop_due(self) -> int | None:
        due = self.next_due()
        if due is None or due > time.monotonic():
            return None
        timer_id = heapq.heappop(self._heap)[2]
        del self._due[timer_id]
        return timer_id


class EventLoop:
    def __init__(self, engine: Engine, bridge: Bridge, calls: ConnectorCalls) -> None:
        self._engine = engine
        self._bridge = bridge
        self._calls = calls
        self._timers = Timers()

    def run(self) -> None:
        """Until the code failed, or settled with no call in flight; timers still pending then are dropped."""
        while True:
            self._engine.run_jobs()
            status = self._bridge.poll()
            self._dispatch(status.outbox)
            if status.failed or (status.done and not self._calls.pending):
                return
            if not self._calls.pending and not self._timers:
                raise Stalled
            self._wait_for_event()

    def _dispatch(self, outbox: list[JsonObject]) -> None:
        for request in outbox:
            kind = request.get("kind")
            if kind == "call":
                self._calls.start(
                    int(_number(request, "n")),
                    str(request.get("namespace")),
                    str(request.get("method")),
                    str(request.get("args")),
                    self._engine.wall_left_s(),
                )
            elif kind == "timer":
                self._timers.add(int(_number(request, "id")), _number(request, "delay"))
            elif kind == "clear":
                self._timers.clear(int(_number(request, "id")))

    def _wait_for_event(self) -> None:
        next_timer = self._timers.next_due()
        wake = self._engine.deadline if next_timer is None else min(next_timer, self._engine.deadline)
        timeout = wake - time.monotonic()
        if self._calls.pending:
            outcomes = self._calls.wait(timeout)
            if outcomes:
                self._bridge.settle(outcomes)
                return
        elif timeout > 0:
            time.sleep(timeout)
        if time.monotonic() >= self._engine.deadline:
            raise LimitBreach.of(WALL_TIME, self._engine.limits)
        timer_id = self._timers.pop_due()
        if timer_id is not None:
            self._bridge.fire(timer_id)
