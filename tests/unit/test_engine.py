"""Lifecycle rules of semantics.md section 5, on the pure engine (no storage, no sandbox)."""

import itertools
from collections.abc import Callable

import pytest

from aloma_core import engine
from aloma_core.catalog import StepCatalog
from aloma_core.changes import diff
from aloma_core.errors import ConflictingState, TooLarge
from aloma_core.json_types import JsonObject
from aloma_core.limits import Limits
from aloma_core.model import ClaimStatus, RunRequest, Step, Task, TaskState, WorkspaceSettings
from aloma_core.sandbox.types import RunError, RunResult, TaskActions

PARALLEL = WorkspaceSettings()
SEQUENTIAL = WorkspaceSettings(execution="sequential")


def step(name: str, condition: JsonObject, specificity: int = 1, seq: int = 0, enabled: bool = True) -> Step:
    return Step("ws", name, 1, condition, "", "", enabled, specificity, 0, 0, seq)


def ids() -> Callable[[], str]:
    counter = itertools.count(1)
    return lambda: f"c{next(counter)}"


def new(data: JsonObject) -> Task:
    return engine.new_task("ws", "t1", None, data, 0, PARALLEL).task


def result(
    before: JsonObject,
    after: JsonObject | None,
    *,
    redo: bool = False,
    error: RunError | None = None,
    actions: TaskActions | None = None,
    audit: list[str] | None = None,
) -> RunResult:
    changes = [] if after is None else diff(before, after)
    return RunResult(after, changes, [], actions or TaskActions(), redo, audit or [], error, 1.0, 2.0)


def run(
    task: Task, catalog: StepCatalog, name: str, outcome: Callable[[JsonObject], RunResult], now: int = 5
) -> Task:
    """Start the claimed step, produce its result from the data it saw, commit on the latest task."""
    claim = task.claims[name]
    request = RunRequest("ws", task.id, name, claim.id)
    decision = engine.start_run(task, request, catalog, "tok", now + 1000, now)
    assert decision.kind is engine.StartKind.START, decision.reason
    assert decision.outcome is not None
    started = decision.outcome.task
    snapshot = engine.RunSnapshot(started.data, started.data_seq, 1, now)
    committed = engine.commit_run(started, request, "tok", snapshot, outcome(started.data), now, PARALLEL)
    assert committed is not None
    return committed.task


def plan(task: Task, catalog: StepCatalog, settings: WorkspaceSettings = PARALLEL) -> engine.Outcome | None:
    return engine.plan_dispatch(task, catalog, settings, 1, ids())


def test_all_matching_steps_are_dispatched_at_once() -> None:
    catalog = StepCatalog([step("a", {"x": 1}), step("b", {"x": {"$gt": 0}}), step("c", {"y": 1})])
    outcome = plan(new({"x": 1}), catalog)
    assert outcome is not None
    assert sorted(r.step for r in outcome.requests) == ["a", "b"]
    assert {c.status for c in outcome.task.claims.values()} == {ClaimStatus.QUEUED}
    assert [e.type for e in outcome.events] == ["dispatched", "dispatched"]
    assert outcome.task.version == 2


def test_queued_steps_are_not_dispatched_again() -> None:
    catalog = StepCatalog([step("a", {"x": 1})])
    first = plan(new({"x": 1}), catalog)
    assert first is not None
    assert plan(first.task, catalog) is None


def test_disabled_steps_never_match() -> None:
    catalog = StepCatalog([step("a", {"x": 1}, enabled=False)])
    outcome = plan(new({"x": 1}), catalog)
    assert outcome is not None
    assert outcome.task.state is TaskState.INCOMPLETE


def test_a_step_runs_once_per_task_even_if_it_still_matches() -> None:
    catalog = StepCatalog([step("a", {"x": {"$type": "number"}})])
    task = plan(new({"x": 1}), catalog).task  # type: ignore[union-attr]
    task = run(task, catalog, "a", lambda d: result(d, {**d, "x": 2}))
    assert task.claims["a"].status is ClaimStatus.DONE
    outcome = plan(task, catalog)
    assert outcome is not None and outcome.requests == []
    assert outcome.task.state is TaskState.INCOMPLETE


def test_redo_allows_another_run_once_the_data_changed() -> None:
    catalog = StepCatalog([step("count", {"n": {"$lt": 3}})])
    task = plan(new({"n": 0}), catalog).task  # type: ignore[union-attr]
    for expected in (1, 2, 3):
        task = run(task, catalog, "count", lambda d: result(d, {"n": d["n"] + 1}, redo=True))  # type: ignore[operator]
        assert task.data == {"n": expected}
        outcome = plan(task, catalog)
        assert outcome is not None
        task = outcome.task
    assert task.state is TaskState.INCOMPLETE
    assert task.runs == 3


def test_redo_without_a_data_change_does_not_loop() -> None:
    catalog = StepCatalog([step("poll", {"n": 0})])
    task = plan(new({"n": 0}), catalog).task  # type: ignore[union-attr]
    task = run(task, catalog, "poll", lambda d: result(d, d, redo=True))
    assert task.claims["poll"].status is ClaimStatus.REDO
    outcome = plan(task, catalog)
    assert outcome is not None and outcome.requests == []


def test_sequential_mode_runs_the_most_specific_first_then_creation_order() -> None:
    catalog = StepCatalog(
        [
            step("broad", {"x": 1}, 1, seq=1),
            step("narrow", {"x": 1, "y": 1}, 2, seq=2),
            step("tie", {"y": 1}, 1, seq=3),
        ]
    )
    task = plan(new({"x": 1, "y": 1}), catalog, SEQUENTIAL).task  # type: ignore[union-attr]
    assert list(task.claims) == ["narrow"]
    assert plan(task, catalog, SEQUENTIAL) is None
    order = []
    for _ in range(3):
        (name,) = [c.step for c in task.active_claims()]
        order.append(name)
        task = run(task, catalog, name, lambda d: result(d, d))
        task = plan(task, catalog, SEQUENTIAL).task  # type: ignore[union-attr]
    assert order == ["narrow", "broad", "tie"]
    assert task.state is TaskState.INCOMPLETE


def test_loop_guard_ends_the_task_in_error() -> None:
    catalog = StepCatalog([step("a", {"x": 1}), step("b", {"x": 1})])
    task = new({"x": 1}).with_changes(runs=499)
    outcome = plan(task, catalog)
    assert outcome is not None
    assert outcome.task.state is TaskState.ERROR
    assert outcome.task.error is not None and "step run limit" in outcome.task.error.message
    assert outcome.requests == []


def test_loop_guard_allows_runs_up_to_the_limit() -> None:
    catalog = StepCatalog([step("a", {"x": 1})])
    outcome = plan(new({"x": 1}).with_changes(runs=499), catalog)
    assert outcome is not None and len(outcome.requests) == 1


def test_no_match_and_nothing_running_is_incomplete() -> None:
    outcome = plan(new({"x": 1}), StepCatalog([step("a", {"y": 1})]))
    assert outcome is not None
    assert outcome.task.state is TaskState.INCOMPLETE
    assert outcome.events[0].detail["to"] == "incomplete"


def test_parallel_runs_merge_their_changes() -> None:
    catalog = StepCatalog([step("crm", {"ok": True}), step("mail", {"ok": True})])
    task = plan(new({"ok": True}), catalog).task  # type: ignore[union-attr]
    requests = {name: RunRequest("ws", "t1", name, c.id) for name, c in task.claims.items()}
    seen = {}
    for name in ("crm", "mail"):
        decision = engine.start_run(task, requests[name], catalog, f"tok-{name}", 10_000, 1)
        assert decision.outcome is not None
        task = decision.outcome.task
        seen[name] = engine.RunSnapshot(task.data, task.data_seq, 1, 1)
    after_crm = engine.commit_run(
        task,
        requests["crm"],
        "tok-crm",
        seen["crm"],
        result({"ok": True}, {"ok": True, "crm": 1}),
        2,
        PARALLEL,
    )
    assert after_crm is not None
    after_mail = engine.commit_run(
        after_crm.task,
        requests["mail"],
        "tok-mail",
        seen["mail"],
        result({"ok": True}, {"ok": True, "mail": 1}),
        3,
        PARALLEL,
    )
    assert after_mail is not None
    assert after_mail.task.data == {"ok": True, "crm": 1, "mail": 1}
    assert "conflict" not in [e.type for e in after_mail.events]


def test_same_path_from_two_runs_last_commit_wins_with_a_conflict_event() -> None:
    catalog = StepCatalog([step("a", {"ok": True}), step("b", {"ok": True})])
    task = plan(new({"ok": True}), catalog).task  # type: ignore[union-attr]
    snapshots = {}
    for name in ("a", "b"):
        decision = engine.start_run(
            task, RunRequest("ws", "t1", name, task.claims[name].id), catalog, name, 10_000, 1
        )
        assert decision.outcome is not None
        task = decision.outcome.task
        snapshots[name] = engine.RunSnapshot(task.data, task.data_seq, 1, 1)
    for name in ("a", "b"):
        request = RunRequest("ws", "t1", name, task.claims[name].id)
        outcome = engine.commit_run(
            task, request, name, snapshots[name], result({"ok": True}, {"ok": True, "who": name}), 2, PARALLEL
        )
        assert outcome is not None
        task = outcome.task
    assert task.data["who"] == "b"
    assert [e.detail["paths"] for e in outcome.events if e.type == "conflict"] == [[["who"]]]


def test_start_decisions() -> None:
    catalog = StepCatalog([step("a", {"x": 1})])
    task = plan(new({"x": 1}), catalog).task  # type: ignore[union-attr]
    claim = task.claims["a"]
    good = RunRequest("ws", "t1", "a", claim.id)
    assert (
        engine.start_run(task, RunRequest("ws", "t1", "a", "other"), catalog, "t", 10, 1).kind
        is engine.StartKind.DROP
    )
    started = engine.start_run(task, good, catalog, "t", 100, 1)
    assert started.kind is engine.StartKind.START
    assert started.outcome is not None
    running = started.outcome.task
    assert engine.start_run(running, good, catalog, "t2", 100, 50).kind is engine.StartKind.BUSY
    takeover = engine.start_run(running, good, catalog, "t2", 300, 200)
    assert takeover.kind is engine.StartKind.START
    changed = task.with_changes(data={"x": 2})
    skipped = engine.start_run(changed, good, catalog, "t", 100, 1)
    assert skipped.kind is engine.StartKind.SKIP
    assert skipped.outcome is not None
    assert "a" not in skipped.outcome.task.claims
    assert skipped.outcome.events[0].type == "skipped"
    gone = engine.start_run(task, good, StepCatalog([]), "t", 100, 1)
    assert gone.kind is engine.StartKind.SKIP and "deleted" in gone.reason


def test_a_stale_attempt_cannot_commit() -> None:
    catalog = StepCatalog([step("a", {"x": 1})])
    task = plan(new({"x": 1}), catalog).task  # type: ignore[union-attr]
    request = RunRequest("ws", "t1", "a", task.claims["a"].id)
    first = engine.start_run(task, request, catalog, "old", 100, 1).outcome
    assert first is not None
    second = engine.start_run(first.task, request, catalog, "new", 500, 200).outcome
    assert second is not None
    snapshot = engine.RunSnapshot(second.task.data, second.task.data_seq, 1, 1)
    assert (
        engine.commit_run(second.task, request, "old", snapshot, result({"x": 1}, {"x": 9}), 3, PARALLEL)
        is None
    )
    assert (
        engine.commit_run(second.task, request, "new", snapshot, result({"x": 1}, {"x": 9}), 3, PARALLEL)
        is not None
    )


@pytest.mark.parametrize(
    ("actions", "after", "state", "result_value"),
    [
        (TaskActions(complete=True, result={"ok": 1}), {"x": 1}, TaskState.DONE, {"ok": 1}),
        (TaskActions(ignore=True), {"x": 1}, TaskState.IGNORED, None),
        (TaskActions(), {}, TaskState.DONE, None),
    ],
)
def test_ends(actions: TaskActions, after: JsonObject, state: TaskState, result_value: object) -> None:
    catalog = StepCatalog([step("a", {"x": 1})])
    task = plan(new({"x": 1}), catalog).task  # type: ignore[union-attr]
    task = run(task, catalog, "a", lambda d: result(d, after, actions=actions))
    assert task.state is state
    assert task.result == result_value


def test_name_tags_and_audit_are_applied() -> None:
    catalog = StepCatalog([step("a", {"x": 1})])
    task = plan(new({"x": 1}), catalog).task  # type: ignore[union-attr]
    request = RunRequest("ws", "t1", "a", task.claims["a"].id)
    started = engine.start_run(task, request, catalog, "tok", 100, 1).outcome
    assert started is not None
    snapshot = engine.RunSnapshot(started.task.data, started.task.data_seq, 1, 1)
    outcome = engine.commit_run(
        started.task,
        request,
        "tok",
        snapshot,
        result({"x": 1}, {"x": 1}, actions=TaskActions(name="n", tags=["t"]), audit=["checked"]),
        2,
        PARALLEL,
    )
    assert outcome is not None
    assert (outcome.task.name, outcome.task.tags) == ("n", ("t",))
    assert [(e.type, e.detail.get("text")) for e in outcome.events] == [("run", None), ("audit", "checked")]


def test_a_failed_run_discards_its_changes_and_releases_its_claim() -> None:
    catalog = StepCatalog([step("a", {"x": 1})])
    task = plan(new({"x": 1}), catalog).task  # type: ignore[union-attr]
    task = run(task, catalog, "a", lambda d: result(d, None, error=RunError("boom", line=3)))
    assert task.state is TaskState.ERROR
    assert task.data == {"x": 1}
    assert task.error is not None and (task.error.step, task.error.message, task.error.line) == (
        "a",
        "boom",
        3,
    )
    assert "a" not in task.claims
    resumed = engine.resume(task, 9).task
    assert resumed.state is TaskState.RUNNING and resumed.error is None
    again = plan(resumed, catalog)
    assert again is not None and [r.step for r in again.requests] == ["a"]


def test_growing_data_past_the_limit_fails_the_run() -> None:
    small = WorkspaceSettings(limits=Limits(task_data_bytes=1024))
    catalog = StepCatalog([step("a", {"x": 1})])
    task = plan(new({"x": 1}), catalog).task  # type: ignore[union-attr]
    request = RunRequest("ws", "t1", "a", task.claims["a"].id)
    started = engine.start_run(task, request, catalog, "tok", 100, 1).outcome
    assert started is not None
    snapshot = engine.RunSnapshot(started.task.data, started.task.data_seq, 1, 1)
    outcome = engine.commit_run(
        started.task, request, "tok", snapshot, result({"x": 1}, {"x": "y" * 2000}), 2, small
    )
    assert outcome is not None
    assert outcome.task.state is TaskState.ERROR
    assert outcome.task.error is not None and "task size limit" in outcome.task.error.message


def test_resume_only_from_incomplete_or_error() -> None:
    with pytest.raises(ConflictingState):
        engine.resume(new({}), 1)


def test_patch_merges_rematches_and_keeps_claims() -> None:
    catalog = StepCatalog([step("a", {"x": 1})])
    task = plan(new({"x": 1}), catalog).task  # type: ignore[union-attr]
    task = run(task, catalog, "a", lambda d: result(d, d))
    task = plan(task, catalog).task  # type: ignore[union-attr]
    assert task.state is TaskState.INCOMPLETE
    patched = engine.patch_data(task, {"y": 2}, 3, PARALLEL)
    assert patched.task.state is TaskState.RUNNING
    assert patched.task.data == {"x": 1, "y": 2}
    assert patched.task.claims["a"].status is ClaimStatus.DONE
    assert [e.type for e in patched.events] == ["patched", "state"]


def test_patch_refusals() -> None:
    done = new({"x": 1}).with_changes(state=TaskState.DONE)
    with pytest.raises(ConflictingState):
        engine.patch_data(done, {"y": 1}, 1, PARALLEL)
    with pytest.raises(TooLarge):
        engine.patch_data(new({}), {"y": "z" * 300_000}, 1, PARALLEL)


def test_creating_oversized_data_is_refused() -> None:
    with pytest.raises(TooLarge, match="task size limit"):
        engine.new_task("ws", "t", None, {"x": "y" * 300_000}, 0, PARALLEL)


def test_a_retried_matcher_resends_exactly_its_claims() -> None:
    catalog = StepCatalog([step("a", {"x": 1})])
    task = new({"x": 1})
    outcome = plan(task, catalog)
    assert outcome is not None
    assert engine.requests_from_version(outcome.task, task.version) == outcome.requests
    assert engine.requests_from_version(outcome.task, outcome.task.version) == []


def test_expired_leases_let_the_next_delivery_take_over() -> None:
    catalog = StepCatalog([step("a", {"x": 1})])
    task = plan(new({"x": 1}), catalog).task  # type: ignore[union-attr]
    request = RunRequest("ws", "t1", "a", task.claims["a"].id)
    running = engine.start_run(task, request, catalog, "dead", 10**12, 1).outcome
    assert running is not None
    expired = engine.expire_leases(running.task, 2)
    assert expired is not None
    assert engine.start_run(expired.task, request, catalog, "new", 10**12, 3).kind is engine.StartKind.START
    assert engine.expire_leases(expired.task, 4) is None


def test_an_attempt_that_knows_it_died_releases_its_lease_for_the_next_delivery() -> None:
    catalog = StepCatalog([step("a", {"x": 1})])
    task = plan(new({"x": 1}), catalog).task  # type: ignore[union-attr]
    request = RunRequest("ws", "t1", "a", task.claims["a"].id)
    running = engine.start_run(task, request, catalog, "dead", 10**12, 1).outcome
    assert running is not None
    assert engine.start_run(running.task, request, catalog, "next", 10**12, 2).kind is engine.StartKind.BUSY
    released = engine.release_lease(running.task, "a", "dead", 2)
    assert released is not None
    assert engine.start_run(released.task, request, catalog, "next", 10**12, 3).kind is engine.StartKind.START


def test_an_attempt_that_no_longer_holds_the_claim_releases_nothing() -> None:
    catalog = StepCatalog([step("a", {"x": 1})])
    task = plan(new({"x": 1}), catalog).task  # type: ignore[union-attr]
    request = RunRequest("ws", "t1", "a", task.claims["a"].id)
    assert engine.release_lease(task, "a", "dead", 1) is None
    running = engine.start_run(task, request, catalog, "live", 10**12, 1).outcome
    assert running is not None
    assert engine.release_lease(running.task, "a", "dead", 2) is None
    assert engine.release_lease(running.task, "b", "live", 2) is None
