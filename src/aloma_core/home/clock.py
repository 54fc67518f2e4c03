"""Wall-clock time in epoch milliseconds, the one unit stored records use."""

import time


class SystemClock:
    def now_ms(self) -> int:
        return time.time_ns() // 1_000_000
