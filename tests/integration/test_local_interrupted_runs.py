"""The local home retries a run whose sandbox process died, as SQS redelivers the message of a
runner that died on AWS: the run is taken over at once (its dead attempt's lease released) and
commits once; only when every attempt dies is the failure recorded on the task."""

from collections.abc import Iterator
from pathlib import Path

import pytest

from aloma_core.adapters.local.queues import RetryPolicy
from aloma_core.home.local import LocalHome
from aloma_core.model import Task
from aloma_core.ports import StepExecutor
from aloma_core.sandbox.types import ConnectorHost, RunInput, RunInterrupted, RunResult
from lifecycle_scenarios import step_file


class DyingWorker:
    """The home's own executor, except that the first `times` runs lose their worker process."""

    def __init__(self, executor: StepExecutor, times: int) -> None:
        self.attempts = 0
        self._executor = executor
        self._times = times

    def execute(self, run: RunInput, host: ConnectorHost) -> RunResult:
        self.attempts += 1
        if self.attempts <= self._times:
            raise RunInterrupted("the sandbox process crashed (killed by SIGKILL); the run was not completed")
        return self._executor.execute(run, host)


@pytest.fixture
def home(tmp_path: Path) -> Iterator[LocalHome]:
    local = LocalHome(tmp_path, workers=1, retry=RetryPolicy(first_delay_s=0.01), tick_interval_s=None)
    yield local
    local.close()


def run_task_with_dying_workers(home: LocalHome, times: int) -> tuple[Task, list[str], DyingWorker]:
    workspace, _ = home.platform.create_workspace("interrupted")
    home.platform.put_step(workspace, "ship", source=step_file("{order: String}", "data.shipped = true;"))
    dying = DyingWorker(home.runner.executor, times)
    home.runner.executor = dying
    task = home.platform.create_task(workspace, None, {"order": "A-1"})
    assert home.wait_idle(30)
    runs = [e.detail["step"] for e in home.platform.history(workspace, task.id) if e.type == "run"]
    return home.platform.get_task(workspace, task.id), runs, dying


def test_a_run_whose_worker_died_is_retried_and_commits_once(home: LocalHome) -> None:
    task, runs, dying = run_task_with_dying_workers(home, times=2)
    assert dying.attempts == 3
    assert task.state.value == "incomplete", task
    assert task.data == {"order": "A-1", "shipped": True}
    assert runs == ["ship"]


def test_a_run_whose_worker_dies_on_every_attempt_ends_the_task_in_error(home: LocalHome) -> None:
    task, runs, dying = run_task_with_dying_workers(home, times=3)
    assert dying.attempts == 3
    assert task.state.value == "error", task
    assert task.data == {"order": "A-1"}
    assert task.error is not None
    assert task.error.step == "ship"
    assert task.error.message == (
        "the run failed 3 times; last error: RunInterrupted: the sandbox process crashed "
        "(killed by SIGKILL); the run was not completed"
    )
    assert runs == ["ship"]
