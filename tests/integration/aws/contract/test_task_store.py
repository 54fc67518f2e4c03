"""The `TaskStore` contract, run against both homes (see `contract_homes.py`).

What only one home does (SQLite's `on_saved` and `open_tasks`; DynamoDB's TTL, item and
transaction limits, request counts, cursors bound to their listing) is tested beside it:
`tests/integration/test_sqlite_store.py` and `aws/test_dynamo_tasks.py`.
"""

import pytest
from contract_homes import HOMES, SQLITE, task_store
from store_support import A, B, claim, created, increment_concurrently, make_task, next_version

from aloma_core.errors import ConflictingState, InvalidInput, NotFound
from aloma_core.model import ChildLink, ClaimStatus, Event, Expiry, ParentLink, TaskError, TaskState
from aloma_core.ports import TaskStore
from aloma_core.records import dump_json


@pytest.fixture(params=HOMES)
def home(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def tasks(home: str, request: pytest.FixtureRequest) -> TaskStore:
    return task_store(home, request)


# Create and get


def test_create_stores_task_and_first_events(tasks: TaskStore) -> None:
    task = make_task(
        state=TaskState.ERROR,
        data={"x": 1.0, "deep": [[{"é": None}]]},
        claims={"charge": claim("charge", ClaimStatus.DONE)},
    ).with_changes(result={"ok": 0.25}, tags=("vip",), runs=3, error=TaskError("charge", "boom", 4))

    tasks.create(task, [*created(task), Event("dispatched", 2, {"steps": ["charge"]})])

    stored = tasks.get(A, task.id)
    assert stored == task
    assert dump_json(stored.data) == '{"x":1.0,"deep":[[{"é":null}]]}'
    history = tasks.history(A, task.id)
    assert [(event.seq, event.type) for event in history] == [(1, "created"), (2, "dispatched")]
    assert history[1].detail == {"steps": ["charge"]}


def test_create_is_atomic(tasks: TaskStore) -> None:
    """An event that cannot be stored takes the task with it: neither is found afterwards."""
    task = make_task()

    with pytest.raises(ValueError, match="JSON"):
        tasks.create(task, [*created(task), Event("audit", 2, {"bad": float("nan")})])

    with pytest.raises(NotFound):
        tasks.get(A, task.id)
    with pytest.raises(NotFound):
        tasks.history(A, task.id)


def test_create_refuses_a_duplicate_id(tasks: TaskStore) -> None:
    task = make_task()
    tasks.create(task, created(task))

    with pytest.raises(ConflictingState):
        tasks.create(task.with_changes(data={"other": True}), created(task))

    assert tasks.get(A, task.id) == task
    assert len(tasks.history(A, task.id)) == 1


def test_get_of_unknown_or_other_workspace_task_is_not_found(tasks: TaskStore) -> None:
    """Whatever the id: also one longer than any key DynamoDB takes, and the empty one."""
    task = make_task(A)
    tasks.create(task, created(task))

    for workspace_id, task_id in [(A, "t_unknown"), (B, task.id), (A, "x" * 3000), (A, "")]:
        with pytest.raises(NotFound):
            tasks.get(workspace_id, task_id)


# Save


def test_save_writes_the_next_version_and_appends_events(tasks: TaskStore) -> None:
    task = make_task()
    tasks.create(task, created(task))
    second = next_version(task, data={"n": 1}, data_seq=2)

    assert tasks.save(second, 1, [Event("patched", 2, {"n": 1}), Event("state", 3, {"to": "running"})])

    assert tasks.get(A, task.id) == second
    assert [(event.seq, event.type) for event in tasks.history(A, task.id)] == [
        (1, "created"),
        (2, "patched"),
        (3, "state"),
    ]


def test_save_refuses_a_stale_version_and_writes_no_events(tasks: TaskStore) -> None:
    task = make_task()
    tasks.create(task, created(task))
    winner = next_version(task, data={"n": 1})
    assert tasks.save(winner, 1, [Event("patched", 2)])

    assert not tasks.save(next_version(task, data={"n": 99}), 1, [Event("patched", 3, {"lost": True})])

    assert tasks.get(A, task.id) == winner
    assert [event.type for event in tasks.history(A, task.id)] == ["created", "patched"]


def test_save_needs_the_version_after_the_expected_one(tasks: TaskStore) -> None:
    task = make_task()
    tasks.create(task, created(task))

    with pytest.raises(ValueError, match="expected version"):
        tasks.save(task.with_changes(version=5), 1, [])


def test_save_of_unknown_or_other_workspace_task_writes_nothing(tasks: TaskStore) -> None:
    task = make_task(A)
    tasks.create(task, created(task))
    unknown = make_task(A)

    assert not tasks.save(next_version(unknown), 1, [Event("patched", 2)])
    assert not tasks.save(next_version(task.with_changes(workspace_id=B)), 1, [Event("patched", 2)])

    assert tasks.get(A, task.id) == task
    assert len(tasks.history(A, task.id)) == 1
    for workspace_id, task_id in [(A, unknown.id), (B, task.id)]:
        with pytest.raises(NotFound):
            tasks.history(workspace_id, task_id)


def test_concurrent_increments_lose_no_update(tasks: TaskStore, home: str) -> None:
    """Read-modify-write increments from several threads, each retried on a version conflict
    (fewer on moto, which serves every request under one lock)."""
    workers, rounds = (8, 50) if home == SQLITE else (6, 15)
    task = make_task(data={"n": 0})
    tasks.create(task, created(task))

    increment_concurrently(tasks, task, workers, rounds)

    total = workers * rounds
    final = tasks.get(A, task.id)
    assert (final.version, final.data) == (total + 1, {"n": total})
    assert [event.seq for event in tasks.history(A, task.id)] == list(range(1, total + 2))


# List


def test_list_is_newest_first_in_pages(tasks: TaskStore) -> None:
    made = [make_task(created_at=1_000 + i) for i in range(5)]
    for task in made:
        tasks.create(task, created(task))
    tasks.create(other := make_task(B, created_at=5_000), created(other))

    pages: list[list[str]] = []
    cursor: str | None = None
    while True:
        page, cursor = tasks.list(A, None, 2, cursor)
        pages.append([task.id for task in page])
        if cursor is None:
            break

    newest_first = [task.id for task in reversed(made)]
    assert pages == [newest_first[0:2], newest_first[2:4], newest_first[4:5]]


def test_list_ends_without_an_empty_page(tasks: TaskStore) -> None:
    for i in range(4):
        tasks.create(task := make_task(created_at=i), created(task))

    first, cursor = tasks.list(A, None, 2, None)
    second, end = tasks.list(A, None, 2, cursor)

    assert (len(first), len(second), end) == (2, 2, None)


def test_list_breaks_ties_by_id_descending(tasks: TaskStore) -> None:
    for task_id in ["t_1", "t_3", "t_2", "t_4"]:
        tasks.create(task := make_task(task_id=task_id, created_at=7), created(task))

    first, cursor = tasks.list(A, None, 3, None)
    rest, _ = tasks.list(A, None, 3, cursor)

    assert [task.id for task in first + rest] == ["t_4", "t_3", "t_2", "t_1"]


def test_list_filters_by_state(tasks: TaskStore) -> None:
    states = [TaskState.DONE, TaskState.RUNNING, TaskState.DONE, TaskState.ERROR, TaskState.DONE]
    made = [make_task(state=state, created_at=i) for i, state in enumerate(states)]
    for task in made:
        tasks.create(task, created(task))

    first, cursor = tasks.list(A, TaskState.DONE, 2, None)
    rest, end = tasks.list(A, TaskState.DONE, 2, cursor)

    assert [task.id for task in first + rest] == [made[4].id, made[2].id, made[0].id]
    assert end is None
    assert tasks.list(A, TaskState.WAITING, 10, None) == ([], None)


def test_list_follows_state_changes(tasks: TaskStore) -> None:
    task = make_task()
    tasks.create(task, created(task))
    tasks.save(next_version(task, state=TaskState.DONE), 1, [])

    assert tasks.list(A, TaskState.RUNNING, 10, None) == ([], None)
    assert [found.state for found in tasks.list(A, TaskState.DONE, 10, None)[0]] == [TaskState.DONE]


def test_list_shows_only_the_workspace_own_tasks(tasks: TaskStore) -> None:
    tasks.create(task := make_task(A), created(task))

    assert tasks.list(B, None, 10, None) == ([], None)
    assert tasks.list(A, None, 10, None) == ([task], None)


@pytest.mark.parametrize("cursor", ["", "not base64!", "bm90IGpzb24=", "WzEsMiwzXQ==", "WyJhIiwgMV0="])
def test_list_refuses_a_cursor_it_did_not_give(tasks: TaskStore, cursor: str) -> None:
    with pytest.raises(InvalidInput, match="cursor"):
        tasks.list(A, None, 10, cursor)


def test_list_refuses_an_empty_page(tasks: TaskStore) -> None:
    with pytest.raises(InvalidInput, match="limit"):
        tasks.list(A, None, 0, None)


# History


def test_history_of_unknown_or_other_workspace_task_is_not_found(tasks: TaskStore) -> None:
    tasks.create(task := make_task(A), created(task))
    tasks.create(silent := make_task(A), [])

    assert tasks.history(A, silent.id) == []
    with pytest.raises(NotFound):
        tasks.history(A, "t_unknown")
    with pytest.raises(NotFound):
        tasks.history(B, task.id)


def test_history_keeps_write_order_across_many_versions(tasks: TaskStore) -> None:
    """Version 10's events come after version 9's (DynamoDB: zero-padded versions in sort keys)."""
    task = make_task()
    tasks.create(task, created(task))
    current = task
    for version in range(2, 13):
        bumped = next_version(current)
        assert tasks.save(
            bumped, current.version, [Event("audit", version, {"v": version, "i": i}) for i in (0, 1)]
        )
        current = bumped

    history = tasks.history(A, task.id)

    assert [(event.detail.get("v"), event.detail.get("i")) for event in history[1:]] == [
        (version, i) for version in range(2, 13) for i in (0, 1)
    ]
    assert [event.seq for event in history] == list(range(1, 24))


# Timers and subtasks


def test_due_lists_tasks_whose_timer_has_come_earliest_first_across_workspaces(tasks: TaskStore) -> None:
    later = make_task(task_id="later", state=TaskState.WAITING).with_changes(park_until=3_000)
    sooner = make_task(workspace_id=B, task_id="sooner").with_changes(expiry=Expiry(2_000))
    unarmed = make_task(task_id="unarmed", state=TaskState.WAITING)
    for task in (later, sooner, unarmed):
        tasks.create(task, created(task))

    assert tasks.due(1_999, 10) == []
    assert tasks.due(2_000, 10) == [(B, "sooner")]
    assert tasks.due(5_000, 10) == [(B, "sooner"), (A, "later")]
    assert tasks.due(5_000, 1) == [(B, "sooner")]


def test_a_save_that_clears_or_ends_the_timer_leaves_the_due_list(tasks: TaskStore) -> None:
    parked = make_task(task_id="p", state=TaskState.WAITING).with_changes(park_until=1_000)
    timed = make_task(task_id="t").with_changes(expiry=Expiry(1_000))
    for task in (parked, timed):
        tasks.create(task, created(task))

    assert tasks.save(next_version(parked, park_until=None, state=TaskState.RUNNING), 1, [])
    assert tasks.save(next_version(timed, state=TaskState.DONE), 1, [])

    assert tasks.due(10_000, 10) == []


def test_a_save_creates_its_subtasks_in_the_same_write(tasks: TaskStore) -> None:
    parent = make_task(task_id="parent")
    tasks.create(parent, created(parent))
    child = make_task(task_id="child").with_changes(parent=ParentLink("parent", "out", True), depth=1)
    link = ChildLink("child", None, "out", True)

    assert tasks.save(
        next_version(parent, children=(link,)), 1, [Event("subtask", 2)], [(child, created(child))]
    )

    assert tasks.get(A, "child") == child
    assert tasks.get(A, "parent").children == (link,)
    assert [event.type for event in tasks.history(A, "child")] == ["created"]


def test_a_save_that_loses_the_version_race_creates_no_subtask(tasks: TaskStore) -> None:
    parent = make_task(task_id="parent")
    tasks.create(parent, created(parent))
    assert tasks.save(next_version(parent), 1, [])
    child = make_task(task_id="child")

    assert not tasks.save(next_version(parent), 1, [], [(child, created(child))])

    with pytest.raises(NotFound):
        tasks.get(A, "child")


def test_a_subtask_whose_id_exists_fails_the_whole_save(tasks: TaskStore) -> None:
    parent = make_task(task_id="parent")
    existing = make_task(task_id="child")
    for task in (parent, existing):
        tasks.create(task, created(task))

    with pytest.raises(ConflictingState):
        tasks.save(next_version(parent, runs=1), 1, [], [(make_task(task_id="child"), [])])

    assert tasks.get(A, "parent").version == 1
