"""The lifecycle rules of semantics.md section 5 as scenarios, run by both homes' tests.

Each scenario drives a workspace through the HTTP contract only, so the local home (uvicorn over
SQLite, tests/e2e) and the AWS home (the Lambda handlers on moto, tests/integration/aws/pipeline)
are held to exactly the same assertions.
"""

import json
from collections.abc import Callable
from typing import Any, Protocol


class ScenarioWorkspace(Protocol):
    def put_step(self, name: str, source: str) -> dict[str, Any]: ...

    def new_task(self, data: dict[str, Any], name: str | None = None) -> str: ...

    def task(self, task_id: str) -> dict[str, Any]: ...

    def events(self, task_id: str) -> list[dict[str, Any]]: ...

    def settle(self, task_id: str) -> dict[str, Any]:
        """The task once the home has nothing left to match or run."""

    def resume(self, task_id: str) -> None: ...

    def patch(self, task_id: str, data: dict[str, Any]) -> None: ...

    def put_secret(self, name: str, value: str) -> None: ...

    def secret_names(self) -> list[str]: ...


NewWorkspace = Callable[[dict[str, Any] | None], ScenarioWorkspace]
"""A fresh workspace, with these settings when given."""


def step_file(condition: str, body: str) -> str:
    """A one-line step file."""
    return f"export const condition = {condition};\nexport const content = async () => {{ {body} }};"


def runs_of(events: list[dict[str, Any]], step: str) -> list[dict[str, Any]]:
    return [e for e in events if e["type"] == "run" and e["step"] == step]


def a_step_runs_once_per_task_although_it_keeps_matching(new_workspace: NewWorkspace) -> None:
    ws = new_workspace(None)
    ws.put_step("touch", step_file("{n: Number}", "data.n += 1;"))
    task_id = ws.new_task({"n": 0})
    task = ws.settle(task_id)
    assert task["data"] == {"n": 1}
    assert task["state"] == "incomplete"
    assert len(runs_of(ws.events(task_id), "touch")) == 1


def redo_lets_a_step_run_again_when_it_matches_again(new_workspace: NewWorkspace) -> None:
    ws = new_workspace(None)
    ws.put_step("count", step_file("{n: {$lt: 3}}", "data.n += 1; step.redo();"))
    task = ws.settle(ws.new_task({"n": 0}))
    assert task["data"] == {"n": 3}
    assert task["runs"] == 3


def the_loop_guard_stops_a_runaway_redo(new_workspace: NewWorkspace) -> None:
    ws = new_workspace({"max_runs_per_task": 5})
    ws.put_step("forever", step_file("{n: Number}", "data.n++; step.redo();"))
    task = ws.settle(ws.new_task({"n": 0}))
    assert task["state"] == "error"
    assert "step run limit" in task["error"]["message"]
    assert task["runs"] == 5


def empty_data_means_done(new_workspace: NewWorkspace) -> None:
    ws = new_workspace(None)
    ws.put_step("consume", step_file("{job: String}", "delete data.job;"))
    task = ws.settle(ws.new_task({"job": "x"}))
    assert task["state"] == "done"
    assert task["data"] == {}


def an_error_keeps_the_data_and_names_the_line(new_workspace: NewWorkspace) -> None:
    ws = new_workspace(None)
    source = (
        "export const condition = {order: Object};\n"
        "export const content = async () => {\n"
        "  data.order.touched = true;\n"
        "  throw new Error('no stock for ' + data.order.sku);\n"
        "};\n"
    )
    ws.put_step("reserve", source)
    task_id = ws.new_task({"order": {"sku": "X1"}})
    task = ws.settle(task_id)
    assert task["state"] == "error"
    assert task["data"] == {"order": {"sku": "X1"}}
    assert task["error"] == {"step": "reserve", "message": task["error"]["message"], "line": 4}
    assert "no stock for X1" in task["error"]["message"]
    (run,) = runs_of(ws.events(task_id), "reserve")
    assert run["changes"] == []
    assert run["error"]["line"] == 4


def incomplete_then_resume_after_a_new_step(new_workspace: NewWorkspace) -> None:
    ws = new_workspace(None)
    task_id = ws.new_task({"ticket": {"subject": "refund"}})
    assert ws.settle(task_id)["state"] == "incomplete"
    ws.put_step("triage", step_file("{ticket: {subject: String}}", "task.complete({queue: 'billing'});"))
    ws.resume(task_id)
    task = ws.settle(task_id)
    assert task["state"] == "done"
    assert task["result"] == {"queue": "billing"}
    assert "resumed" in [e["type"] for e in ws.events(task_id)]


def resume_after_fixing_the_failed_step(new_workspace: NewWorkspace) -> None:
    ws = new_workspace(None)
    ws.put_step("fixme", step_file("{a: 1}", "undefinedFunction();"))
    task_id = ws.new_task({"a": 1})
    assert ws.settle(task_id)["state"] == "error"
    ws.put_step("fixme", step_file("{a: 1}", "data.a = 2;"))
    ws.resume(task_id)
    task = ws.settle(task_id)
    assert task["data"] == {"a": 2}
    assert [run["version"] for run in runs_of(ws.events(task_id), "fixme")] == [1, 2]


def sequential_mode_runs_most_specific_first_then_creation_order(new_workspace: NewWorkspace) -> None:
    ws = new_workspace({"execution": "sequential"})
    record = "data.order = [...(data.order ?? []), step.name()];"
    ws.put_step("first created", step_file("{x: 1}", record))
    ws.put_step("second created", step_file("{y: 1}", record))
    ws.put_step("most specific", step_file("{x: 1, y: 1}", record))
    task = ws.settle(ws.new_task({"x": 1, "y": 1}))
    assert task["data"]["order"] == ["most specific", "first created", "second created"]


def patch_from_outside_rematches_but_does_not_reset_once_per_task(new_workspace: NewWorkspace) -> None:
    ws = new_workspace(None)
    ws.put_step("greet", step_file("{name: String}", "data.greeted = true;"))
    ws.put_step("bill", step_file("{plan: String}", "data.billed = true;"))
    task_id = ws.new_task({"name": "Ada"})
    assert ws.settle(task_id)["state"] == "incomplete"
    ws.patch(task_id, {"plan": "pro", "greeted": None})
    task = ws.settle(task_id)
    assert task["data"] == {"name": "Ada", "plan": "pro", "billed": True}
    events = ws.events(task_id)
    assert len(runs_of(events, "greet")) == 1
    assert "patched" in [e["type"] for e in events]


def history_tells_the_whole_story_in_order(new_workspace: NewWorkspace) -> None:
    ws = new_workspace(None)
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


def a_run_whose_condition_stopped_matching_is_skipped(new_workspace: NewWorkspace) -> None:
    """Both are dispatched from one version; the more specific runs first (the home must run them
    one after the other) and the other, re-checked on the latest data, no longer matches."""
    ws = new_workspace(None)
    ws.put_step("claim it", step_file("{free: true, who: null}", "data.free = false;"))
    ws.put_step("also claim", step_file("{free: true}", "data.free = false;"))
    task_id = ws.new_task({"free": True})
    ws.settle(task_id)
    events = ws.events(task_id)
    skipped = [e for e in events if e["type"] == "skipped"]
    assert [e["step"] for e in skipped] == ["also claim"]
    assert "no longer matches" in skipped[0]["reason"]
    assert runs_of(events, "also claim") == []


def secrets_are_readable_by_steps_but_never_shown(new_workspace: NewWorkspace) -> None:
    ws = new_workspace(None)
    ws.put_secret("CRM_TOKEN", "s3cr3t-value")
    ws.put_step(
        "use secret",
        "export const condition = {go: true};\n"
        "export const content = async () => {\n"
        "  const token = task.config('CRM_TOKEN');\n"
        "  console.log('token is', token);\n"
        "  audit.log('used ' + token);\n"
        "  data.token_length = token.length;\n"
        "};",
    )
    task_id = ws.new_task({"go": True})
    task = ws.settle(task_id)
    assert task["data"]["token_length"] == len("s3cr3t-value")
    history = json.dumps(ws.events(task_id))
    assert "s3cr3t-value" not in history
    assert "token is ***" in history
    assert ws.secret_names() == ["CRM_TOKEN"]


SHARED: list[Callable[[NewWorkspace], None]] = [
    a_step_runs_once_per_task_although_it_keeps_matching,
    redo_lets_a_step_run_again_when_it_matches_again,
    the_loop_guard_stops_a_runaway_redo,
    empty_data_means_done,
    an_error_keeps_the_data_and_names_the_line,
    incomplete_then_resume_after_a_new_step,
    resume_after_fixing_the_failed_step,
    sequential_mode_runs_most_specific_first_then_creation_order,
    patch_from_outside_rematches_but_does_not_reset_once_per_task,
    history_tells_the_whole_story_in_order,
    secrets_are_readable_by_steps_but_never_shown,
]
"""Scenarios any home runs as they are (the skip needs runs one after the other: see its doc)."""
