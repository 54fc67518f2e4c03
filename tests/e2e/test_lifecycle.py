"""Every lifecycle rule of semantics.md section 5, end to end over HTTP on the local home: the
shared scenarios of tests/lifecycle_scenarios.py, which the AWS home runs too, plus what needs this
home's own set-up."""

import json
from collections.abc import Callable
from typing import Any

import pytest
from e2e_support import EXAMPLE, Server

import lifecycle_scenarios
from lifecycle_scenarios import NewWorkspace, ScenarioWorkspace, runs_of


def workspaces_of(server: Server) -> NewWorkspace:
    def new_workspace(settings: dict[str, Any] | None) -> ScenarioWorkspace:
        return server.workspace(settings=settings)

    return new_workspace


@pytest.mark.parametrize("scenario", lifecycle_scenarios.SHARED, ids=lambda scenario: scenario.__name__)
def test_lifecycle(scenario: Callable[[NewWorkspace], None], server: Server) -> None:
    scenario(workspaces_of(server))


def test_a_run_whose_condition_stopped_matching_is_skipped(single_worker_server: Server) -> None:
    """One worker process: runs happen one after the other, in dispatch order."""
    lifecycle_scenarios.a_run_whose_condition_stopped_matching_is_skipped(workspaces_of(single_worker_server))


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
