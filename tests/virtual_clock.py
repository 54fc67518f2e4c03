"""Clocks for tests: one that moves time ahead on demand, one that ticks a millisecond per reading."""

import itertools
import threading
import time


class VirtualClock:
    """Wall time that can jump ahead: a timer, a schedule or a visibility timeout passes in no time."""

    def __init__(self) -> None:
        self._offset_ms = 0
        self._lock = threading.Lock()

    def now_ms(self) -> int:
        return time.time_ns() // 1_000_000 + self._offset_ms

    def advance(self, seconds: float) -> None:
        with self._lock:
            self._offset_ms += int(seconds * 1000)


START_MS = 1_735_689_600_000  # 2025-01-01T00:00:00.000Z


class SteppingClock:
    """Deterministic time: every reading is one millisecond after the previous one."""

    def __init__(self, start_ms: int = START_MS) -> None:
        self._ticks = itertools.count(start_ms)

    def now_ms(self) -> int:
        return next(self._ticks)
