"""One connector call as a connector method sees it: the key to pass on and the time it has left."""

import time
from dataclasses import dataclass


@dataclass(frozen=True)
class Call:
    """`deadline` is on the `time.monotonic()` clock: the run's wall-time budget for this call."""

    idempotency_key: str
    deadline: float

    @classmethod
    def starting_now(cls, idempotency_key: str, timeout_s: float) -> "Call":
        return cls(idempotency_key, time.monotonic() + timeout_s)

    def remaining(self) -> float:
        return self.deadline - time.monotonic()
