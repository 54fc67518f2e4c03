"""Time and children end to end over HTTP on the local home, on a virtual clock: the shared
scenarios of tests/time_scenarios.py, which the AWS home runs too."""

import time
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from e2e_support import DevProcess, Server, Workspace, free_port

import time_scenarios
from lifecycle_scenarios import step_file
from time_scenarios import NewTimedWorkspace, TimedWorkspace


def workspaces_of(server: Server) -> NewTimedWorkspace:
    def new_workspace(settings: dict[str, Any] | None) -> TimedWorkspace:
        return server.workspace(settings=settings)

    return new_workspace


@pytest.mark.parametrize("scenario", time_scenarios.SHARED, ids=lambda scenario: scenario.__name__)
def test_time(scenario: Callable[[NewTimedWorkspace], None], clocked_server: Server) -> None:
    scenario(workspaces_of(clocked_server))


def wait_for_state(ws: Workspace, task_id: str, state: str, timeout_s: float) -> dict[str, Any]:
    deadline = time.monotonic() + timeout_s
    while True:
        task = ws.task(task_id)
        if task["state"] == state or time.monotonic() > deadline:
            return task
        time.sleep(0.05)


def wake_lateness_ms(events: list[dict[str, Any]], woken_ms: int) -> int:
    parked = next(e for e in events if e["type"] == "parked")
    until = datetime.fromisoformat(parked["until_at"].replace("Z", "+00:00"))
    return woken_ms - int(until.timestamp() * 1000)


NAP = step_file("{nap: true, napped: null}", "data.napped = true; task.park(1500);")
AFTER_NAP = step_file("{napped: true}", "task.complete(Date.now());")


def test_a_parked_task_wakes_by_itself_within_about_a_second_of_its_time(server: Server) -> None:
    """The real clock and `aloma dev`'s timer thread, as a user sees them."""
    ws = server.workspace()
    ws.put_step("nap", NAP)
    ws.put_step("after nap", AFTER_NAP)
    task_id = ws.new_task({"nap": True})
    assert wait_for_state(ws, task_id, "waiting", 10)["state"] == "waiting"

    done = wait_for_state(ws, task_id, "done", 10)

    assert done["state"] == "done", done
    lateness = wake_lateness_ms(ws.events(task_id), done["result"])
    assert 0 <= lateness < 1000, f"woke {lateness} ms after its time"


@pytest.fixture
def dev(tmp_path: Path) -> Iterator[DevProcess]:
    steps = tmp_path / "steps"
    steps.mkdir()
    (steps / "nap.js").write_text(NAP.replace("1500", "3000"))
    (steps / "after nap.js").write_text(AFTER_NAP)
    process = DevProcess(tmp_path, free_port(), 2)
    try:
        yield process
    finally:
        process.stop()


@pytest.mark.slow
def test_a_park_survives_a_kill_9_of_aloma_dev(dev: DevProcess) -> None:
    client = dev.start()
    task_id = client.post("/v1/tasks", json={"data": {"nap": True}}).json()["id"]
    deadline = time.monotonic() + 10
    while client.get(f"/v1/tasks/{task_id}").json()["state"] != "waiting":
        assert time.monotonic() < deadline, "the task never parked"
        time.sleep(0.05)
    dev.kill_9()

    client = dev.start()
    deadline = time.monotonic() + 15
    while (task := client.get(f"/v1/tasks/{task_id}").json())["state"] != "done":
        assert time.monotonic() < deadline, task
        time.sleep(0.1)
    events = client.get(f"/v1/tasks/{task_id}/history").json()["events"]
    assert [e["type"] for e in events].count("woken") == 1
    assert [e["step"] for e in events if e["type"] == "run"] == ["nap", "after nap"]
