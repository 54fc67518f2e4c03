"""Every lifecycle rule of semantics.md section 5, end to end over HTTP on the local home."""

import json
from typing import Any

from e2e_support import EXAMPLE, Server


def runs_of(events: list[dict[str, Any]], step: str) -> list[dict[str, Any]]:
    return [e for e in events if e["type"] == "run" and e["step"] == step]


def source(condition: str, body: str) -> str:
    """A one-line step file."""
    return f"export const condition = {condition};\nexport const content = async () => {{ {body} }};"


def test_onboarding_example_ends_done_with_both_parallel_changes(server: Server) -> None:
    ws = server.workspace()
    ws.use_example()
    task_id = ws.new_task(json.loads((EXAMPLE / "task.json").read_text()), name="onboard Ada")
    task = ws.settle(task_id)
    assert task["state"] == "done", task
    assert task["data"]["customer"]["crm_id"].startswith("crm-")
    assert task["data"]["welcome"]["to"] == "ada@example.com"
    # Both connectors were really called: the stand-in services kept what they received.
    assert server.examples.contacts[task["data"]["customer"]["crm_id"]]["email"] == "ada@example.com"
    assert {"text": task["data"]["welcome"]["text"], "channel": "#onboarding"} in server.examples.messages
    assert task["result"] == {"crm_id": task["data"]["customer"]["crm_id"], "welcomed": "ada@example.com"}
    events = ws.events(task_id)
    for step in ("validate email", "add to crm", "send welcome", "finish onboarding"):
        assert len(runs_of(events, step)) == 1, step
    assert runs_of(events, "reject invalid email") == []
    assert next(e["text"] for e in events if e["type"] == "audit").startswith("customer ada@example.com")
    assert task["runs"] == 4


def test_onboarding_example_ignores_an_invalid_email(server: Server) -> None:
    ws = server.workspace()
    ws.use_example()
    task = ws.settle(ws.new_task({"customer": {"email": "not-an-address"}}))
    assert task["state"] == "ignored"
    assert "crm_id" not in task["data"]["customer"]


def test_a_step_runs_once_per_task_although_it_keeps_matching(server: Server) -> None:
    ws = server.workspace()
    ws.put_step("touch", source("{n: Number}", "data.n += 1;"))
    task_id = ws.new_task({"n": 0})
    task = ws.settle(task_id)
    assert task["data"] == {"n": 1}
    assert task["state"] == "incomplete"
    assert len(runs_of(ws.events(task_id), "touch")) == 1


def test_redo_lets_a_step_run_again_when_it_matches_again(server: Server) -> None:
    ws = server.workspace()
    ws.put_step(
        "count",
        source("{n: {$lt: 3}}", "data.n += 1; step.redo();"),
    )
    task = ws.settle(ws.new_task({"n": 0}))
    assert task["data"] == {"n": 3}
    assert task["runs"] == 3


def test_the_loop_guard_stops_a_runaway_redo(server: Server) -> None:
    ws = server.workspace(settings={"max_runs_per_task": 5})
    ws.put_step(
        "forever",
        source("{n: Number}", "data.n++; step.redo();"),
    )
    task = ws.settle(ws.new_task({"n": 0}))
    assert task["state"] == "error"
    assert "step run limit" in task["error"]["message"]
    assert task["runs"] == 5


def test_empty_data_means_done(server: Server) -> None:
    ws = server.workspace()
    ws.put_step(
        "consume",
        source("{job: String}", "delete data.job;"),
    )
    task = ws.settle(ws.new_task({"job": "x"}))
    assert task["state"] == "done"
    assert task["data"] == {}


def test_an_error_keeps_the_data_and_names_the_line(server: Server) -> None:
    ws = server.workspace()
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
    assert run["changes"] == [] and run["error"]["line"] == 4


def test_incomplete_then_resume_after_a_new_step(server: Server) -> None:
    ws = server.workspace()
    task_id = ws.new_task({"ticket": {"subject": "refund"}})
    assert ws.settle(task_id)["state"] == "incomplete"
    ws.put_step(
        "triage",
        "export const condition = {ticket: {subject: String}};\n"
        "export const content = async () => { task.complete({queue: 'billing'}); };",
    )
    assert ws.client.post(f"/v1/tasks/{task_id}/resume").status_code == 202
    task = ws.settle(task_id)
    assert task["state"] == "done"
    assert task["result"] == {"queue": "billing"}
    assert "resumed" in [e["type"] for e in ws.events(task_id)]


def test_resume_after_fixing_the_failed_step(server: Server) -> None:
    ws = server.workspace()
    broken = source("{a: 1}", "undefinedFunction();")
    ws.put_step("fixme", broken)
    task_id = ws.new_task({"a": 1})
    assert ws.settle(task_id)["state"] == "error"
    ws.put_step("fixme", source("{a: 1}", "data.a = 2;"))
    assert ws.client.post(f"/v1/tasks/{task_id}/resume").status_code == 202
    task = ws.settle(task_id)
    assert task["data"] == {"a": 2}
    versions = [run["version"] for run in runs_of(ws.events(task_id), "fixme")]
    assert versions == [1, 2]


def test_sequential_mode_runs_most_specific_first_then_creation_order(server: Server) -> None:
    ws = server.workspace(settings={"execution": "sequential"})
    record = "data.order = [...(data.order ?? []), step.name()];"
    ws.put_step(
        "first created",
        source("{x: 1}", record),
    )
    ws.put_step(
        "second created",
        source("{y: 1}", record),
    )
    ws.put_step(
        "most specific",
        source("{x: 1, y: 1}", record),
    )
    task = ws.settle(ws.new_task({"x": 1, "y": 1}))
    assert task["data"]["order"] == ["most specific", "first created", "second created"]


def test_parallel_writes_to_one_path_record_a_conflict(server: Server) -> None:
    ws = server.workspace()
    for name in ("left", "right"):
        ws.put_step(
            name,
            "export const condition = {go: true};\n"
            "export const content = async () => {\n"
            "  await new Promise((resolve) => setTimeout(resolve, 400));\n"
            f"  data.winner = '{name}';\n"
            "};",
        )
    task_id = ws.new_task({"go": True})
    task = ws.settle(task_id)
    conflicts = [e for e in ws.events(task_id) if e["type"] == "conflict"]
    assert len(conflicts) == 1
    assert conflicts[0]["paths"] == [["winner"]]
    assert task["data"]["winner"] == conflicts[0]["step"]


def test_a_run_whose_condition_stopped_matching_is_skipped(single_worker_server: Server) -> None:
    ws = single_worker_server.workspace()
    ws.put_step(
        "claim it",
        source("{free: true, who: null}", "data.free = false;"),
    )
    ws.put_step(
        "also claim",
        source("{free: true}", "data.free = false;"),
    )
    task_id = ws.new_task({"free": True})
    ws.settle(task_id)
    events = ws.events(task_id)
    skipped = [e for e in events if e["type"] == "skipped"]
    assert [e["step"] for e in skipped] == ["also claim"]
    assert "no longer matches" in skipped[0]["reason"]
    assert runs_of(events, "also claim") == []


def test_patch_from_outside_rematches_but_does_not_reset_once_per_task(server: Server) -> None:
    ws = server.workspace()
    ws.put_step(
        "greet",
        source("{name: String}", "data.greeted = true;"),
    )
    ws.put_step(
        "bill",
        source("{plan: String}", "data.billed = true;"),
    )
    task_id = ws.new_task({"name": "Ada"})
    assert ws.settle(task_id)["state"] == "incomplete"
    answer = ws.client.patch(f"/v1/tasks/{task_id}", json={"data": {"plan": "pro", "greeted": None}})
    assert answer.status_code == 200
    task = ws.settle(task_id)
    assert task["data"] == {"name": "Ada", "plan": "pro", "billed": True}
    events = ws.events(task_id)
    assert len(runs_of(events, "greet")) == 1
    assert "patched" in [e["type"] for e in events]


def test_history_tells_the_whole_story_in_order(server: Server) -> None:
    ws = server.workspace()
    ws.put_step(
        "only",
        source("{a: 1}", "console.log('hi', {a: 1}); data.b = 2;"),
    )
    task_id = ws.new_task({"a": 1})
    ws.settle(task_id)
    events = ws.events(task_id)
    assert [e["seq"] for e in events] == list(range(1, len(events) + 1))
    assert [e["type"] for e in events] == ["created", "dispatched", "run", "state"]
    run = events[2]
    assert run["logs"] == [{"level": "log", "message": 'hi {"a":1}'}]
    assert run["changes"] == [{"op": "set", "path": ["b"], "value": 2}]
    assert run["version"] == 1 and run["duration_ms"] >= 0 and run["error"] is None


def test_secrets_are_readable_by_steps_but_never_shown(server: Server) -> None:
    ws = server.workspace()
    assert ws.client.put("/v1/secrets/CRM_TOKEN", json={"value": "s3cr3t-value"}).status_code == 204
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
    assert "s3cr3t-value" not in ws.client.get("/v1/secrets").text
