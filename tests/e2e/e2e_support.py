"""What the e2e tests share: a real local home served by uvicorn on 127.0.0.1, and HTTP helpers."""

import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import uvicorn

from aloma_core.api import create_app
from aloma_core.home.local import LocalHome

ADMIN_TOKEN = "e2e-admin-token"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class Workspace:
    """A workspace's HTTP client plus helpers that wait for tasks the way a user polls."""

    client: httpx.Client
    home: LocalHome

    def put_step(self, name: str, source: str) -> dict[str, Any]:
        answer = self.client.put(f"/v1/steps/{name}", json={"source": source})
        assert answer.status_code in (200, 201), answer.text
        body: dict[str, Any] = answer.json()
        return body

    def new_task(self, data: dict[str, Any], name: str | None = None) -> str:
        answer = self.client.post("/v1/tasks", json={"name": name, "data": data})
        assert answer.status_code == 201, answer.text
        task_id: str = answer.json()["id"]
        return task_id

    def task(self, task_id: str) -> dict[str, Any]:
        answer = self.client.get(f"/v1/tasks/{task_id}")
        assert answer.status_code == 200, answer.text
        body: dict[str, Any] = answer.json()
        return body

    def settle(self, task_id: str, timeout_s: float = 30) -> dict[str, Any]:
        """The task once the home is quiet (nothing queued, matching or running)."""
        assert self.home.wait_idle(timeout_s), "the home did not become idle"
        return self.task(task_id)

    def events(self, task_id: str) -> list[dict[str, Any]]:
        answer = self.client.get(f"/v1/tasks/{task_id}/history")
        assert answer.status_code == 200, answer.text
        events: list[dict[str, Any]] = answer.json()["events"]
        return events


@dataclass
class Server:
    url: str
    home: LocalHome

    def admin(self) -> httpx.Client:
        return httpx.Client(base_url=self.url, headers={"Authorization": f"Bearer {ADMIN_TOKEN}"}, timeout=30)

    def workspace(self, name: str = "e2e", settings: dict[str, Any] | None = None) -> Workspace:
        with self.admin() as admin:
            created = admin.post("/v1/workspaces", json={"name": name})
        assert created.status_code == 201, created.text
        client = httpx.Client(
            base_url=self.url, headers={"Authorization": f"Bearer {created.json()['api_key']}"}, timeout=30
        )
        if settings:
            answer = client.patch("/v1/workspace", json={"settings": settings})
            assert answer.status_code == 200, answer.text
        return Workspace(client, self.home)


def serve(home: LocalHome) -> Iterator[Server]:
    port = free_port()
    app = create_app(home.platform, admin_token=ADMIN_TOKEN)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.02)
    try:
        yield Server(f"http://127.0.0.1:{port}", home)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
