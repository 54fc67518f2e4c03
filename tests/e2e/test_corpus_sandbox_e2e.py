"""The sandbox-abuse corpus end to end: a runaway step on the local home, driven over its HTTP API.

The task it runs on ends in `error` with the limit named, and the next task runs on the same single
worker process as if nothing had happened.
"""

from typing import Any

import pytest
from e2e_support import Server, Workspace

from lifecycle_scenarios import runs_of, step_file

pytestmark = pytest.mark.corpus

# Small limits keep a runaway run short (the defaults give it 5 s of CPU time).
SETTINGS: dict[str, Any] = {
    "limits": {"cpu_time_ms": 200, "wall_time_ms": 2_000, "memory_bytes": 16 * 1024 * 1024, "log_bytes": 4096}
}

RUNAWAYS = {
    "cpu": ("while (true) {}", "CPU time limit exceeded"),
    "memory": ("const keep = [];\nfor (;;) keep.push(new Uint8Array(1 << 20));", "memory limit exceeded"),
    "stack": ("const down = (n) => down(n + 1) + 1;\ndown(0);", "stack limit exceeded"),
    "log": ("for (let i = 0; ; i++) console.log('line', i);", "log limit exceeded"),
    "wall": ("setInterval(() => {}, 20);\nawait new Promise(() => {});", "wall time limit exceeded"),
}


def workspace_with_steps(server: Server, name: str, runaway: str) -> Workspace:
    ws = server.workspace(name=name, settings=SETTINGS)
    ws.put_step("runaway", step_file("{kind: 'runaway'}", runaway))
    ws.put_step("fine", step_file("{kind: 'fine'}", "data.checked = typeof ({}).polluted;\ntask.complete();"))
    return ws


@pytest.mark.parametrize("limit", RUNAWAYS)
def test_a_runaway_step_ends_its_task_in_error_and_the_next_task_runs(
    single_worker_server: Server, limit: str
) -> None:
    runaway, message = RUNAWAYS[limit]
    ws = workspace_with_steps(
        single_worker_server, f"runaway-{limit}", "Object.prototype.polluted = 1;\n" + runaway
    )
    failed_id = ws.new_task({"kind": "runaway"})
    failed = ws.settle(failed_id)
    assert failed["state"] == "error", failed
    assert failed["error"]["step"] == "runaway"
    assert failed["error"]["message"].startswith(message), failed["error"]
    assert len(runs_of(ws.events(failed_id), "runaway")) == 1
    fine = ws.settle(ws.new_task({"kind": "fine"}))
    assert fine["state"] == "done", fine
    assert fine["data"] == {"kind": "fine", "checked": "undefined"}


def test_a_step_that_logs_half_a_surrogate_pair_completes_with_its_log_readable(
    single_worker_server: Server,
) -> None:
    ws = workspace_with_steps(single_worker_server, "surrogates", "console.log('half \\ud800 pair');")
    task_id = ws.new_task({"kind": "runaway"})
    task = ws.settle(task_id)
    assert task["state"] == "incomplete", task
    [run] = runs_of(ws.events(task_id), "runaway")
    assert run["logs"][0]["message"] == "half \ufffd pair"
