"""A fresh QuickJS context with a run's limits, enforced across every eval and job.

QuickJS's time limit reads the process CPU clock and restarts at each `eval` or
`execute_pending_job`, so the budget is kept here: CPU time is measured around each call and
only what is left is handed to QuickJS before the next one. The wall-time deadline caps each call
too (a CPU-bound call cannot outlast it), and the event loop checks it between calls. Because
the clock is the process's, only one engine may run in a process at a time (see run.py).
"""

import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

import quickjs

from ..limits import CPU_TIME, MEMORY, STACK, WALL_TIME, Limits
from .frames import step_line

T = TypeVar("T")

# Held for the whole life of an engine: one run or upload at a time per process.
EXCLUSIVE = threading.Lock()

# The sandbox's own bookkeeping after a run (reading logs, actions) gets its own small budget and
# some memory headroom, so a run that hit a limit still hands back its log.
_PLATFORM_CPU_S = 2.0
_PLATFORM_HEADROOM_BYTES = 8 * 1024 * 1024

_INTERRUPTED = "InternalError: interrupted"
_OUT_OF_MEMORY = ("InternalError: out of memory", "null")
_STACK_OVERFLOW = "RangeError: Maximum call stack size exceeded"
_UNCAUGHT_NULL = "Uncaught null"


def _size(count: int) -> str:
    for unit, scale in (("MiB", 1024 * 1024), ("KiB", 1024)):
        if count >= scale and count % scale == 0:
            return f"{count // scale} {unit}"
    return f"{count} bytes"


class LimitBreach(Exception):
    """A limit of semantics.md section 7 ended the run; `limit` is its name from limits.py."""

    def __init__(self, limit: str, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.limit = limit
        self.message = message
        self.line = line

    @classmethod
    def of(cls, limit: str, limits: Limits, line: int | None = None) -> "LimitBreach":
        detail = {
            CPU_TIME: f"{limits.cpu_time_ms} ms of CPU time",
            WALL_TIME: f"{limits.wall_time_ms} ms",
            MEMORY: _size(limits.memory_bytes),
            STACK: f"{_size(limits.stack_bytes)} (recursion too deep)",
        }.get(limit, "")
        return cls(limit, f"{limit} exceeded: {detail}" if detail else f"{limit} exceeded", line)


class ScriptError(Exception):
    """A JavaScript exception out of an eval that is no limit: a syntax error, or a broken bridge."""

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.text = text

    @property
    def headline(self) -> str:
        return self.text.strip().split("\n", 1)[0]


class Engine:
    def __init__(self, limits: Limits, source_lines: int) -> None:
        self.limits = limits
        self.source_lines = source_lines
        self.cpu_used_s = 0.0
        self.deadline = time.monotonic() + limits.wall_time_ms / 1000
        self._ctx = quickjs.Context()
        self._ctx.set_memory_limit(limits.memory_bytes)
        self._ctx.set_max_stack_size(limits.stack_bytes)

    def wall_left_s(self) -> float:
        return self.deadline - time.monotonic()

    def set_global(self, name: str, value: Any) -> None:
        self._ctx.set(name, value)

    def eval(self, code: str) -> Any:
        """Evaluate the step's code or code acting for it, charged to the run's budgets."""
        return self._charged(lambda: self._ctx.eval(code))

    def module(self, code: str) -> Any:
        """Evaluate an ES module; the result is the promise of its evaluation."""
        return self._charged(lambda: self._ctx.module(code))

    def run_jobs(self) -> None:
        """Run pending promise jobs until none is left.

        The whole drain is charged, the loop's own overhead included: a step that queues millions
        of tiny jobs pays for the bookkeeping it causes.
        """
        started = time.process_time()
        charged_before = self.cpu_used_s
        try:
            while True:
                self.cpu_used_s = charged_before + time.process_time() - started
                if not self._limited(self._ctx.execute_pending_job):
                    return
        finally:
            self.cpu_used_s = charged_before + time.process_time() - started

    def platform_eval(self, code: str) -> Any:
        """Evaluate the sandbox's own bookkeeping: not charged, bounded by its own small budget."""
        self._ctx.set_memory_limit(self.limits.memory_bytes + _PLATFORM_HEADROOM_BYTES)
        self._ctx.set_time_limit(_PLATFORM_CPU_S)
        try:
            return self._ctx.eval(code)
        except quickjs.JSException as exc:
            raise ScriptError(str(exc)) from None
        finally:
            self._ctx.set_memory_limit(self.limits.memory_bytes)

    def _charged(self, action: Callable[[], T]) -> T:
        started = time.process_time()
        try:
            return self._limited(action)
        finally:
            self.cpu_used_s += time.process_time() - started

    def _limited(self, action: Callable[[], T]) -> T:
        """Run `action` with QuickJS's time limit set to what is left of the budgets."""
        cpu_left = self.limits.cpu_time_ms / 1000 - self.cpu_used_s
        wall_left = self.wall_left_s()
        if cpu_left <= 0:
            raise LimitBreach.of(CPU_TIME, self.limits)
        if wall_left <= 0:
            raise LimitBreach.of(WALL_TIME, self.limits)
        by_wall = wall_left < cpu_left
        self._ctx.set_time_limit(min(cpu_left, wall_left))
        try:
            return action()
        except quickjs.JSException as exc:
            raise self._classify(str(exc), by_wall) from None

    def _classify(self, text: str, by_wall: bool) -> Exception:
        headline = text.strip().split("\n", 1)[0]
        line = step_line(text, self.source_lines)
        if headline == _INTERRUPTED:
            return LimitBreach.of(WALL_TIME if by_wall else CPU_TIME, self.limits, line)
        if headline in _OUT_OF_MEMORY:
            return LimitBreach.of(MEMORY, self.limits, line)
        if headline == _STACK_OVERFLOW:
            return LimitBreach.of(STACK, self.limits, line)
        return ScriptError(text)


def limit_behind(name: str | None, message: str) -> str | None:
    """The limit behind an error that reached the step's own code: QuickJS lets a step catch these.

    When memory runs out while QuickJS builds the error itself, it throws `null` instead; so an
    uncaught `null` counts as the memory limit (a step's own `throw null` is told apart by nothing).
    """
    headline = f"{name}: {message}"
    if headline == _OUT_OF_MEMORY[0] or (name is None and message == _UNCAUGHT_NULL):
        return MEMORY
    if headline == _STACK_OVERFLOW:
        return STACK
    return None
