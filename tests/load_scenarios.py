"""The load corpus's workspace, shared by both homes: three steps on which every task takes one of two
paths (two runs a task), so the exact number of runs of each step is known for any number of tasks."""

from collections import Counter
from typing import Any

from lifecycle_scenarios import ScenarioWorkspace, step_file

LOAD_STEPS = {
    "classify": ("{n: Number, kind: null}", "data.kind = data.n % 3 === 0 ? 'fizz' : 'plain';"),
    "fizz": ("{kind: 'fizz'}", "task.complete('fizz ' + data.n);"),
    "plain": ("{kind: 'plain'}", "task.complete('plain ' + data.n);"),
}


def put_load_steps(ws: ScenarioWorkspace) -> None:
    for name, (condition, body) in LOAD_STEPS.items():
        ws.put_step(name, step_file(condition, body))


def expected_runs(tasks: int) -> Counter[str]:
    """Runs per step for tasks numbered 0 to `tasks - 1`: each runs once on each task it matches."""
    fizz = len(range(0, tasks, 3))
    return Counter({"classify": tasks, "fizz": fizz, "plain": tasks - fizz})


def kind_of(n: int) -> str:
    return "fizz" if n % 3 == 0 else "plain"


def assert_load_task_done(task: dict[str, Any], n: int) -> None:
    assert task["state"] == "done", task
    assert task["data"] == {"n": n, "kind": kind_of(n)}, task
    assert task["result"] == f"{kind_of(n)} {n}", task


def runs_per_step(events: list[dict[str, Any]]) -> Counter[str]:
    return Counter(e["step"] for e in events if e["type"] == "run")
