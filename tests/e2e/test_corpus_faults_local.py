"""Corpus, faults on the local home: `kill -9` of `aloma dev` and of a sandbox worker with 200 tasks
in flight. Every accepted task ends in a defined state and every step ran once per task."""

import os
import signal
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest
from e2e_support import DevProcess, free_port

pytestmark = [pytest.mark.corpus, pytest.mark.slow]

TASKS = 200
STEPS = {
    "first": ("{n: Number, first: null}", "data.first = data.n;"),
    "side": ("{n: Number, side: null}", "data.side = data.n * 2;"),
    "second": ("{first: Number, second: null}", "data.second = data.first + 1;"),
    "finish": ("{second: Number, side: Number}", "task.complete({total: data.second + data.side});"),
}
"""`first` and `side` run in parallel on each task; `finish` waits for both branches."""


def step_source(condition: str, body: str) -> str:
    """A step that takes a few milliseconds of wall time, so a kill catches runs in the middle."""
    return (
        f"export const condition = {condition};\n"
        "export const content = async () => {\n"
        "  await new Promise((resolve) => setTimeout(resolve, 20));\n"
        f"  {body}\n"
        "};\n"
    )


@pytest.fixture
def dev(tmp_path: Path) -> Iterator[DevProcess]:
    steps = tmp_path / "steps"
    steps.mkdir()
    for name, (condition, body) in STEPS.items():
        (steps / f"{name}.js").write_text(step_source(condition, body))
    process = DevProcess(tmp_path, free_port(), len(STEPS))
    try:
        yield process
    finally:
        process.stop()


def post_tasks(client: httpx.Client) -> list[str]:
    """200 tasks from 8 threads; each id is of a task the server accepted (answered 201)."""

    def post(n: int) -> str:
        answer = client.post("/v1/tasks", json={"data": {"n": n}})
        assert answer.status_code == 201, answer.text
        task_id: str = answer.json()["id"]
        return task_id

    with ThreadPoolExecutor(8) as pool:
        return list(pool.map(post, range(TASKS)))


def states(client: httpx.Client, ids: list[str]) -> Counter[str]:
    return Counter(client.get(f"/v1/tasks/{task_id}").json()["state"] for task_id in ids)


def wait_for_progress(client: httpx.Client, ids: list[str]) -> None:
    """Until some of the first tasks are done while the last one still runs: the middle of the work."""
    for _ in range(600):
        if states(client, ids[:20])["done"] >= 5:
            assert client.get(f"/v1/tasks/{ids[-1]}").json()["state"] == "running"
            return
        time.sleep(0.05)
    raise AssertionError("no task finished")


def wait_until_ended(client: httpx.Client, ids: list[str]) -> dict[str, dict[str, Any]]:
    """Every task once none is `running` (600 polls, a safety net only)."""
    for _ in range(600):
        tasks = {task_id: client.get(f"/v1/tasks/{task_id}").json() for task_id in ids}
        if all(task["state"] != "running" for task in tasks.values()):
            return tasks
        time.sleep(0.2)
    raise AssertionError(f"tasks still running: {states(client, ids)}")


def runs_per_step(client: httpx.Client, task_id: str) -> Counter[str]:
    events = client.get(f"/v1/tasks/{task_id}/history").json()["events"]
    return Counter(e["step"] for e in events if e["type"] == "run")


def assert_done_right(client: httpx.Client, task: dict[str, Any], n: int) -> None:
    assert task["state"] == "done", task
    assert task["data"] == {"n": n, "first": n, "side": 2 * n, "second": n + 1}
    assert task["result"] == {"total": 3 * n + 1}
    assert runs_per_step(client, task["id"]) == Counter(dict.fromkeys(STEPS, 1))


def sandbox_workers(server_pid: int) -> list[int]:
    """The process ids of the server's sandbox workers (spawned children, not the resource tracker)."""
    workers = []
    for children in Path(f"/proc/{server_pid}/task").glob("*/children"):
        for pid in children.read_text().split():
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
            if b"from multiprocessing.spawn import spawn_main" in b" ".join(cmdline):
                workers.append(int(pid))
    return workers


def post_until_refused(client: httpx.Client, first: int, accepted: dict[int, str]) -> None:
    """Tasks `first`, `first + 1`, ... posted one after another until the server stops answering
    (at most TASKS of them); those it accepted go into `accepted` as they are answered."""
    for n in range(first, first + TASKS):
        try:
            answer = client.post("/v1/tasks", json={"data": {"n": n}})
        except httpx.TransportError:
            return
        assert answer.status_code == 201, answer.text
        accepted[n] = answer.json()["id"]


def test_kill_9_of_the_server_with_200_tasks_in_flight_loses_none_and_runs_each_step_once(
    dev: DevProcess,
) -> None:
    """Besides the 200 tasks at work, a client keeps posting while the server is killed: every task
    answered 201, up to the last one before the kill, is there after the restart and ends right."""
    client = dev.start()
    ids = post_tasks(client)
    wait_for_progress(client, ids)
    late: dict[int, str] = {}
    with ThreadPoolExecutor(1) as pool:
        posting = pool.submit(post_until_refused, client, TASKS, late)
        for _ in range(1000):
            if len(late) >= 5 or posting.done():
                break
            time.sleep(0.01)
        dev.kill_9()
        posting.result()
    assert 5 <= len(late) < TASKS, "the kill must come while the client is still posting"

    client = dev.start()
    accepted = {**dict(enumerate(ids)), **late}
    tasks = wait_until_ended(client, list(accepted.values()))

    assert len(tasks) == len(accepted)
    for n, task_id in accepted.items():
        assert_done_right(client, tasks[task_id], n)


def test_kill_9_of_a_sandbox_worker_interrupts_its_run_which_is_retried_and_runs_once(
    dev: DevProcess,
) -> None:
    """The pool replaces the killed worker and the run it held (or the next one sent to it) is
    delivered again: every task ends done, each step with one run in its history."""
    client = dev.start()
    assert dev.process is not None
    workers = sandbox_workers(dev.process.pid)
    assert len(workers) == 2, workers
    ids = post_tasks(client)
    wait_for_progress(client, ids)
    os.kill(workers[0], signal.SIGKILL)
    tasks = wait_until_ended(client, ids)

    for n, task_id in enumerate(ids):
        assert_done_right(client, tasks[task_id], n)
    new_workers = sandbox_workers(dev.process.pid)
    assert len(new_workers) == 2 and workers[0] not in new_workers, new_workers
    log = (dev.project / ".aloma" / "logs" / "aloma.jsonl").read_text()
    assert "the sandbox process crashed (killed by SIGKILL)" in log
