"""The clock port for tests that move time: wall time plus an offset that only grows."""

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
