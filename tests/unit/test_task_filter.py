"""The listing filters as pure rules: one row that holds and one that does not, per field."""

import pytest

from aloma_core.model import Task, TaskState
from aloma_core.task_filter import SCAN_BUDGET, TaskFilter, page_of, tally

TASK = Task(
    "ws",
    "t1",
    "order",
    TaskState.ERROR,
    {"customer": {"email": "a@b.c"}, "city": "Zürich"},
    created_at=1_000,
    updated_at=1_000,
    tags=("vip",),
    ran=("charge",),
)


@pytest.mark.parametrize(
    ("where", "expected"),
    [
        (TaskFilter(name="order"), True),
        (TaskFilter(name="Order"), False),
        (TaskFilter(tag="vip"), True),
        (TaskFilter(tag="vi"), False),
        (TaskFilter(step="charge"), True),
        (TaskFilter(step="ship"), False),
        (TaskFilter(created_after=1_000), True),
        (TaskFilter(created_after=1_001), False),
        (TaskFilter(created_before=1_001), True),
        (TaskFilter(created_before=1_000), False),
        (TaskFilter(q='"email":"a@b'), True),
        (TaskFilter(q='"email": "a@b'), False),
        (TaskFilter(q="Zürich"), True),
        (TaskFilter(q="zürich"), False),
        (TaskFilter(name="order", tag="vip", step="charge"), True),
        (TaskFilter(name="order", tag="other"), False),
        (TaskFilter(), True),
    ],
)
def test_each_field_must_hold(where: TaskFilter, expected: bool) -> None:
    assert where.matches(TASK) is expected


def test_only_fields_that_need_the_task_make_a_store_read_it() -> None:
    assert not TaskFilter(created_after=1, created_before=2).inspects_tasks
    assert TaskFilter(q="x").inspects_tasks


def test_a_window_that_ends_before_it_starts_is_empty() -> None:
    assert TaskFilter(created_after=5, created_before=5).empty_window
    assert not TaskFilter(created_after=5, created_before=6).empty_window


def _rows(count: int) -> list[tuple[int, Task]]:
    return [(i, TASK.with_changes(id=f"t{i}", name="even" if i % 2 == 0 else "odd")) for i in range(count)]


def test_a_page_stops_at_limit_with_the_position_of_its_last_task() -> None:
    page, position = page_of(_rows(10), TaskFilter(name="even"), 2)
    assert [t.id for t in page] == ["t0", "t2"]
    assert position == 2


def test_the_last_page_has_no_position() -> None:
    page, position = page_of(_rows(10), TaskFilter(name="even"), 5)
    assert len(page) == 5
    assert position is None


def test_a_page_examines_at_most_the_budget_and_says_where_it_stopped() -> None:
    rows = _rows(SCAN_BUDGET + 50)
    page, position = page_of(rows, TaskFilter(name="nobody"), 10)
    assert page == []
    assert position == SCAN_BUDGET - 1


def test_tally_counts_every_state_and_says_it_is_exact() -> None:
    counts, exact = tally([TASK, TASK.with_changes(state=TaskState.DONE), TASK], TaskFilter(tag="vip"))
    assert exact
    assert counts[TaskState.ERROR] == 2
    assert counts[TaskState.DONE] == 1
    assert set(counts) == set(TaskState)
    assert counts[TaskState.CANCELLED] == 0


def test_tally_leaves_out_what_does_not_match() -> None:
    counts, _ = tally([TASK], TaskFilter(tag="other"))
    assert sum(counts.values()) == 0
