"""The `ScheduleStore` contract, run against both homes (see `contract_homes.py`)."""

from dataclasses import replace
from typing import Any

import pytest
from contract_homes import HOMES, schedule_store
from store_support import A, B, run_threads

from aloma_core.errors import NotFound
from aloma_core.model import Schedule
from aloma_core.ports import ScheduleStore

MINUTE = 60_000
T0 = 1_735_689_600_000  # 2025-01-01T00:00:00.000Z


@pytest.fixture(params=HOMES)
def home(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def schedules(home: str, request: pytest.FixtureRequest) -> ScheduleStore:
    return schedule_store(home, request)


def schedule(workspace_id: str, name: str, next_fire_at: int = T0, **changes: Any) -> Schedule:
    made = Schedule(
        workspace_id=workspace_id,
        name=name,
        cron="*/5 * * * *",
        timezone="Europe/Berlin",
        data={"report": name},
        task_name=None,
        next_fire_at=next_fire_at,
        created_at=T0 - MINUTE,
        updated_at=T0 - MINUTE,
    )
    return replace(made, **changes)


def fired(stored: Schedule, task_id: str = "t_1") -> Schedule:
    """What a firer writes: the next slot, and the firing recorded; `updated_at` unchanged."""
    return replace(
        stored,
        next_fire_at=stored.next_fire_at + 5 * MINUTE,
        last_fired_at=stored.next_fire_at,
        last_task_id=task_id,
    )


def test_schedules_put_get_list_replace_delete(schedules: ScheduleStore) -> None:
    schedules.put(schedule(A, "nightly"))
    schedules.put(schedule(A, "hourly"))
    replaced = schedule(A, "nightly", cron="0 3 * * *", task_name="report", updated_at=T0)
    schedules.put(replaced)

    assert schedules.get(A, "nightly") == replaced
    assert [s.name for s in schedules.list(A)] == ["hourly", "nightly"]

    schedules.delete(A, "nightly")
    assert [s.name for s in schedules.list(A)] == ["hourly"]
    with pytest.raises(NotFound):
        schedules.get(A, "nightly")
    with pytest.raises(NotFound):
        schedules.delete(A, "nightly")


def test_a_schedule_comes_back_as_stored(schedules: ScheduleStore) -> None:
    """Free-form data, floats and deep nesting included, and a recorded firing."""
    nested: dict[str, object] = {"leaf": 0.1}
    for _ in range(40):
        nested = {"n": nested}
    stored = schedule(
        A, "deep", data={"x": nested, "text": "grüße"}, last_fired_at=T0 - 1, last_task_id="t_9"
    )

    schedules.put(stored)

    assert schedules.get(A, "deep") == stored
    assert schedules.list(A) == [stored]


def test_schedules_are_isolated_by_workspace(schedules: ScheduleStore) -> None:
    schedules.put(schedule(A, "nightly", data={"of": "a"}))
    schedules.put(schedule(B, "nightly", data={"of": "b"}))

    assert schedules.get(A, "nightly").data == {"of": "a"}
    assert schedules.list("ws_other") == []
    with pytest.raises(NotFound):
        schedules.get("ws_other", "nightly")
    with pytest.raises(NotFound):
        schedules.delete("ws_other", "nightly")

    schedules.delete(B, "nightly")
    assert [s.workspace_id for s in schedules.list(A)] == [A]


def test_a_name_no_key_can_hold_is_never_found(schedules: ScheduleStore) -> None:
    with pytest.raises(NotFound):
        schedules.get(A, "n" * 3000)
    with pytest.raises(NotFound):
        schedules.delete(A, "n" * 3000)


def test_due_is_what_is_at_or_before_now_across_workspaces_earliest_first(schedules: ScheduleStore) -> None:
    schedules.put(schedule(A, "later", T0 + MINUTE))
    schedules.put(schedule(B, "second", T0 - MINUTE))
    schedules.put(schedule(A, "third", T0))
    schedules.put(schedule(A, "first", T0 - 2 * MINUTE))

    due = schedules.due(T0, 10)

    assert [(s.workspace_id, s.name) for s in due] == [(A, "first"), (B, "second"), (A, "third")]
    assert due[0] == schedule(A, "first", T0 - 2 * MINUTE)
    assert [s.name for s in schedules.due(T0, 2)] == ["first", "second"]
    assert schedules.due(T0 - 3 * MINUTE, 10) == []
    assert [s.name for s in schedules.due(T0 + MINUTE, 10)] == ["first", "second", "third", "later"]


def test_due_pages_through_more_schedules_than_one_page(schedules: ScheduleStore) -> None:
    for index in range(30):
        schedules.put(schedule(A, f"s{index:02d}", T0 - index))

    due = schedules.due(T0, 25)

    assert [s.name for s in due] == [f"s{index:02d}" for index in range(29, 4, -1)]


def test_a_deleted_or_moved_schedule_is_not_due(schedules: ScheduleStore) -> None:
    schedules.put(schedule(A, "gone"))
    schedules.put(schedule(A, "moved"))
    schedules.delete(A, "gone")
    schedules.put(schedule(A, "moved", T0 + MINUTE, updated_at=T0))

    assert schedules.due(T0, 10) == []


def test_advance_stores_the_firing_when_the_slot_is_still_the_expected_one(schedules: ScheduleStore) -> None:
    stored = schedule(A, "nightly")
    schedules.put(stored)

    assert schedules.advance(fired(stored), T0)

    assert schedules.get(A, "nightly") == fired(stored)
    assert schedules.due(T0, 10) == []
    assert [s.name for s in schedules.due(T0 + 5 * MINUTE, 10)] == ["nightly"]


def test_advance_with_a_stale_slot_loses_and_changes_nothing(schedules: ScheduleStore) -> None:
    stored = schedule(A, "nightly")
    schedules.put(stored)
    assert schedules.advance(fired(stored, "t_1"), T0)

    assert not schedules.advance(fired(stored, "t_2"), T0)

    assert schedules.get(A, "nightly").last_task_id == "t_1"


def test_advance_loses_to_a_change_made_after_the_schedule_was_read(schedules: ScheduleStore) -> None:
    """A PUT of new data keeps the slot but moves `updated_at`: the firing must not undo it."""
    read = schedule(A, "nightly")
    schedules.put(read)
    changed = replace(read, data={"report": "new"}, updated_at=T0)
    schedules.put(changed)

    assert not schedules.advance(fired(read), T0)

    assert schedules.get(A, "nightly") == changed


def test_advance_of_a_deleted_schedule_loses_and_does_not_bring_it_back(schedules: ScheduleStore) -> None:
    stored = schedule(A, "nightly")
    schedules.put(stored)
    schedules.delete(A, "nightly")

    assert not schedules.advance(fired(stored), T0)

    assert schedules.list(A) == []
    with pytest.raises(NotFound):
        schedules.get(A, "nightly")


def test_of_concurrent_advances_of_one_slot_exactly_one_wins(schedules: ScheduleStore) -> None:
    stored = schedule(A, "nightly")
    schedules.put(stored)
    wins: list[str] = []

    def advance(index: int) -> None:
        if schedules.advance(fired(stored, f"t_{index}"), T0):
            wins.append(f"t_{index}")

    run_threads(6, advance)

    [winner] = wins
    assert schedules.get(A, "nightly").last_task_id == winner
