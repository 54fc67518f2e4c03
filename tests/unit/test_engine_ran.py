"""`Task.ran`: every step that ran on a task, whatever the outcome, once each, first run first."""

from test_engine import new, plan, result, run, step

from aloma_core import engine
from aloma_core.catalog import StepCatalog
from aloma_core.model import RunRequest
from aloma_core.sandbox.types import RunError

CATALOG = StepCatalog([step("a", {"x": 1}), step("b", {"x": 2})])


def test_a_successful_run_and_a_failed_one_are_both_recorded() -> None:
    task = plan(new({"x": 1}), CATALOG).task  # type: ignore[union-attr]
    task = run(task, CATALOG, "a", lambda d: result(d, {"x": 2}))
    task = plan(task, CATALOG).task  # type: ignore[union-attr]
    task = run(task, CATALOG, "b", lambda d: result(d, None, error=RunError("boom", 1)))
    assert "b" not in task.claims
    assert task.ran == ("a", "b")


def test_a_step_that_runs_again_is_recorded_once() -> None:
    task = new({"x": 1}).with_changes(ran=("a",))
    task = plan(task, CATALOG).task  # type: ignore[union-attr]
    assert run(task, CATALOG, "a", lambda d: result(d, d)).ran == ("a",)


def test_a_step_that_was_only_dispatched_has_not_run() -> None:
    task = plan(new({"x": 1}), CATALOG).task  # type: ignore[union-attr]
    assert task.ran == ()
    failed = engine.fail_run(task, RunRequest("ws", task.id, "a", task.claims["a"].id), "retries ran out", 9)
    assert failed is not None and failed.task.ran == ("a",)
