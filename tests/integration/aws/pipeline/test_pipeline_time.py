"""Time and children on the AWS home: the shared scenarios of tests/time_scenarios.py (the local
home runs them too) through the API, matcher, runner and tick handlers on moto, the virtual clock
moved on and the tick invoked as the template's one-minute schedule does."""

from collections.abc import Callable

import pytest
from api_client import Workspace

import time_scenarios

pytest_plugins = ["pipeline_fixtures"]


@pytest.mark.parametrize("scenario", time_scenarios.SHARED, ids=lambda scenario: scenario.__name__)
def test_time(
    scenario: Callable[[time_scenarios.NewTimedWorkspace], None], new_workspace: Callable[..., Workspace]
) -> None:
    scenario(new_workspace)
