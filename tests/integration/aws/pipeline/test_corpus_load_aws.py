"""Corpus, load on the AWS home: 200 tasks through the production handlers on moto (API, stream,
matcher, queue, runner); every task ends right and each step ran exactly as often as it matched."""

from collections import Counter
from collections.abc import Callable

import pytest
from api_client import Workspace
from containers import RUNNER
from driver import PipelineDriver

from load_scenarios import assert_load_task_done, expected_runs, put_load_steps, runs_per_step

pytest_plugins = ["pipeline_fixtures"]
pytestmark = [pytest.mark.corpus, pytest.mark.slow]

TASKS = 200


def test_200_tasks_through_the_pipeline_all_end_right_with_exact_runs_per_step(
    new_workspace: Callable[..., Workspace], pipeline: PipelineDriver
) -> None:
    ws = new_workspace()
    put_load_steps(ws)
    ids = {n: ws.new_task({"n": n}) for n in range(TASKS)}
    pipeline.run_until_quiet()

    runs: Counter[str] = Counter()
    for n, task_id in ids.items():
        assert_load_task_done(ws.task(task_id), n)
        per_task = runs_per_step(ws.events(task_id))
        assert set(per_task.values()) == {1}, per_task
        runs += per_task
    assert runs == expected_runs(TASKS)
    assert pipeline.records[RUNNER] == sum(runs.values()), "a message was delivered more than once"
    assert pipeline.dlq_messages() == []
    assert pipeline.discarded == []
