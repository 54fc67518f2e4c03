"""The local home end to end over HTTP: onboarding tasks posted by C clients, each waiting for its
task to end before posting the next, at concurrency 1, 8 and 64.

Everything runs as under `aloma dev examples/onboarding`: uvicorn on 127.0.0.1, SQLite, 2 worker
processes, the example's connectors calling its stand-in CRM and Slack over HTTP, so each task's
time includes four step runs and two real connector calls. Create-to-done is the server's own
`updated_at - created_at` of the done task; clients learn that a task ended from a read-only
SQLite connection (no polling load on the API).
"""

import json
import sqlite3
import statistics
import tempfile
import threading
import time
from pathlib import Path

import httpx

from aloma_core.api import create_app
from aloma_core.cli.client import ApiClient
from aloma_core.home.devsetup import apply_setup, load_setup
from aloma_core.home.example_services import ExampleServices
from aloma_core.home.local import LocalHome
from aloma_core.home.serving import serving

EXAMPLE = Path(__file__).parents[1] / "examples" / "onboarding"
LOADS = ((1, 60), (8, 240), (64, 320))
"""(concurrency, tasks)."""
WARM_UP = 8
"""Tasks run before measuring: the first ones pay for the sandbox workers' start."""
Row = tuple[str, str, str, str]


def run() -> list[Row]:
    with tempfile.TemporaryDirectory() as state:
        home = LocalHome(Path(state), workers=2)
        app = create_app(home.platform, admin_token=None)
        app.include_router(ExampleServices().router)
        try:
            with serving(app, "127.0.0.1", 0) as port:
                url = f"http://127.0.0.1:{port}"
                key = _example_workspace(home, url)
                _measure(home, Path(state) / "aloma.db", url, key, 1, WARM_UP)
                return [_measure(home, Path(state) / "aloma.db", url, key, *load) for load in LOADS]
        finally:
            home.close()


def _example_workspace(home: LocalHome, url: str) -> str:
    platform = home.platform
    workspace, key = platform.create_workspace("bench")
    with ApiClient(url, key) as client:
        apply_setup(client, load_setup(EXAMPLE, url), {})
    for path in sorted(EXAMPLE.glob("*.js")):
        platform.put_step(workspace, path.stem, source=path.read_text())
    return key


class _Ended:
    """Which of the posted tasks have ended, read from the database every millisecond or so."""

    def __init__(self, db: Path) -> None:
        self._db = sqlite3.connect(f"file:{db}?mode=ro", uri=True, check_same_thread=False)
        self._waiting: dict[str, threading.Event] = {}
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)
        self._thread.start()

    def wait(self, task_id: str) -> None:
        event = threading.Event()
        with self._lock:
            self._waiting[task_id] = event
        assert event.wait(120), f"task {task_id} did not end"

    def _watch(self) -> None:
        while not self._stop.wait(0.001):
            with self._lock:
                ids = list(self._waiting)
            if not ids:
                continue
            marks = ",".join("?" * len(ids))
            rows = self._db.execute(
                f"SELECT id FROM tasks WHERE id IN ({marks}) AND state NOT IN ('running', 'waiting')", ids
            ).fetchall()
            with self._lock:
                for (task_id,) in rows:
                    self._waiting.pop(task_id).set()

    def latencies_ms(self, ids: list[str]) -> list[int]:
        marks = ",".join("?" * len(ids))
        rows = self._db.execute(f"SELECT state, record FROM tasks WHERE id IN ({marks})", ids).fetchall()
        assert all(state == "done" for state, _ in rows) and len(rows) == len(ids), "every task must end done"
        records = [json.loads(record) for _, record in rows]
        return [record["updated_at"] - record["created_at"] for record in records]

    def close(self) -> None:
        self._stop.set()
        self._thread.join()
        self._db.close()


def _measure(home: LocalHome, db: Path, url: str, key: str, concurrency: int, count: int) -> Row:
    sample = json.loads((EXAMPLE / "task.json").read_text())
    ended = _Ended(db)
    ids: list[str] = []
    lock = threading.Lock()
    remaining = iter(range(count))

    def client() -> None:
        with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {key}"}, timeout=60) as http:
            while True:
                with lock:
                    if next(remaining, None) is None:
                        return
                answer = http.post("/v1/tasks", json={"data": sample})
                answer.raise_for_status()
                task_id = answer.json()["id"]
                with lock:
                    ids.append(task_id)
                ended.wait(task_id)

    threads = [threading.Thread(target=client) for _ in range(concurrency)]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - start
    assert home.wait_idle(60)
    latencies = sorted(ended.latencies_ms(ids))
    ended.close()
    cuts = statistics.quantiles(latencies, n=100, method="inclusive")
    return (
        f"concurrency {concurrency}, {count} tasks",
        f"{count / elapsed:.1f} tasks/s",
        f"{cuts[49]:.0f} / {cuts[94]:.0f} / {cuts[98]:.0f} ms",
        f"{4 * count / elapsed:.0f} runs/s",
    )
