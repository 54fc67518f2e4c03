"""Shared libraries on the AWS home, through the API, matcher and runner handlers on moto: the
scenarios of tests/library_scenarios.py, and pinning, which this driver can stage exactly."""

from collections.abc import Callable

import pytest
from api_client import Workspace
from driver import PipelineDriver

import library_scenarios
from library_scenarios import ENRICH, TEXT

NewWorkspace = Callable[..., Workspace]

pytest_plugins = ["pipeline_fixtures"]


def crm(greeting: str) -> str:
    return f"export const fullName = (c) => '{greeting} ' + c.first + ' ' + lib.text.shout(c.last);\n"


@pytest.mark.parametrize("scenario", library_scenarios.SCENARIOS, ids=lambda scenario: scenario.__name__)
def test_libraries(scenario: Callable[[Workspace], None], new_workspace: NewWorkspace) -> None:
    scenario(new_workspace())


def test_a_task_matched_before_a_library_change_runs_with_the_old_version(
    new_workspace: NewWorkspace, pipeline: PipelineDriver
) -> None:
    ws = new_workspace()
    ws.put_library("text", TEXT)
    ws.put_library("crm", crm("dear"))
    ws.put_step("enrich", ENRICH.replace('"Hello " + ', ""))
    early = ws.new_task({"customer": {"first": "Ada", "last": "Lovelace"}})
    while pipeline.pump_stream():
        pass
    assert pipeline.dlq_messages() == []

    ws.put_library("crm", crm("dearest"))
    late = ws.new_task({"customer": {"first": "Bob", "last": "Kahn"}})

    assert ws.settle(early)["result"] == {"greeting": "dear Ada LOVELACE"}
    assert ws.settle(late)["result"] == {"greeting": "dearest Bob KAHN"}
