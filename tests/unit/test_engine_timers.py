"""Time and children on the pure engine: park, timeout + completeOnExpire, subtasks, cancel."""

import pytest
from test_engine import PARALLEL, ids, new, plan, result, step

from aloma_core import engine
from aloma_core.catalog import StepCatalog
from aloma_core.errors import ConflictingState
from aloma_core.json_types import JsonObject
from aloma_core.limits import Limits
from aloma_core.model import ChildLink, Claim, ClaimStatus, Expiry, Task, TaskState, WorkspaceSettings
from aloma_core.sandbox.types import RunError, SubtaskRequest, TaskActions

CATALOG = StepCatalog([step("work", {"job": {"$type": "string"}})])


def commit(
    task: Task,
    actions: TaskActions,
    after: JsonObject | None = None,
    *,
    now: int = 1_000,
    settings: WorkspaceSettings = PARALLEL,
    catalog: StepCatalog = CATALOG,
) -> engine.Outcome:
    """Dispatch `work`, run it (leaving `after` as the data) and commit it with `actions` at `now`."""
    planned = engine.plan_dispatch(task, catalog, settings, now, ids())
    assert planned is not None and planned.requests
    request = planned.requests[0]
    decision = engine.start_run(planned.task, request, catalog, "tok", now + 60_000, now)
    assert decision.outcome is not None, decision.reason
    started = decision.outcome.task
    snapshot = engine.RunSnapshot(started.data, started.data_seq, 1, now)
    ran = result(started.data, started.data if after is None else after, actions=actions)
    outcome = engine.commit_run(started, request, "tok", snapshot, ran, now, settings)
    assert outcome is not None
    return outcome


def types(outcome: engine.Outcome) -> list[str]:
    return [event.type for event in outcome.events]


# task.park(ms)


def test_a_parked_task_waits_and_is_not_matched() -> None:
    parked = commit(new({"job": "x"}), TaskActions(park_ms=5_000))
    assert parked.task.state is TaskState.WAITING
    assert parked.task.park_until == 6_000
    assert parked.task.wake_at == 6_000
    assert "parked" in types(parked)
    assert plan(parked.task, CATALOG) is None


def test_the_park_ends_at_its_time_and_the_task_is_matched_again() -> None:
    parked = commit(new({"job": "x"}), TaskActions(park_ms=5_000)).task
    assert engine.wake(parked, 5_999) is None
    woken = engine.wake(parked, 6_000)
    assert woken is not None
    assert woken.task.state is TaskState.RUNNING
    assert woken.task.park_until is None and woken.task.wake_at is None
    assert woken.task.data_seq == parked.data_seq + 1
    assert types(woken) == ["woken", "state"]


def test_a_step_that_parks_with_redo_runs_again_after_the_park() -> None:
    parked = commit(new({"job": "x"}), TaskActions(park_ms=10))
    redo_task = parked.task.with_changes(
        claims={
            name: Claim(c.id, c.step, ClaimStatus.REDO, c.data_seq, c.origin_version)
            for name, c in parked.task.claims.items()
        }
    )
    woken = engine.wake(redo_task, 2_000)
    assert woken is not None
    again = plan(woken.task, CATALOG)
    assert again is not None and [r.step for r in again.requests] == ["work"]


def test_a_change_from_outside_wakes_a_parked_task_early() -> None:
    parked = commit(new({"job": "x"}), TaskActions(park_ms=60_000)).task
    patched = engine.patch_data(parked, {"extra": 1}, 2_000, PARALLEL)
    assert patched.task.state is TaskState.RUNNING
    assert patched.task.park_until is None
    assert types(patched) == ["patched", "woken", "state"]


def test_a_patch_that_changes_nothing_does_not_wake() -> None:
    parked = commit(new({"job": "x"}), TaskActions(park_ms=60_000)).task
    patched = engine.patch_data(parked, {"job": "x"}, 2_000, PARALLEL)
    assert patched.task.state is TaskState.WAITING
    assert patched.task.park_until == parked.park_until


# task.timeout(ms) + task.completeOnExpire(result)


def test_a_pending_timeout_makes_the_task_wait_instead_of_incomplete() -> None:
    armed = commit(
        new({"job": "x"}), TaskActions(timeout_ms=2_000, complete_on_expire=True, expire_result={"ok": 1})
    )
    assert armed.task.state is TaskState.RUNNING
    assert armed.task.expiry == Expiry(3_000, True, {"ok": 1})
    settled = plan(armed.task, CATALOG)
    assert settled is not None and settled.task.state is TaskState.WAITING


def test_without_a_timeout_nothing_to_run_is_incomplete() -> None:
    ran = commit(new({"job": "x"}), TaskActions())
    settled = plan(ran.task, CATALOG)
    assert settled is not None and settled.task.state is TaskState.INCOMPLETE


def test_complete_on_expire_ends_the_task_done_with_its_result() -> None:
    armed = commit(
        new({"job": "x"}), TaskActions(timeout_ms=2_000, complete_on_expire=True, expire_result=[1])
    )
    waiting = plan(armed.task, CATALOG)
    assert waiting is not None
    assert engine.wake(waiting.task, 2_999) is None
    expired = engine.wake(waiting.task, 3_000)
    assert expired is not None
    assert expired.task.state is TaskState.DONE
    assert expired.task.result == [1]
    assert expired.task.expiry is None and expired.task.wake_at is None
    assert types(expired) == ["expired", "state"]


def test_a_timeout_without_complete_on_expire_ends_in_error() -> None:
    armed = commit(new({"job": "x"}), TaskActions(timeout_ms=100))
    expired = engine.wake(armed.task, 5_000)
    assert expired is not None
    assert expired.task.state is TaskState.ERROR
    assert expired.task.error is not None and "timeout" in expired.task.error.message


def test_complete_on_expire_applies_to_a_timeout_set_by_an_earlier_run() -> None:
    catalog = StepCatalog([step("work", {"job": {"$type": "string"}}), step("later", {"phase": 2})])
    armed = commit(new({"job": "x"}), TaskActions(timeout_ms=500), {"job": "x", "phase": 2}, catalog=catalog)
    later = commit(
        armed.task, TaskActions(complete_on_expire=True, expire_result="r"), catalog=catalog, now=1_200
    )
    assert later.task.expiry == Expiry(1_500, True, "r")


def test_complete_on_expire_without_any_timeout_fails_the_run() -> None:
    failed = commit(new({"job": "x"}), TaskActions(complete_on_expire=True))
    assert failed.task.state is TaskState.ERROR
    assert failed.task.error is not None
    assert "task.completeOnExpire() needs a timeout" in failed.task.error.message


def test_a_task_that_ends_first_cancels_its_timer() -> None:
    armed = commit(new({"job": "x"}), TaskActions(timeout_ms=10_000))
    catalog = StepCatalog([step("work", {"job": {"$type": "string"}}), step("end", {"end": True})])
    patched = engine.patch_data(armed.task, {"end": True}, 1_100, PARALLEL).task
    ended = commit(patched, TaskActions(complete=True), catalog=catalog, now=1_200)
    assert ended.task.state is TaskState.DONE
    assert ended.task.expiry is None and ended.task.wake_at is None
    assert engine.wake(ended.task, 99_999) is None


def test_a_failed_run_drops_the_timers_so_resume_does_not_rearm_them() -> None:
    catalog = StepCatalog([step("work", {"job": {"$type": "string"}}), step("boom", {"phase": 2})])
    armed = commit(
        new({"job": "x"}), TaskActions(timeout_ms=10_000), {"job": "x", "phase": 2}, catalog=catalog
    )
    assert armed.task.expiry is not None
    planned = engine.plan_dispatch(armed.task, catalog, PARALLEL, 1_100, ids())
    assert planned is not None
    request = planned.requests[0]
    started = engine.start_run(planned.task, request, catalog, "tok", 99_999, 1_100)
    assert started.outcome is not None
    snapshot = engine.RunSnapshot(armed.task.data, armed.task.data_seq, 1, 1_100)
    failed = engine.commit_run(
        started.outcome.task,
        request,
        "tok",
        snapshot,
        result(armed.task.data, None, error=RunError("x")),
        1_200,
        PARALLEL,
    )
    assert failed is not None and failed.task.state is TaskState.ERROR
    assert failed.task.expiry is None and failed.task.wake_at is None
    assert engine.resume(failed.task, 50_000).task.wake_at is None


# task.subtask(name, data, {into, waitFor})


def subtasks(*requests: SubtaskRequest) -> TaskActions:
    return TaskActions(subtasks=list(requests))


def test_a_subtask_is_created_with_the_parents_commit_and_linked_both_ways() -> None:
    outcome = commit(new({"job": "x"}), subtasks(SubtaskRequest("child", {"n": 1}, "out.c", False)))
    [(child, child_events)] = outcome.created
    assert child.parent is not None and child.parent.id == outcome.task.id
    assert child.parent.into == "out.c" and child.depth == 1
    assert child.data == {"n": 1} and child.name == "child" and child.state is TaskState.RUNNING
    assert [e.type for e in child_events] == ["created"]
    assert outcome.task.children == (ChildLink(child.id, "child", "out.c", False),)
    assert outcome.task.state is TaskState.RUNNING
    assert "subtask" in types(outcome)


def test_subtask_ids_are_the_same_on_every_retry_of_one_commit() -> None:
    first = commit(new({"job": "x"}), subtasks(SubtaskRequest(None, {}, None, False)))
    second = commit(new({"job": "x"}), subtasks(SubtaskRequest(None, {}, None, False)))
    assert first.created[0][0].id == second.created[0][0].id


def test_wait_for_makes_the_parent_wait_until_every_awaited_child_ended() -> None:
    outcome = commit(
        new({"job": "x"}),
        subtasks(SubtaskRequest("a", {}, "results.a", True), SubtaskRequest("b", {}, "results.b", True)),
    )
    parent = outcome.task
    a, b = (child for child, _ in outcome.created)
    assert parent.state is TaskState.WAITING
    first = engine.child_ended(parent, a.with_changes(state=TaskState.DONE, result=1), 2_000)
    assert first is not None
    assert first.task.state is TaskState.WAITING
    assert first.task.data["results"] == {"a": {"id": a.id, "state": "done", "result": 1}}
    second = engine.child_ended(first.task, b.with_changes(state=TaskState.ERROR), 2_100)
    assert second is not None
    assert second.task.state is TaskState.RUNNING
    assert second.task.data["results"]["b"] == {"id": b.id, "state": "error", "result": None}
    assert second.task.awaited_children() == []
    assert types(second) == ["child_ended", "state"]


def test_a_child_is_reported_once_per_state() -> None:
    outcome = commit(new({"job": "x"}), subtasks(SubtaskRequest("a", {}, "r", False)))
    child = outcome.created[0][0].with_changes(state=TaskState.DONE)
    told = engine.child_ended(outcome.task, child, 2_000)
    assert told is not None
    assert engine.child_ended(told.task, child, 2_001) is None
    assert engine.child_ended(told.task, child.with_changes(state=TaskState.RUNNING), 2_002) is None


def test_an_ended_parent_hears_nothing() -> None:
    outcome = commit(new({"job": "x"}), subtasks(SubtaskRequest("a", {}, "r", True)))
    cancelled = engine.cancel(outcome.task, 1_500).task
    child = outcome.created[0][0].with_changes(state=TaskState.DONE)
    assert engine.child_ended(cancelled, child, 2_000) is None


@pytest.mark.parametrize(
    ("limits", "depth", "count", "message"),
    [
        (Limits(subtask_depth=1), 1, 1, "would nest 2 deep"),
        (Limits(subtasks_per_run=2), 0, 3, "started 3 subtasks"),
        (Limits(subtasks_per_task=2), 0, 3, "would have 3 subtasks"),
    ],
)
def test_subtask_limits_fail_the_run_with_a_clear_error(
    limits: Limits, depth: int, count: int, message: str
) -> None:
    settings = WorkspaceSettings(limits=limits)
    task = new({"job": "x"}).with_changes(depth=depth)
    outcome = commit(task, subtasks(*[SubtaskRequest(None, {}, None, False)] * count), settings=settings)
    assert outcome.task.state is TaskState.ERROR
    assert outcome.created == []
    assert outcome.task.error is not None
    assert "subtask limit" in outcome.task.error.message and message in outcome.task.error.message


def test_subtasks_within_the_limits_are_created() -> None:
    settings = WorkspaceSettings(limits=Limits(subtasks_per_run=3, subtask_depth=2))
    outcome = commit(
        new({"job": "x"}).with_changes(depth=1),
        subtasks(*[SubtaskRequest(None, {}, None, False)] * 3),
        settings=settings,
    )
    assert len(outcome.created) == 3 and outcome.task.state is TaskState.RUNNING


def test_a_subtask_over_the_task_size_limit_fails_the_run() -> None:
    settings = WorkspaceSettings(limits=Limits(task_data_bytes=1024))
    outcome = commit(
        new({"job": "x"}), subtasks(SubtaskRequest(None, {"s": "x" * 2000}, None, False)), settings=settings
    )
    assert outcome.task.error is not None and "task size limit" in outcome.task.error.message


# cancel


def test_cancel_ends_an_open_task_and_drops_its_timers() -> None:
    parked = commit(new({"job": "x"}), TaskActions(park_ms=60_000, timeout_ms=90_000)).task
    cancelled = engine.cancel(parked, 2_000)
    assert cancelled.task.state is TaskState.CANCELLED
    assert cancelled.task.wake_at is None
    assert types(cancelled) == ["cancelled", "state"]


@pytest.mark.parametrize("state", [TaskState.DONE, TaskState.IGNORED, TaskState.CANCELLED])
def test_cancelling_an_ended_task_is_a_conflict_naming_its_state(state: TaskState) -> None:
    with pytest.raises(ConflictingState, match=f"already {state.value}"):
        engine.cancel(new({"job": "x"}).with_changes(state=state), 2_000)


@pytest.mark.parametrize(
    "state", [TaskState.RUNNING, TaskState.WAITING, TaskState.INCOMPLETE, TaskState.ERROR]
)
def test_every_open_state_can_be_cancelled(state: TaskState) -> None:
    assert engine.cancel(new({"job": "x"}).with_changes(state=state), 2_000).task.state is TaskState.CANCELLED


def test_a_run_in_flight_when_its_task_is_cancelled_commits_nothing() -> None:
    task = new({"job": "x"})
    planned = engine.plan_dispatch(task, CATALOG, PARALLEL, 1, ids())
    assert planned is not None
    request = planned.requests[0]
    started = engine.start_run(planned.task, request, CATALOG, "tok", 99_999, 2)
    assert started.outcome is not None
    cancelled = engine.cancel(started.outcome.task, 3).task
    snapshot = engine.RunSnapshot(task.data, task.data_seq, 1, 2)
    actions = TaskActions(park_ms=5, subtasks=[SubtaskRequest(None, {}, None, True)])
    committed = engine.commit_run(
        cancelled,
        request,
        "tok",
        snapshot,
        result(task.data, {"job": "changed"}, actions=actions),
        4,
        PARALLEL,
    )
    assert committed is not None
    assert committed.task.state is TaskState.CANCELLED
    assert committed.task.data == {"job": "x"}
    assert committed.created == [] and committed.task.park_until is None
    assert committed.events[0].detail["committed"] is False


def test_a_cancelled_task_names_the_children_it_waited_for() -> None:
    outcome = commit(
        new({"job": "x"}), subtasks(SubtaskRequest("a", {}, None, True), SubtaskRequest("b", {}, None, False))
    )
    assert engine.children_to_cancel(outcome.task) == []
    cancelled = engine.cancel(outcome.task, 2_000).task
    assert engine.children_to_cancel(cancelled) == [outcome.created[0][0].id]
