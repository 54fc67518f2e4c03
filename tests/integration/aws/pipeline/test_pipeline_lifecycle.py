"""The lifecycle rules of semantics.md section 5 on the AWS home, through the API, matcher and runner
handlers on moto: the shared scenarios of tests/lifecycle_scenarios.py, which the local home runs
too, plus what needs this home's own set-up."""

import json
from collections.abc import Callable

import pytest
from api_client import Workspace
from driver import PipelineDriver
from scenarios import EXAMPLE, run_dispatched_together, use_example

import lifecycle_scenarios
from aloma_core.home.example_services import ExampleServices
from lifecycle_scenarios import runs_of, step_file

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


@pytest.mark.parametrize("scenario", lifecycle_scenarios.SHARED, ids=lambda scenario: scenario.__name__)
def test_lifecycle(
    scenario: Callable[[lifecycle_scenarios.NewWorkspace], None], new_workspace: NewWorkspace
) -> None:
    scenario(new_workspace)


def test_a_run_whose_condition_stopped_matching_is_skipped(new_workspace: NewWorkspace) -> None:
    """The driver runs one message at a time, in dispatch order."""
    lifecycle_scenarios.a_run_whose_condition_stopped_matching_is_skipped(new_workspace)
