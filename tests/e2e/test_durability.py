"""Nothing accepted is lost: a burst of tasks, and `kill -9` of `aloma dev` with runs in flight."""

import json
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest
from e2e_support import EXAMPLE, DevProcess, Server, free_port

CHAIN = {
    "first": ("{n: Number, first: null}", "data.first = data.n;"),
    "second": ("{first: Number, second: null}", "data.second = data.first + 1;"),
    "third": ("{second: Number}", "task.complete({total: data.first + data.second});"),
}


def chain_step(condition: str, body: str) -> str:
    """A step that waits a moment first, so a crash catches runs in the middle."""
    return (
        f"export const condition = {condition};\n"
        "export const content = async () => {\n"
        "  await new Promise((resolve) => setTimeout(resolve, 150));\n"
        f"  {body}\n"
        "};\n"
    )


def test_200_tasks_posted_at_once_all_end_done(server: Server) -> None:
    ws = server.workspace()
    ws.use_example()
    sample = json.loads((EXAMPLE / "task.json").read_text())

    def post(i: int) -> str:
        data = {"customer": {**sample["customer"], "email": f"user{i}@example.com"}}
        return ws.new_task(data)

    with ThreadPoolExecutor(16) as pool:
        ids = list(pool.map(post, range(200)))
    assert len(set(ids)) == 200
    assert server.home.wait_idle(300)
    for task_id in ids:
        task = ws.task(task_id)
        assert task["state"] == "done", task
        assert task["runs"] == 4
        assert task["data"]["welcome"]["to"] == task["data"]["customer"]["email"]
        assert task["data"]["customer"]["crm_id"] in server.examples.contacts


@pytest.fixture
def dev(tmp_path: Path) -> Iterator[DevProcess]:
    steps = tmp_path / "steps"
    steps.mkdir()
    for name, (condition, body) in CHAIN.items():
        (steps / f"{name}.js").write_text(chain_step(condition, body))
    process = DevProcess(tmp_path, free_port(), len(CHAIN))
    try:
        yield process
    finally:
        process.stop()


def wait_until_ended(client: httpx.Client, ids: list[str], timeout_s: float) -> dict[str, dict[str, Any]]:
    deadline = time.monotonic() + timeout_s
    while True:
        tasks = {task_id: client.get(f"/v1/tasks/{task_id}").json() for task_id in ids}
        if all(task["state"] != "running" for task in tasks.values()) or time.monotonic() > deadline:
            return tasks
        time.sleep(0.2)


@pytest.mark.slow
def test_kill_9_with_runs_in_flight_loses_nothing_and_commits_each_run_once(dev: DevProcess) -> None:
    client = dev.start()
    ids = [client.post("/v1/tasks", json={"data": {"n": i}}).json()["id"] for i in range(30)]
    time.sleep(0.8)
    in_flight = [client.get(f"/v1/tasks/{task_id}").json()["state"] for task_id in ids]
    assert "running" in in_flight, "the crash must catch work in flight"
    dev.kill_9()

    client = dev.start()
    tasks = wait_until_ended(client, ids, timeout_s=120)

    for i, task_id in enumerate(ids):
        task = tasks[task_id]
        assert task["state"] == "done", task
        assert task["data"] == {"n": i, "first": i, "second": i + 1}
        assert task["result"] == {"total": 2 * i + 1}
        events = client.get(f"/v1/tasks/{task_id}/history").json()["events"]
        committed = [e["step"] for e in events if e["type"] == "run" and e["error"] is None]
        assert sorted(committed) == sorted(CHAIN), f"each step commits exactly once: {committed}"
        sets = [c for e in events if e["type"] == "run" for c in e["changes"]]
        assert len(sets) == 2, sets
