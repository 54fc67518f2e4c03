"""The dashboard on the AWS home (API, matcher and runner handlers on moto): its pages served by the
API function, a failed run shown at its line; a rerun and a bulk resume are new task versions the
stream filter lets through, so steps really run again."""

from collections.abc import Callable
from dataclasses import replace
from typing import Any

import pytest
from api_client import Workspace

import dashboard_scenarios
import lifecycle_scenarios
import time_scenarios
from dashboard_scenarios import ReplayChecked, Send
from lifecycle_scenarios import ScenarioWorkspace, step_file

pytest_plugins = ["pipeline_fixtures"]

SCENARIOS = [
    dashboard_scenarios.a_rerun_from_a_failed_run_runs_that_step_again_and_not_the_earlier_ones,
    dashboard_scenarios.a_rerun_from_the_start_runs_every_step_again,
    dashboard_scenarios.a_bulk_resume_runs_the_fixed_step_on_every_failed_task,
]


def sender(ws: Workspace) -> Send:
    def send(method: str, path: str, body: object) -> tuple[int, Any]:
        route, _, query = path.partition("?")
        answer = ws.api.call(method, route, body, query=query)
        return answer.status, answer.body

    return send


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda scenario: scenario.__name__)
def test_dashboard_scenario(
    scenario: Callable[[ScenarioWorkspace, Send], None], new_workspace: Callable[..., Workspace]
) -> None:
    ws = new_workspace()
    scenario(ws, sender(ws))


@pytest.mark.parametrize(
    "scenario",
    [*lifecycle_scenarios.SHARED, *time_scenarios.SHARED],
    ids=lambda scenario: scenario.__name__,
)
def test_replay_gives_the_stored_data_after_every_shared_scenario(
    scenario: Callable[[Any], None], new_workspace: Callable[..., Workspace]
) -> None:
    def checked(*args: Any, **options: Any) -> ReplayChecked:
        ws = new_workspace(*args, **options)
        return ReplayChecked(ws, sender(ws))

    scenario(checked)


def test_the_api_function_serves_the_dashboard(new_workspace: Callable[..., Workspace]) -> None:
    ws = new_workspace()
    ws.put_step("check", step_file("{n: Number}", "if (data.n > 1) {\n  throw new Error('too big');\n}"))
    task_id = ws.new_task({"n": 2})
    assert ws.settle(task_id)["state"] == "error"

    shell = ws.api.page(f"/ui/tasks/{task_id}")
    script = ws.api.page("/ui/static/app.js")
    story = ws.api.page(f"/ui/f/tasks/{task_id}/timeline")
    anonymous = replace(ws.api, key=None).page(f"/ui/f/tasks/{task_id}/timeline")

    assert shell[0] == 200
    assert "default-src 'self'" in shell[2]["content-security-policy"]
    assert (script[0], script[2]["content-type"]) == (200, "text/javascript; charset=utf-8")
    assert story[0] == 200
    assert "run of check failed" in story[1]
    highlighted = story[1].split('<span class="hll">', 1)[1].split("\n", 1)[0]
    assert "too big" in highlighted
    assert anonymous[0] == 401
