"""What the dashboard's routes do to real runs, as scenarios that both homes' tests run: the local
home over HTTP (tests/e2e) and the AWS home's handlers on moto (tests/integration/aws/pipeline)."""

from collections.abc import Callable
from typing import Any

from lifecycle_scenarios import ScenarioWorkspace, runs_of, step_file

Send = Callable[[str, str, object], tuple[int, Any]]
"""(method, path with its query, JSON body or None) -> (status, JSON answer)."""


def a_rerun_from_a_failed_run_runs_that_step_again_and_not_the_earlier_ones(
    ws: ScenarioWorkspace, send: Send
) -> None:
    ws.put_step("charge", step_file("{order: Number, charged: null}", "data.charged = true;"))
    ws.put_step(
        "ship",
        step_file(
            "{charged: true, shipped: null}",
            "if (!data.address) throw new Error('no address'); data.shipped = true; task.complete();",
        ),
    )
    task_id = ws.new_task({"order": 1})
    assert ws.settle(task_id)["state"] == "error"
    [failed] = runs_of(ws.events(task_id), "ship")

    status, answer = send(
        "POST",
        f"/v1/tasks/{task_id}/rerun",
        {"from": failed["seq"], "data": {"order": 1, "charged": True, "address": "x"}},
    )

    assert status == 202, answer
    task = ws.settle(task_id)
    assert task["state"] == "done", task
    assert task["data"] == {"order": 1, "charged": True, "address": "x", "shipped": True}
    events = ws.events(task_id)
    assert len(runs_of(events, "charge")) == 1
    assert len(runs_of(events, "ship")) == 2
    rerun = next(e for e in events if e["type"] == "rerun")
    assert (rerun["from"], rerun["edited"]) == (failed["seq"], True)
    status, replayed = send("GET", f"/v1/tasks/{task_id}/data?at={events[-1]['seq']}", None)
    assert (status, replayed["data"]) == (200, task["data"])


def a_rerun_from_the_start_runs_every_step_again(ws: ScenarioWorkspace, send: Send) -> None:
    ws.put_step("count", step_file("{n: Number, counted: null}", "data.counted = true; data.n += 1;"))
    ws.put_step("check", step_file("{counted: true}", "if (data.n > 1) throw new Error('too many');"))
    task_id = ws.new_task({"n": 0})
    assert ws.settle(task_id)["state"] == "incomplete"

    status, answer = send("POST", f"/v1/tasks/{task_id}/rerun", {"from": None})

    assert status == 202, answer
    task = ws.settle(task_id)
    assert task["data"] == {"n": 1, "counted": True}
    assert task["state"] == "incomplete"
    events = ws.events(task_id)
    assert (len(runs_of(events, "count")), len(runs_of(events, "check"))) == (2, 2)


def a_bulk_resume_runs_the_fixed_step_on_every_failed_task(ws: ScenarioWorkspace, send: Send) -> None:
    ws.put_step("flaky", step_file("{n: Number}", "throw new Error('broken');"))
    task_ids = [ws.new_task({"n": n}, name="batch") for n in range(3)]
    assert {ws.settle(task_id)["state"] for task_id in task_ids} == {"error"}
    ws.put_step("flaky", step_file("{n: Number}", "task.complete(data.n);"))

    changed: list[str] = []
    cursor = None
    calls = 0
    while True:
        body = {
            "action": "resume",
            "filter": {"state": "error", "step": "flaky"},
            "limit": 2,
            "cursor": cursor,
        }
        status, page = send("POST", "/v1/tasks/bulk", body)
        assert status == 200, page
        assert page["skipped"] == []
        changed += page["changed"]
        cursor = page["next"]
        calls += 1
        if cursor is None:
            break

    assert sorted(changed) == sorted(task_ids)
    assert calls == 2
    assert [ws.settle(task_id)["result"] for task_id in task_ids] == [0, 1, 2]
    status, counts = send("GET", "/v1/tasks/counts?step=flaky&name=batch", None)
    assert (status, counts["counts"]["done"], counts["total"]) == (200, 3, 3)


class ReplayChecked:
    """A scenario workspace whose every `settle` also checks that the history, replayed by
    `GET /v1/tasks/{id}/data?at=<last seq>`, gives the stored data: run under the lifecycle and
    time scenarios, it holds replay to whatever those make the engine do."""

    def __init__(self, inner: Any, send: Send) -> None:
        self._inner = inner
        self._send = send

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    def settle(self, task_id: str, *args: Any, **options: Any) -> dict[str, Any]:
        task: dict[str, Any] = self._inner.settle(task_id, *args, **options)
        last = self._inner.events(task_id)[-1]["seq"]
        status, replayed = self._send("GET", f"/v1/tasks/{task_id}/data?at={last}", None)
        assert status == 200, replayed
        assert replayed["data"] == task["data"], (task_id, last)
        return task
