"""The local home end to end over HTTP: onboarding tasks posted by C clients, each waiting for its
task to end before posting the next, at concurrency 1, 8 and 64.

The home is `aloma dev examples/onboarding` itself, in a process of its own as a user runs it
(uvicorn on 127.0.0.1, SQLite, 2 worker processes, its log file, the example's connectors calling
its stand-in CRM and Slack over HTTP), so each task is four step runs and two real connector calls;
the clients are this process. Create-to-done is the server's own `updated_at - created_at` of the
done task; clients learn that a task ended from a read-only SQLite connection (no polling load on
the API).
"""

import json
import os
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

EXAMPLE = Path(__file__).parents[1] / "examples" / "onboarding"
LOADS = ((1, 60), (8, 240), (64, 320))
"""(concurrency, tasks)."""
WARM_UP = 8
"""Tasks run before measuring: the first ones pay for the sandbox workers' start."""
Row = tuple[str, str, str, str]


def run() -> list[Row]:
    with tempfile.TemporaryDirectory() as project, _aloma_dev(Path(project)) as (url, key):
        db = Path(project) / ".aloma" / "aloma.db"
        _measure(db, url, key, 1, WARM_UP)
        return [_measure(db, url, key, *load) for load in LOADS]


@contextmanager
def _aloma_dev(project: Path) -> Iterator[tuple[str, str]]:
    """`aloma dev steps` in `project`, its steps a copy of the example; (URL, workspace key)."""
    shutil.copytree(EXAMPLE, project / "steps")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    environment = {name: value for name, value in os.environ.items() if not name.startswith("ALOMA_")}
    command = [sys.executable, "-m", "aloma_core.cli.main", "dev", "steps", "--port", str(port)]
    process = subprocess.Popen(
        command, cwd=project, env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    url = f"http://127.0.0.1:{port}"
    try:
        key = _started(process, project, url)
        yield url, key
    finally:
        process.terminate()
        process.wait(60)


def _started(process: subprocess.Popen[bytes], project: Path, url: str) -> str:
    steps = len(list(EXAMPLE.glob("*.js")))
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        assert process.poll() is None, "aloma dev stopped"
        try:
            key = json.loads((project / ".aloma" / "dev.json").read_text())["api_key"]
            listed = httpx.get(f"{url}/v1/steps", headers={"Authorization": f"Bearer {key}"}).json()["steps"]
            if len(listed) == steps:
                return str(key)
        except (OSError, ValueError, KeyError, httpx.HTTPError):
            pass
        time.sleep(0.1)
    raise AssertionError("aloma dev did not start")


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


def _measure(db: Path, url: str, key: str, concurrency: int, count: int) -> Row:
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
    latencies = sorted(ended.latencies_ms(ids))
    ended.close()
    cuts = statistics.quantiles(latencies, n=100, method="inclusive")
    return (
        f"concurrency {concurrency}, {count} tasks",
        f"{count / elapsed:.1f} tasks/s",
        f"{cuts[49]:.0f} / {cuts[94]:.0f} / {cuts[98]:.0f} ms",
        f"{4 * count / elapsed:.0f} runs/s",
    )
