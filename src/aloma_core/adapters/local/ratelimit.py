"""The `RateLimiter` port in memory: one process serves every webhook locally, so its counts are all.

Windows are the epoch's minutes, as the port defines them. Only the current minute is kept: when
the first event of a new minute arrives the old counts go, so memory stays bounded by the keys
active in one minute. An event stamped with an earlier minute (a thread that read the clock just
before another moved the window on) counts in the current one.
"""

import threading

WINDOW_MS = 60_000


class InMemoryRateLimiter:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._window = -1
        self._counts: dict[str, int] = {}

    def allow(self, key: str, limit_per_minute: int, now_ms: int) -> bool:
        window = now_ms // WINDOW_MS
        with self._lock:
            if window > self._window:
                self._window = window
                self._counts = {}
            count = self._counts.get(key, 0)
            if count >= limit_per_minute:
                return False
            self._counts[key] = count + 1
            return True
