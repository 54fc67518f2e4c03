"""An ASGI app served by uvicorn on a thread of this process: `aloma dev`, the e2e tests, the benchmark."""

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import uvicorn
from starlette.types import ASGIApp

STARTUP_TIMEOUT_S = 20


class ServerDidNotStart(RuntimeError):
    pass


@contextmanager
def serving(app: ASGIApp, host: str, port: int) -> Iterator[int]:
    """Serve until the block ends; yields the port listened on (the one chosen when `port` is 0)."""
    server = uvicorn.Server(uvicorn.Config(app, host=host, port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, name="uvicorn", daemon=True)
    thread.start()
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    try:
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                raise ServerDidNotStart(f"could not listen on {host}:{port}")
            time.sleep(0.02)
        yield int(server.servers[0].sockets[0].getsockname()[1])
    finally:
        server.should_exit = True
        thread.join(timeout=10)
