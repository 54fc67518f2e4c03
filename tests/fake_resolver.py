"""A stand-in for the system resolver: names answered from a table, so tests can make any name
resolve anywhere (a rebinding answer, a name that hangs) without asking DNS.

Installed over `socket.getaddrinfo`. A name in the table gets its answers in turn (the last one
repeats); `HANG` makes the look-up block until `release` (the fixture's teardown calls it, so no
thread outlives the test by long). `localhost` is the system's (from the hosts file); any other
host is parsed as a numeric address only (`AI_NUMERICHOST`): `127.1` still resolves as the C
library reads it, a name fails at once.
"""

import socket
import threading
from collections.abc import Sequence
from typing import Any

HANG = "hang"

_REAL_GETADDRINFO = socket.getaddrinfo


class FakeResolver:
    def __init__(self) -> None:
        self._answers: dict[str, list[Sequence[str] | str]] = {}
        self.asked: list[str] = []
        self._released = threading.Event()

    def answer(self, name: str, *answers: Sequence[str] | str) -> None:
        """`name` resolves to the addresses of the first answer, then of the next on each look-up."""
        self._answers[name] = list(answers)

    def release(self) -> None:
        self._released.set()

    def __call__(self, host: Any, port: Any, *args: Any, **kwargs: Any) -> list[Any]:
        name = host.decode() if isinstance(host, bytes) else str(host)
        if name == "localhost":
            return _REAL_GETADDRINFO(host, port, *args, **kwargs)
        if name not in self._answers:
            kwargs["flags"] = kwargs.get("flags", 0) | socket.AI_NUMERICHOST
            return _REAL_GETADDRINFO(host, port, *args, **kwargs)
        self.asked.append(name)
        queue = self._answers[name]
        answer = queue.pop(0) if len(queue) > 1 else queue[0]
        if answer == HANG:
            self._released.wait(60)
            raise socket.gaierror(socket.EAI_AGAIN, "Temporary failure in name resolution")
        return [info for address in answer for info in _REAL_GETADDRINFO(address, port, *args, **kwargs)]
