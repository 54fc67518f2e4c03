"""The lifecycle rules of semantics.md section 5 on the AWS home: the assertions of
tests/e2e/test_lifecycle.py, through the API, matcher and runner handlers on moto."""

import json
from collections.abc import Callable

from api_client import Workspace
from driver import PipelineDriver
from scenarios import (
    EXAMPLE,
    run_dispatched_together,
    runs_of,
    step_file,
    use_example,
)

from aloma_core.home.example_services import ExampleServices

NewWorkspace = Callable[..., Workspace]

pytest_plugins = ["pipeline_fixtures"]


def test_onboarding_example_ends_done_with_both_parallel_changes(
    new_workspace: NewWorkspace, example_services: tuple[str, ExampleServices]
) -> None:
    url, services = example_services
    ws = new_workspace()
    use_example(ws, url)
    task_id = ws.new_task(json.loads((EXAMPLE / "task.json").read_text()), name="onboard Ada")
    task = ws.settle(task_id)
    assert task["state"] == "done", task
    assert task["data"]["customer"]["crm_id"].startswith("crm-")
    assert task["data"]["welcome"]["to"] == "ada@example.com"
    assert services.contacts[task["data"]["customer"]["crm_id"]]["email"] == "ada@example.com"
    assert {"text": task["data"]["welcome"]["text"], "channel": "#onboarding"} in services.messages
    assert task["result"] == {"crm_id": task["data"]["customer"]["crm_id"], "welcomed": "ada@example.com"}
    events = ws.events(task_id)
    for step in ("validate email", "add to crm", "send welcome", "finish onboarding"):
        assert len(runs_of(events, step)) == 1, step
    assert runs_of(events, "reject invalid email") == []
    assert next(e["text"] for e in events if e["type"] == "audit").startswith("customer ada@example.com")
    assert task["runs"] == 4


def test_onboarding_example_ignores_an_invalid_email(
    new_workspace: NewWorkspace, example_services: tuple[str, ExampleServices]
) -> None:
    ws = new_workspace()
    use_example(ws, example_services[0])
    task = ws.settle(ws.new_task({"customer": {"email": "not-an-address"}}))
    assert task["state"] == "ignored"
    assert "crm_id" not in task["data"]["customer"]


def test_a_step_runs_once_per_task_although_it_keeps_matching(new_workspace: NewWorkspace) -> None:
    ws = new_workspace()
    ws.put_step("touch", step_file("{n: Number}", "data.n += 1;"))
    task_id = ws.new_task({"n": 0})
    task = ws.settle(task_id)
    assert task["data"] == {"n": 1}
    assert task["state"] == "incomplete"
    assert len(runs_of(ws.events(task_id), "touch")) == 1


def test_redo_lets_a_step_run_again_when_it_matches_again(new_workspace: NewWorkspace) -> None:
    ws = new_workspace()
    ws.put_step("count", step_file("{n: {$lt: 3}}", "data.n += 1; step.redo();"))
    task = ws.settle(ws.new_task({"n": 0}))
    assert task["data"] == {"n": 3}
    assert task["runs"] == 3


def test_the_loop_guard_stops_a_runaway_redo(new_workspace: NewWorkspace) -> None:
    ws = new_workspace({"max_runs_per_task": 5})
    ws.put_step("forever", step_file("{n: Number}", "data.n++; step.redo();"))
    task = ws.settle(ws.new_task({"n": 0}))
    assert task["state"] == "error"
    assert "step run limit" in task["error"]["message"]
    assert task["runs"] == 5


def test_empty_data_means_done(new_workspace: NewWorkspace) -> None:
    ws = new_workspace()
    ws.put_step("consume", step_file("{job: String}", "delete data.job;"))
    task = ws.settle(ws.new_task({"job": "x"}))
    assert task["state"] == "done"
    assert task["data"] == {}


def test_an_error_keeps_the_data_and_names_the_line(new_workspace: NewWorkspace) -> None:
    ws = new_workspace()
    ws.put_step(
        "reserve",
        "export const condition = {order: Object};\n"
        "export const content = async () => {\n"
        "  data.order.touched = true;\n"
        "  throw new Error('no stock for ' + data.order.sku);\n"
        "};\n",
    )
    task_id = ws.new_task({"order": {"sku": "X1"}})
    task = ws.settle(task_id)
    assert task["state"] == "error"
    assert task["data"] == {"order": {"sku": "X1"}}
    assert task["error"] == {"step": "reserve", "message": task["error"]["message"], "line": 4}
    assert "no stock for X1" in task["error"]["message"]
    (run,) = runs_of(ws.events(task_id), "reserve")
    assert run["changes"] == []
    assert run["error"]["line"] == 4


def test_incomplete_then_resume_after_a_new_step(new_workspace: NewWorkspace) -> None:
    ws = new_workspace()
    task_id = ws.new_task({"ticket": {"subject": "refund"}})
    assert ws.settle(task_id)["state"] == "incomplete"
    ws.put_step("triage", step_file("{ticket: {subject: String}}", "task.complete({queue: 'billing'});"))
    ws.api.ok("POST", f"/v1/tasks/{task_id}/resume", status=202)
    task = ws.settle(task_id)
    assert task["state"] == "done"
    assert task["result"] == {"queue": "billing"}
    assert "resumed" in [e["type"] for e in ws.events(task_id)]


def test_resume_after_fixing_the_failed_step(new_workspace: NewWorkspace) -> None:
    ws = new_workspace()
    ws.put_step("fixme", step_file("{a: 1}", "undefinedFunction();"))
    task_id = ws.new_task({"a": 1})
    assert ws.settle(task_id)["state"] == "error"
    ws.put_step("fixme", step_file("{a: 1}", "data.a = 2;"))
    ws.api.ok("POST", f"/v1/tasks/{task_id}/resume", status=202)
    task = ws.settle(task_id)
    assert task["data"] == {"a": 2}
    assert [run["version"] for run in runs_of(ws.events(task_id), "fixme")] == [1, 2]


def test_sequential_mode_runs_most_specific_first_then_creation_order(new_workspace: NewWorkspace) -> None:
    ws = new_workspace({"execution": "sequential"})
    record = "data.order = [...(data.order ?? []), step.name()];"
    ws.put_step("first created", step_file("{x: 1}", record))
    ws.put_step("second created", step_file("{y: 1}", record))
    ws.put_step("most specific", step_file("{x: 1, y: 1}", record))
    task = ws.settle(ws.new_task({"x": 1, "y": 1}))
    assert task["data"]["order"] == ["most specific", "first created", "second created"]


def test_parallel_writes_to_one_path_record_a_conflict(
    new_workspace: NewWorkspace, pipeline: PipelineDriver
) -> None:
    """Both runs read the same data version and commit together: the one committing last wins."""
    ws = new_workspace()
    for name in ("left", "right"):
        ws.put_step(name, step_file("{go: true}", f"data.winner = '{name}';"))
    task_id = ws.new_task({"go": True})
    run_dispatched_together(pipeline, 2)
    task = ws.settle(task_id)
    conflicts = [e for e in ws.events(task_id) if e["type"] == "conflict"]
    assert len(conflicts) == 1
    assert conflicts[0]["paths"] == [["winner"]]
    assert task["data"]["winner"] == conflicts[0]["step"]


def test_a_run_whose_condition_stopped_matching_is_skipped(new_workspace: NewWorkspace) -> None:
    """Both are dispatched from one version; the more specific runs first and the other, re-checked
    on the latest data, no longer matches."""
    ws = new_workspace()
    ws.put_step("claim it", step_file("{free: true, who: null}", "data.free = false;"))
    ws.put_step("also claim", step_file("{free: true}", "data.free = false;"))
    task_id = ws.new_task({"free": True})
    ws.settle(task_id)
    events = ws.events(task_id)
    skipped = [e for e in events if e["type"] == "skipped"]
    assert [e["step"] for e in skipped] == ["also claim"]
    assert "no longer matches" in skipped[0]["reason"]
    assert runs_of(events, "also claim") == []


def test_patch_from_outside_rematches_but_does_not_reset_once_per_task(new_workspace: NewWorkspace) -> None:
    ws = new_workspace()
    ws.put_step("greet", step_file("{name: String}", "data.greeted = true;"))
    ws.put_step("bill", step_file("{plan: String}", "data.billed = true;"))
    task_id = ws.new_task({"name": "Ada"})
    assert ws.settle(task_id)["state"] == "incomplete"
    ws.api.ok("PATCH", f"/v1/tasks/{task_id}", {"data": {"plan": "pro", "greeted": None}})
    task = ws.settle(task_id)
    assert task["data"] == {"name": "Ada", "plan": "pro", "billed": True}
    events = ws.events(task_id)
    assert len(runs_of(events, "greet")) == 1
    assert "patched" in [e["type"] for e in events]


def test_history_tells_the_whole_story_in_order(new_workspace: NewWorkspace) -> None:
    ws = new_workspace()
    ws.put_step("only", step_file("{a: 1}", "console.log('hi', {a: 1}); data.b = 2;"))
    task_id = ws.new_task({"a": 1})
    ws.settle(task_id)
    events = ws.events(task_id)
    assert [e["seq"] for e in events] == list(range(1, len(events) + 1))
    assert [e["type"] for e in events] == ["created", "dispatched", "run", "state"]
    run = events[2]
    assert run["logs"] == [{"level": "log", "message": 'hi {"a":1}'}]
    assert run["changes"] == [{"op": "set", "path": ["b"], "value": 2}]
    assert run["version"] == 1
    assert run["duration_ms"] >= 0
    assert run["error"] is None
