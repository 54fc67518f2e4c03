"""Replaying a history rebuilds the data: at every point, and at the end the stored data, whatever
the engine did (parallel runs, conflicts, patches, failures and resume, subtasks, park and wake)."""

import itertools
from collections.abc import Callable
from dataclasses import replace

import pytest
from test_engine import PARALLEL, result, step

from aloma_core import engine
from aloma_core.catalog import StepCatalog
from aloma_core.errors import ConflictingState, InvalidInput, NotFound
from aloma_core.json_types import JsonObject
from aloma_core.model import Event, RunRequest, Task, TaskState
from aloma_core.replay import data_after, final_data
from aloma_core.sandbox.types import RunError, SubtaskRequest, TaskActions


class Recorded:
    """A task driven through the engine with its history numbered as a store would, and the data
    it held after each write (keyed by the seq of that write's last event)."""

    def __init__(self, data: JsonObject, catalog: StepCatalog) -> None:
        self.catalog = catalog
        self.events: list[Event] = []
        self.data_at: dict[int, JsonObject] = {}
        self._claims = itertools.count(1)
        self._now = itertools.count(10)
        self.task = self.write(engine.new_task("ws", "t1", None, data, 0, PARALLEL))

    def write(self, outcome: engine.Outcome | None) -> Task:
        assert outcome is not None
        for event in outcome.events:
            self.events.append(replace(event, seq=len(self.events) + 1))
        if outcome.events:
            self.data_at[len(self.events)] = outcome.task.data
        self.task = outcome.task
        return self.task

    def dispatch(self) -> list[RunRequest]:
        outcome = engine.plan_dispatch(
            self.task, self.catalog, PARALLEL, next(self._now), lambda: f"c{next(self._claims)}"
        )
        self.write(outcome)
        assert outcome is not None
        return outcome.requests

    def start(self, request: RunRequest) -> engine.RunSnapshot:
        now = next(self._now)
        decision = engine.start_run(self.task, request, self.catalog, request.claim_id, now + 60_000, now)
        self.write(decision.outcome)
        return engine.RunSnapshot(self.task.data, self.task.data_seq, 1, now)

    def commit(
        self,
        request: RunRequest,
        snapshot: engine.RunSnapshot,
        after: Callable[[JsonObject], JsonObject],
        **options: object,
    ) -> Task:
        ran = result(snapshot.data, after(snapshot.data), **options)  # type: ignore[arg-type]
        outcome = engine.commit_run(
            self.task, request, request.claim_id, snapshot, ran, next(self._now), PARALLEL
        )
        return self.write(outcome)

    def run(self, request: RunRequest, after: Callable[[JsonObject], JsonObject], **options: object) -> Task:
        return self.commit(request, self.start(request), after, **options)

    def assert_replays(self) -> None:
        assert final_data(self.events) == self.task.data
        for seq, data in self.data_at.items():
            assert data_after(self.events, seq) == data, f"after event {seq}"


def test_parallel_runs_and_a_conflict_replay_to_the_stored_data() -> None:
    catalog = StepCatalog([step("a", {"x": 1}), step("b", {"x": 1})])
    task = Recorded({"x": 1, "shared": 0}, catalog)
    a, b = task.dispatch()
    seen_a, seen_b = task.start(a), task.start(b)
    task.commit(a, seen_a, lambda d: {**d, "a": True, "shared": "a"})
    task.commit(b, seen_b, lambda d: {**d, "b": True, "shared": "b"})
    assert "conflict" in [e.type for e in task.events]
    assert task.task.data == {"x": 1, "shared": "b", "a": True, "b": True}
    task.assert_replays()


def test_patches_between_runs_replay_in_order() -> None:
    catalog = StepCatalog([step("a", {"x": 1})])
    task = Recorded({"x": 1}, catalog)
    [a] = task.dispatch()
    seen = task.start(a)
    task.write(engine.patch_data(task.task, {"from_outside": [1, 2], "x": 1}, 50, PARALLEL))
    task.commit(a, seen, lambda d: {**d, "ran": "a"})
    task.write(engine.patch_data(task.task, {"ran": None}, 60, PARALLEL))
    task.assert_replays()
    assert final_data(task.events) == {"x": 1, "from_outside": [1, 2]}


def test_a_failed_run_changes_nothing_and_resume_then_a_fixed_run_replays() -> None:
    catalog = StepCatalog([step("a", {"x": 1})])
    task = Recorded({"x": 1}, catalog)
    [a] = task.dispatch()
    task.run(a, lambda d: {**d, "lost": True}, error=RunError("boom", 2))
    assert task.task.state is TaskState.ERROR
    task.write(engine.resume(task.task, 70))
    [again] = task.dispatch()
    task.run(again, lambda d: {**d, "fixed": True})
    assert task.task.data == {"x": 1, "fixed": True}
    task.assert_replays()


def test_a_run_that_finishes_after_cancel_replays_as_no_change() -> None:
    catalog = StepCatalog([step("a", {"x": 1})])
    task = Recorded({"x": 1}, catalog)
    [a] = task.dispatch()
    seen = task.start(a)
    task.write(engine.cancel(task.task, 40))
    task.commit(a, seen, lambda d: {**d, "late": True})
    assert task.task.data == {"x": 1}
    task.assert_replays()


def test_a_subtask_outcome_written_into_the_parent_replays() -> None:
    catalog = StepCatalog([step("a", {"x": 1})])
    task = Recorded({"x": 1}, catalog)
    [a] = task.dispatch()
    actions = TaskActions(subtasks=[SubtaskRequest("child", {"n": 1}, "out.child", True)])
    seen = task.start(a)
    ran = result(seen.data, None, actions=actions)
    committed = engine.commit_run(task.task, a, a.claim_id, seen, ran, 80, PARALLEL)
    assert committed is not None
    task.write(committed)
    [(child, _)] = committed.created
    task.write(engine.child_ended(task.task, child.with_changes(state=TaskState.DONE, result={"ok": 1}), 90))
    assert task.task.data["out"] == {"child": {"id": child.id, "state": "done", "result": {"ok": 1}}}
    task.assert_replays()


def test_park_wake_and_redo_replay() -> None:
    catalog = StepCatalog([step("poll", {"n": {"$lt": 2}})])
    task = Recorded({"n": 0}, catalog)
    [first] = task.dispatch()
    task.run(first, lambda d: {"n": 1}, redo=True, actions=TaskActions(park_ms=5))
    assert task.task.state is TaskState.WAITING
    task.write(engine.wake(task.task, 10_000))
    [second] = task.dispatch()
    task.run(second, lambda d: {"n": 2})
    task.assert_replays()


def test_data_after_an_unknown_event_is_not_found() -> None:
    task = Recorded({"x": 1}, StepCatalog([]))
    with pytest.raises(NotFound, match="no event 9"):
        data_after(task.events, 9)


def test_an_event_cut_in_storage_is_said_not_to_replay() -> None:
    cut = Event("patched", 2, {"truncated": ["changes"]}, seq=2)
    events = [Event("created", 1, {"data": {"a": 1}}, seq=1), cut]
    assert data_after(events, 1) == {"a": 1}
    with pytest.raises(InvalidInput, match="event 2"):
        data_after(events, 2)


# Rerun


def failed_second_step() -> Recorded:
    """`a` sets x, `b` then fails on it: the task is in error with a's change kept."""
    catalog = StepCatalog([step("a", {"x": 1}), step("b", {"x": 2})])
    task = Recorded({"x": 1}, catalog)
    [a] = task.dispatch()
    task.run(a, lambda d: {**d, "x": 2})
    [b] = task.dispatch()
    task.run(b, lambda d: d, error=RunError("boom", 1))
    assert task.task.state is TaskState.ERROR
    return task


def run_seq(task: Recorded, name: str) -> int:
    return next(e.seq for e in task.events if e.type == "run" and e.detail["step"] == name)


def test_rerun_from_a_run_resets_its_data_and_drops_its_claim_and_later_ones_only() -> None:
    task = failed_second_step()
    task.task = task.task.with_changes(data={"x": 2, "later": True})
    outcome = engine.rerun(task.task, task.events, run_seq(task, "b"), None, 500, PARALLEL)
    rerun = outcome.task
    assert rerun.state is TaskState.RUNNING and rerun.error is None
    assert rerun.data == {"x": 2}
    assert set(rerun.claims) == {"a"}
    assert [e.type for e in outcome.events] == ["rerun", "state"]
    assert outcome.events[0].detail == {"from": run_seq(task, "b"), "edited": False, "data": {"x": 2}}


def test_rerun_from_the_first_run_drops_every_claim_and_restores_the_created_data() -> None:
    task = failed_second_step()
    from_a = engine.rerun(task.task, task.events, run_seq(task, "a"), None, 500, PARALLEL).task
    from_start = engine.rerun(task.task, task.events, None, None, 500, PARALLEL).task
    assert from_a.data == from_start.data == {"x": 1}
    assert from_a.claims == from_start.claims == {}


def test_rerun_with_edited_data_uses_it_and_says_so() -> None:
    task = failed_second_step()
    outcome = engine.rerun(task.task, task.events, None, {"x": 1, "fixed": True}, 500, PARALLEL)
    assert outcome.task.data == {"x": 1, "fixed": True}
    assert outcome.events[0].detail["edited"] is True


def test_a_rerun_replays_and_the_task_runs_again() -> None:
    task = failed_second_step()
    task.write(engine.rerun(task.task, task.events, run_seq(task, "b"), None, 500, PARALLEL))
    [b] = task.dispatch()
    assert b.step == "b"
    task.run(b, lambda d: {**d, "done": True})
    assert task.task.data == {"x": 2, "done": True}
    task.assert_replays()


@pytest.mark.parametrize("state", [TaskState.RUNNING, TaskState.DONE, TaskState.WAITING, TaskState.CANCELLED])
def test_rerun_of_a_task_that_is_not_failed_or_incomplete_is_a_conflict_suggesting_clone(
    state: TaskState,
) -> None:
    task = failed_second_step()
    with pytest.raises(ConflictingState, match=f"{state.value}.*clone"):
        engine.rerun(task.task.with_changes(state=state), task.events, None, None, 500, PARALLEL)


def test_rerun_from_an_event_that_is_not_a_run_is_invalid() -> None:
    task = failed_second_step()
    for seq in (1, 999):
        with pytest.raises(InvalidInput, match=f"from: event {seq}"):
            engine.rerun(task.task, task.events, seq, None, 500, PARALLEL)


# Clone


def test_clone_is_a_new_task_with_the_current_data_and_name_and_says_where_from() -> None:
    task = failed_second_step()
    source = task.task.with_changes(name="order", tags=("vip",))
    outcome = engine.clone(source, "t2", None, None, 900, PARALLEL)
    clone = outcome.task
    assert (clone.id, clone.name, clone.data, clone.state) == ("t2", "order", {"x": 2}, TaskState.RUNNING)
    assert clone.claims == {} and clone.runs == 0 and clone.tags == ()
    assert outcome.events[0].detail == {"name": "order", "data": {"x": 2}, "cloned_from": "t1"}


def test_clone_takes_given_data_and_name_instead() -> None:
    source = failed_second_step().task
    clone = engine.clone(source, "t2", "copy", {"other": 1}, 900, PARALLEL).task
    assert (clone.name, clone.data) == ("copy", {"other": 1})
    assert source.data == {"x": 2}
