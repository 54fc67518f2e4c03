"""The dashboard's task routes on the local home, end to end: reruns and bulk resumes really run
steps again (the shared scenarios of tests/dashboard_scenarios.py, which the AWS home runs too)."""

from collections.abc import Callable
from typing import Any

import pytest
from e2e_support import Server, Workspace

import dashboard_scenarios
import lifecycle_scenarios
import time_scenarios
from dashboard_scenarios import ReplayChecked, Send
from lifecycle_scenarios import ScenarioWorkspace

SCENARIOS = [
    dashboard_scenarios.a_rerun_from_a_failed_run_runs_that_step_again_and_not_the_earlier_ones,
    dashboard_scenarios.a_rerun_from_the_start_runs_every_step_again,
    dashboard_scenarios.a_bulk_resume_runs_the_fixed_step_on_every_failed_task,
]


def sender(ws: Workspace) -> Send:
    def send(method: str, path: str, body: object) -> tuple[int, Any]:
        answer = ws.client.request(method, path, json=body)
        return answer.status_code, answer.json()

    return send


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda scenario: scenario.__name__)
def test_dashboard_scenario(scenario: Callable[[ScenarioWorkspace, Send], None], server: Server) -> None:
    ws = server.workspace()
    scenario(ws, sender(ws))


def replay_checked(server: Server) -> Callable[..., ReplayChecked]:
    def checked(settings: dict[str, Any] | None = None) -> ReplayChecked:
        ws = server.workspace(settings=settings)
        return ReplayChecked(ws, sender(ws))

    return checked


@pytest.mark.parametrize("scenario", lifecycle_scenarios.SHARED, ids=lambda scenario: scenario.__name__)
def test_replay_gives_the_stored_data_after_every_lifecycle_scenario(
    scenario: Callable[[Any], None], server: Server
) -> None:
    scenario(replay_checked(server))


@pytest.mark.parametrize("scenario", time_scenarios.SHARED, ids=lambda scenario: scenario.__name__)
def test_replay_gives_the_stored_data_after_every_time_scenario(
    scenario: Callable[[Any], None], clocked_server: Server
) -> None:
    scenario(replay_checked(clocked_server))
