"""Time and children (semantics.md section 4: park, timeout, subtask; cancel; schedules) as
scenarios run by both homes: the local home over HTTP on a virtual clock (tests/e2e) and the AWS
home's Lambda handlers on moto with the one-minute tick (tests/integration/aws/pipeline).

Time only moves through `later`, which fires whatever is due as the home's timer would.
"""

from collections.abc import Callable
from typing import Any, Protocol

from lifecycle_scenarios import ScenarioWorkspace, runs_of, step_file

MINUTE_S = 60


class TimedWorkspace(ScenarioWorkspace, Protocol):
    def later(self, seconds: float) -> None:
        """Move the home's clock on by `seconds`, fire what is due and settle."""

    def cancel(self, task_id: str) -> tuple[int, dict[str, Any]]: ...

    def put_schedule(self, name: str, body: dict[str, Any]) -> dict[str, Any]: ...

    def list_tasks(self, state: str | None = None) -> list[dict[str, Any]]: ...


NewTimedWorkspace = Callable[[dict[str, Any] | None], TimedWorkspace]


def types_of(events: list[dict[str, Any]]) -> list[str]:
    return [event["type"] for event in events]


POLL = step_file(
    "{pod: String, ready: null}",
    "data.polls = (data.polls || 0) + 1; if (data.polls < 3) { step.redo(); task.park(5 * 60 * 1000); } "
    "else { data.ready = true; }",
)
FINISH = step_file("{ready: true}", "task.complete({polls: data.polls});")


def a_parked_task_waits_then_wakes_at_its_time(new_workspace: NewTimedWorkspace) -> None:
    ws = new_workspace(None)
    ws.put_step("poll", POLL)
    ws.put_step("finish", FINISH)
    task_id = ws.new_task({"pod": "web-1"})
    parked = ws.settle(task_id)
    assert parked["state"] == "waiting", parked
    assert parked["wake_at"] is not None
    assert parked["waiting_for"]["park_until"] == parked["wake_at"]
    assert ws.list_tasks("waiting")[0]["id"] == task_id
    ws.later(2 * MINUTE_S)
    assert ws.task(task_id)["state"] == "waiting"
    assert len(runs_of(ws.events(task_id), "poll")) == 1
    ws.later(4 * MINUTE_S)
    assert ws.task(task_id)["data"]["polls"] == 2
    ws.later(6 * MINUTE_S)
    done = ws.task(task_id)
    assert done["state"] == "done", done
    assert done["result"] == {"polls": 3}
    assert done["wake_at"] is None
    kinds = types_of(ws.events(task_id))
    assert kinds.count("parked") == 2 and kinds.count("woken") == 2


def a_patch_wakes_a_parked_task_early(new_workspace: NewTimedWorkspace) -> None:
    ws = new_workspace(None)
    ws.put_step(
        "wait for approval", step_file("{order: String, approved: null}", "task.park(24 * 3600 * 1000);")
    )
    ws.put_step("ship", step_file("{order: String, approved: true}", "task.complete({shipped: data.order});"))
    task_id = ws.new_task({"order": "A-1"})
    assert ws.settle(task_id)["state"] == "waiting"
    ws.patch(task_id, {"approved": True})
    done = ws.settle(task_id)
    assert done["state"] == "done", done
    assert done["result"] == {"shipped": "A-1"}
    events = ws.events(task_id)
    woken = [e for e in events if e["type"] == "woken"]
    assert [e["reason"] for e in woken] == ["data changed from outside"]


TIMEOUT = step_file(
    "{pod: String}", "task.timeout(2 * 60 * 1000); task.completeOnExpire({timedOut: data.pod});"
)


def a_timeout_completes_a_task_that_is_still_open(new_workspace: NewTimedWorkspace) -> None:
    ws = new_workspace(None)
    ws.put_step("deadline", TIMEOUT)
    task_id = ws.new_task({"pod": "web-2"})
    waiting = ws.settle(task_id)
    assert waiting["state"] == "waiting", waiting
    assert waiting["waiting_for"]["timeout"] is True
    assert waiting["timeout"]["on_expire"] == "complete"
    ws.later(MINUTE_S)
    assert ws.task(task_id)["state"] == "waiting"
    ws.later(2 * MINUTE_S)
    done = ws.task(task_id)
    assert done["state"] == "done", done
    assert done["result"] == {"timedOut": "web-2"}
    assert "expired" in types_of(ws.events(task_id))


def a_task_that_ends_first_cancels_its_timeout(new_workspace: NewTimedWorkspace) -> None:
    ws = new_workspace(None)
    ws.put_step("deadline", TIMEOUT)
    ws.put_step("answer", step_file("{pod: String, answered: true}", "task.complete('answered');"))
    task_id = ws.new_task({"pod": "web-3"})
    assert ws.settle(task_id)["state"] == "waiting"
    ws.patch(task_id, {"answered": True})
    assert ws.settle(task_id)["state"] == "done"
    ws.later(10 * MINUTE_S)
    done = ws.task(task_id)
    assert done["result"] == "answered"
    assert "expired" not in types_of(ws.events(task_id))


def a_timeout_without_complete_on_expire_ends_in_error(new_workspace: NewTimedWorkspace) -> None:
    ws = new_workspace(None)
    ws.put_step("deadline", step_file("{job: String}", "task.timeout(1000);"))
    task_id = ws.new_task({"job": "x"})
    assert ws.settle(task_id)["state"] == "waiting"
    ws.later(MINUTE_S)
    failed = ws.task(task_id)
    assert failed["state"] == "error"
    assert "timeout" in failed["error"]["message"]


FAN_OUT = step_file(
    "{topics: Array, results: null}",
    "for (const t of data.topics) {"
    " task.subtask('research ' + t, {topic: t}, {into: 'results.' + t, waitFor: true}); }",
)
RESEARCH = step_file("{topic: String}", "task.complete({summary: data.topic.toUpperCase()});")
COLLECT = step_file(
    "{results: {a: Object, b: Object}}",
    "task.complete({report: data.results.a.result.summary + ' ' + data.results.b.result.summary});",
)


def a_parent_waits_for_two_children_and_collects_both(new_workspace: NewTimedWorkspace) -> None:
    ws = new_workspace(None)
    ws.put_step("fan out", FAN_OUT)
    ws.put_step("research", RESEARCH)
    ws.put_step("collect", COLLECT)
    parent_id = ws.new_task({"topics": ["a", "b"]}, name="research")
    parent = ws.settle(parent_id)
    assert parent["state"] == "done", parent
    assert parent["result"] == {"report": "A B"}
    assert [c["name"] for c in parent["children"]] == ["research a", "research b"]
    assert all(c["wait_for"] and c["ended"] == "done" for c in parent["children"])
    for link in parent["children"]:
        child = ws.task(link["id"])
        assert child["parent"] == parent_id
        assert child["state"] == "done"
        topic = child["data"]["topic"]
        assert parent["data"]["results"][topic] == {
            "id": child["id"],
            "state": "done",
            "result": child["result"],
        }
    kinds = types_of(ws.events(parent_id))
    assert kinds.count("subtask") == 2 and kinds.count("child_ended") == 2
    assert kinds.index("subtask") < kinds.index("child_ended")


def a_parent_waits_while_a_child_is_parked(new_workspace: NewTimedWorkspace) -> None:
    ws = new_workspace(None)
    ws.put_step(
        "start child",
        step_file("{go: true}", "task.subtask('slow', {slow: true}, {into: 'child', waitFor: true});"),
    )
    ws.put_step(
        "slow child", step_file("{slow: true, parked: null}", "data.parked = true; task.park(3 * 60 * 1000);")
    )
    ws.put_step("child wakes", step_file("{slow: true, parked: true}", "task.complete(42);"))
    ws.put_step(
        "child done", step_file("{go: true, child: {state: 'done'}}", "task.complete(data.child.result);")
    )
    parent_id = ws.new_task({"go": True})
    parent = ws.settle(parent_id)
    assert parent["state"] == "waiting", parent
    assert parent["waiting_for"]["children"] == [parent["children"][0]["id"]]
    ws.later(4 * MINUTE_S)
    done = ws.task(parent_id)
    assert done["state"] == "done", done
    assert done["result"] == 42


def a_run_over_the_subtask_limit_fails_with_a_clear_error(new_workspace: NewTimedWorkspace) -> None:
    ws = new_workspace({"limits": {"subtasks_per_run": 1}})
    ws.put_step("fan out", FAN_OUT)
    parent_id = ws.new_task({"topics": ["a", "b"]})
    failed = ws.settle(parent_id)
    assert failed["state"] == "error"
    assert "subtask limit" in failed["error"]["message"]
    assert failed["children"] == []
    assert [t["id"] for t in ws.list_tasks()] == [parent_id]


def cancel_stops_a_parked_task_and_the_children_it_waits_for(new_workspace: NewTimedWorkspace) -> None:
    ws = new_workspace(None)
    ws.put_step(
        "start child",
        step_file("{go: true}", "task.subtask('slow', {slow: true}, {waitFor: true}); task.timeout(60000);"),
    )
    ws.put_step("slow child", step_file("{slow: true}", "task.park(3600 * 1000);"))
    parent_id = ws.new_task({"go": True})
    parent = ws.settle(parent_id)
    child_id = parent["children"][0]["id"]
    assert ws.task(child_id)["state"] == "waiting"
    status, cancelled = ws.cancel(parent_id)
    assert status == 200, cancelled
    assert cancelled["state"] == "cancelled"
    assert cancelled["wake_at"] is None
    ws.settle(parent_id)
    assert ws.task(child_id)["state"] == "cancelled"
    status, refused = ws.cancel(parent_id)
    assert status == 409
    assert refused["error"]["code"] == "conflict" and "cancelled" in refused["error"]["message"]
    ws.later(2 * 3600)
    assert ws.task(parent_id)["state"] == "cancelled"
    assert ws.task(child_id)["state"] == "cancelled"
    assert "expired" not in types_of(ws.events(parent_id))


def cancelling_a_done_task_is_a_conflict(new_workspace: NewTimedWorkspace) -> None:
    ws = new_workspace(None)
    ws.put_step("finish", step_file("{x: 1}", "task.complete();"))
    task_id = ws.new_task({"x": 1})
    assert ws.settle(task_id)["state"] == "done"
    status, body = ws.cancel(task_id)
    assert status == 409
    assert "already done" in body["error"]["message"]
    status, missing = ws.cancel("0000000000000000000000000000")
    assert status == 404
    assert missing["error"]["code"] == "not_found"


def schedule_tasks(ws: TimedWorkspace, name: str) -> list[dict[str, Any]]:
    return [t for t in ws.list_tasks() if t["data"].get("$via", {}).get("name") == name]


def a_schedule_fires_at_each_slot_and_once_after_downtime(new_workspace: NewTimedWorkspace) -> None:
    ws = new_workspace(None)
    ws.put_step("report", step_file("{$via: {type: 'schedule'}}", "task.complete({ran: data.kind});"))
    schedule = ws.put_schedule(
        "every-five", {"cron": "*/5 * * * *", "data": {"kind": "report"}, "name": "report"}
    )
    assert schedule["next_fire_at"] is not None
    assert schedule_tasks(ws, "every-five") == []
    for fired in (1, 2, 3):
        ws.later(5 * MINUTE_S)
        assert len(schedule_tasks(ws, "every-five")) == fired
    ws.later(60 * MINUTE_S)
    tasks = schedule_tasks(ws, "every-five")
    assert len(tasks) == 4
    assert all(
        t["state"] == "done" and t["result"] == {"ran": "report"} and t["name"] == "report" for t in tasks
    )
    via = tasks[0]["data"]["$via"]
    assert via["type"] == "schedule" and via["name"] == "every-five" and "fired_at" in via


SHARED = [
    a_parked_task_waits_then_wakes_at_its_time,
    a_patch_wakes_a_parked_task_early,
    a_timeout_completes_a_task_that_is_still_open,
    a_task_that_ends_first_cancels_its_timeout,
    a_timeout_without_complete_on_expire_ends_in_error,
    a_parent_waits_for_two_children_and_collects_both,
    a_parent_waits_while_a_child_is_parked,
    a_run_over_the_subtask_limit_fails_with_a_clear_error,
    cancel_stops_a_parked_task_and_the_children_it_waits_for,
    cancelling_a_done_task_is_a_conflict,
    a_schedule_fires_at_each_slot_and_once_after_downtime,
]
