"""What the e2e tests share: a real local home served by uvicorn on 127.0.0.1 (with the onboarding
example's stand-in services under /examples/, as `aloma dev` serves them), `aloma dev` as a
subprocess, and HTTP helpers."""

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from aloma_core.api import create_app
from aloma_core.cli.client import ApiClient
from aloma_core.home.devsetup import apply_setup, load_setup
from aloma_core.home.example_services import ExampleServices
from aloma_core.home.local import LocalHome
from aloma_core.home.serving import serving
from virtual_clock import VirtualClock

ADMIN_TOKEN = "e2e-admin-token"
EXAMPLE = Path(__file__).parents[2] / "examples" / "onboarding"


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
    key: str

    def put_step(self, name: str, source: str) -> dict[str, Any]:
        answer = self.client.put(f"/v1/steps/{name}", json={"source": source})
        assert answer.status_code in (200, 201), answer.text
        body: dict[str, Any] = answer.json()
        return body

    def put_library(self, name: str, source: str) -> dict[str, Any]:
        answer = self.client.put(f"/v1/libraries/{name}", json={"source": source})
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

    def use_example(self) -> None:
        """The onboarding example as `aloma dev examples/onboarding` sets it up: steps, and the
        connectors, secrets and egress_allow of its aloma.dev.json, against this server."""
        url = str(self.client.base_url).rstrip("/")
        with ApiClient(url, self.key) as client:
            apply_setup(client, load_setup(EXAMPLE, url), {})
        for path in sorted(EXAMPLE.glob("*.js")):
            self.put_step(path.stem, path.read_text())

    def settle(self, task_id: str, timeout_s: float = 30) -> dict[str, Any]:
        """The task once the home is quiet (nothing queued, matching or running)."""
        assert self.home.wait_idle(timeout_s), "the home did not become idle"
        return self.task(task_id)

    def events(self, task_id: str) -> list[dict[str, Any]]:
        answer = self.client.get(f"/v1/tasks/{task_id}/history")
        assert answer.status_code == 200, answer.text
        events: list[dict[str, Any]] = answer.json()["events"]
        return events

    def resume(self, task_id: str) -> None:
        answer = self.client.post(f"/v1/tasks/{task_id}/resume")
        assert answer.status_code == 202, answer.text

    def patch(self, task_id: str, data: dict[str, Any]) -> None:
        answer = self.client.patch(f"/v1/tasks/{task_id}", json={"data": data})
        assert answer.status_code == 200, answer.text

    def put_secret(self, name: str, value: str) -> None:
        answer = self.client.put(f"/v1/secrets/{name}", json={"value": value})
        assert answer.status_code == 204, answer.text

    def secret_names(self) -> list[str]:
        names: list[str] = self.client.get("/v1/secrets").json()["secrets"]
        return names

    def later(self, seconds: float) -> None:
        """Let `seconds` pass on the home's clock (a VirtualClock), then fire what is due and
        settle, until nothing more is due."""
        clock = self.home.clock
        assert isinstance(clock, VirtualClock), "this server's home does not run on a virtual clock"
        clock.advance(seconds)
        for _ in range(100):
            assert self.home.wait_idle(30), "the home did not become idle"
            if not self.home.tick():
                return
        raise AssertionError("timers were still firing after 100 ticks")

    def cancel(self, task_id: str) -> tuple[int, dict[str, Any]]:
        answer = self.client.post(f"/v1/tasks/{task_id}/cancel")
        body: dict[str, Any] = answer.json()
        return answer.status_code, body

    def put_schedule(self, name: str, body: dict[str, Any]) -> dict[str, Any]:
        answer = self.client.put(f"/v1/schedules/{name}", json=body)
        assert answer.status_code in (200, 201), answer.text
        schedule: dict[str, Any] = answer.json()
        return schedule

    def list_tasks(self, state: str | None = None) -> list[dict[str, Any]]:
        params = {"limit": 200} | ({} if state is None else {"state": state})
        answer = self.client.get("/v1/tasks", params=params)
        assert answer.status_code == 200, answer.text
        tasks: list[dict[str, Any]] = answer.json()["tasks"]
        return tasks


@dataclass
class Server:
    url: str
    home: LocalHome
    examples: ExampleServices

    def admin(self) -> httpx.Client:
        return httpx.Client(base_url=self.url, headers={"Authorization": f"Bearer {ADMIN_TOKEN}"}, timeout=30)

    def workspace(self, name: str = "e2e", settings: dict[str, Any] | None = None) -> Workspace:
        with self.admin() as admin:
            created = admin.post("/v1/workspaces", json={"name": name})
        assert created.status_code == 201, created.text
        key = created.json()["api_key"]
        client = httpx.Client(base_url=self.url, headers={"Authorization": f"Bearer {key}"}, timeout=30)
        if settings:
            answer = client.patch("/v1/workspace", json={"settings": settings})
            assert answer.status_code == 200, answer.text
        return Workspace(client, self.home, key)


def serve(home: LocalHome) -> Iterator[Server]:
    app = create_app(home.platform, admin_token=ADMIN_TOKEN)
    examples = ExampleServices()
    app.include_router(examples.router)
    with serving(app, "127.0.0.1", 0) as port:
        yield Server(f"http://127.0.0.1:{port}", home, examples)


class DevProcess:
    """`aloma dev DIR` as a user starts it, in its own project directory."""

    def __init__(self, project: Path, port: int, step_count: int) -> None:
        self.project = project
        self.port = port
        self.step_count = step_count
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> httpx.Client:
        env = {k: v for k, v in os.environ.items() if not k.startswith("ALOMA_")}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "aloma_core.cli.main", "dev", "steps", "--port", str(self.port)],
            cwd=self.project,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=(self.project / "dev.log").open("ab"),
        )
        url = f"http://127.0.0.1:{self.port}"
        deadline = time.monotonic() + 60
        while True:
            assert self.process.poll() is None, (self.project / "dev.log").read_text()
            assert time.monotonic() < deadline, "aloma dev did not start"
            try:
                if httpx.get(f"{url}/v1/health").status_code == 200 and self._synced(url):
                    break
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        key = json.loads((self.project / ".aloma" / "dev.json").read_text())["api_key"]
        return httpx.Client(base_url=url, headers={"Authorization": f"Bearer {key}"}, timeout=30)

    def _synced(self, url: str) -> bool:
        key = json.loads((self.project / ".aloma" / "dev.json").read_text())["api_key"]
        steps = httpx.get(f"{url}/v1/steps", headers={"Authorization": f"Bearer {key}"}).json()["steps"]
        return len(steps) == self.step_count

    def kill_9(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            self.process.wait(30)
