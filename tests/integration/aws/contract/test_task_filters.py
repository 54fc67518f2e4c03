"""Filtered listings and counts of the `TaskStore` contract, on both homes (see `contract_homes.py`)."""

import pytest
from contract_homes import HOMES, task_store
from store_support import A, B, created, make_task

from aloma_core import task_filter
from aloma_core.model import Task, TaskState
from aloma_core.ports import TaskStore
from aloma_core.task_filter import TaskFilter


@pytest.fixture(params=HOMES)
def tasks(request: pytest.FixtureRequest) -> TaskStore:
    return task_store(str(request.param), request)


def _store(tasks: TaskStore, *many: Task) -> list[Task]:
    for task in many:
        tasks.create(task, created(task))
    return list(many)


def _ids(page: list[Task]) -> list[str]:
    return [task.id for task in page]


def _sample(tasks: TaskStore) -> list[Task]:
    return _store(
        tasks,
        make_task(task_id="t1", created_at=1_000, data={"city": "Zürich"}).with_changes(tags=("vip",)),
        make_task(task_id="t2", created_at=2_000, state=TaskState.ERROR).with_changes(
            name="refund", ran=("charge",)
        ),
        make_task(task_id="t3", created_at=3_000, data={"city": "Bern"}).with_changes(ran=("charge", "ship")),
        make_task(B, task_id="t4", created_at=4_000, data={"city": "Bern"}).with_changes(tags=("vip",)),
    )


@pytest.mark.parametrize(
    ("where", "expected"),
    [
        (TaskFilter(name="refund"), ["t2"]),
        (TaskFilter(name="nobody"), []),
        (TaskFilter(tag="vip"), ["t1"]),
        (TaskFilter(step="charge"), ["t3", "t2"]),
        (TaskFilter(step="ship"), ["t3"]),
        (TaskFilter(q="Bern"), ["t3"]),
        (TaskFilter(q="bern"), []),
        (TaskFilter(q='{"city":"Zürich"}'), ["t1"]),
        (TaskFilter(created_after=2_000), ["t3", "t2"]),
        (TaskFilter(created_before=2_000), ["t1"]),
        (TaskFilter(created_after=2_000, created_before=3_000), ["t2"]),
        (TaskFilter(created_after=3_000, created_before=3_000), []),
        (TaskFilter(step="charge", created_before=3_000), ["t2"]),
    ],
)
def test_list_applies_each_filter_in_the_workspace_only(
    tasks: TaskStore, where: TaskFilter, expected: list[str]
) -> None:
    _sample(tasks)
    page, following = tasks.list(A, None, 10, None, where)
    assert _ids(page) == expected
    assert following is None


def test_filters_combine_with_the_state(tasks: TaskStore) -> None:
    _sample(tasks)
    assert _ids(tasks.list(A, TaskState.ERROR, 10, None, TaskFilter(step="charge"))[0]) == ["t2"]
    assert tasks.list(A, TaskState.DONE, 10, None, TaskFilter(step="charge"))[0] == []


def test_filtered_pages_follow_each_other_without_gaps_or_repeats(tasks: TaskStore) -> None:
    _store(tasks, *(make_task(task_id=f"t{i:02d}", created_at=i, data={"i": i % 3}) for i in range(30)))
    where = TaskFilter(q='"i":0')
    seen: list[str] = []
    cursor = None
    while True:
        page, cursor = tasks.list(A, None, 4, cursor, where)
        seen += _ids(page)
        if cursor is None:
            break
    assert seen == [f"t{i:02d}" for i in range(29, -1, -1) if i % 3 == 0]


def test_a_narrow_filter_over_many_tasks_is_reached_by_following_the_cursors(
    tasks: TaskStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A page may stop at its budget with a short page (DynamoDB reads the tasks to filter them);
    either way the pages hold every match once."""
    monkeypatch.setattr(task_filter, "SCAN_BUDGET", 20)
    many = [make_task(task_id=f"t{i:05d}", created_at=10 + i) for i in range(25)]
    _store(tasks, make_task(task_id="t_old", created_at=1, data={"needle": 1}), *many)

    seen: list[str] = []
    cursor = None
    for _ in range(5):
        page, cursor = tasks.list(A, None, 10, cursor, TaskFilter(q="needle"))
        seen += _ids(page)
        if cursor is None:
            break
    assert seen == ["t_old"]
    assert cursor is None


def test_count_gives_every_state_for_the_filter(tasks: TaskStore) -> None:
    _sample(tasks)
    counts, exact = tasks.count(A, TaskFilter())
    assert exact
    assert set(counts) == set(TaskState)
    assert (counts[TaskState.RUNNING], counts[TaskState.ERROR], counts[TaskState.DONE]) == (2, 1, 0)

    assert tasks.count(A, TaskFilter(step="charge"))[0][TaskState.ERROR] == 1
    assert tasks.count(A, TaskFilter(step="charge"))[0][TaskState.RUNNING] == 1
    assert sum(tasks.count(A, TaskFilter(created_after=2_500))[0].values()) == 1
    assert sum(tasks.count(A, TaskFilter(created_after=5, created_before=5))[0].values()) == 0
    assert sum(tasks.count(B, TaskFilter(name="refund"))[0].values()) == 0
