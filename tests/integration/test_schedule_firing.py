"""`ScheduleFirer` over the SQLite stores, with a clock the tests move: one task per firing, never
two, and after downtime one task for all the slots missed."""

import builtins
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from store_support import run_threads

from aloma_core.adapters.local.ratelimit import InMemoryRateLimiter
from aloma_core.adapters.local.sqlite import (
    SqliteConnectorStore,
    SqliteDatabase,
    SqliteScheduleStore,
    SqliteSecretStore,
    SqliteStepStore,
    SqliteTaskStore,
    SqliteWebhookStore,
    SqliteWorkspaceStore,
)
from aloma_core.json_types import JsonObject
from aloma_core.limits import Limits
from aloma_core.model import Schedule, Task, Workspace, WorkspaceSettings
from aloma_core.records import new_id
from aloma_core.schedules import firing
from aloma_core.schedules.firing import ScheduleFirer, slot_task_id
from aloma_core.services import Platform

MINUTE = 60_000
T0 = 1_735_689_600_000  # 2025-01-01T00:00:00.000Z, a Wednesday


class ManualClock:
    def __init__(self, now_ms: int = T0) -> None:
        self.now = now_ms

    def now_ms(self) -> int:
        return self.now

    def set(self, now_ms: int) -> int:
        self.now = now_ms
        return now_ms


@dataclass
class World:
    clock: ManualClock
    platform: Platform
    schedules: SqliteScheduleStore
    tasks: SqliteTaskStore
    workspaces: SqliteWorkspaceStore
    workspace: Workspace

    def firer(self) -> ScheduleFirer:
        return ScheduleFirer(self.schedules, self.tasks, self.workspaces, self.clock)

    def fire_at(self, now_ms: int) -> int:
        return self.firer().fire_due(self.clock.set(now_ms))

    def set_schedule(
        self,
        name: str = "report",
        cron: str = "*/5 * * * *",
        data: JsonObject | None = None,
        task_name: str | None = None,
    ) -> Schedule:
        schedule, _ = self.platform.put_schedule(
            self.workspace,
            name,
            cron=cron,
            data={"report": "daily"} if data is None else data,
            task_name=task_name,
        )
        return schedule

    def task_list(self) -> list[Task]:
        """Oldest first."""
        tasks, _ = self.tasks.list(self.workspace.id, None, 200, None)
        return tasks[::-1]

    def schedule(self, name: str = "report") -> Schedule:
        return self.schedules.get(self.workspace.id, name)


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    db = SqliteDatabase(tmp_path / "aloma.db")
    clock = ManualClock()
    schedules = SqliteScheduleStore(db)
    tasks = SqliteTaskStore(db)
    workspaces = SqliteWorkspaceStore(db)
    platform = Platform(
        workspaces=workspaces,
        steps=SqliteStepStore(db),
        tasks=tasks,
        secrets=SqliteSecretStore(db),
        clock=clock,
        new_id=new_id,
        connectors=SqliteConnectorStore(db),
        webhooks=SqliteWebhookStore(db),
        rate_limiter=InMemoryRateLimiter(),
        schedules=schedules,
    )
    workspace, _ = platform.create_workspace("schedules")
    yield World(clock, platform, schedules, tasks, workspaces, workspace)
    db.close()


@pytest.fixture
def schedule_log(
    caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> pytest.LogCaptureFixture:
    """The firer's lines, even after `aloma dev`'s logging setup stopped them reaching the root."""
    monkeypatch.setattr(logging.getLogger("aloma"), "propagate", True)
    caplog.set_level(logging.INFO, logger="aloma.schedules")
    return caplog


class Delegating:
    """A `ScheduleStore` that passes every call on, for the two below to change one of them."""

    def __init__(self, inner: SqliteScheduleStore) -> None:
        self.inner = inner

    def put(self, schedule: Schedule) -> None:
        self.inner.put(schedule)

    def get(self, workspace_id: str, name: str) -> Schedule:
        return self.inner.get(workspace_id, name)

    def list(self, workspace_id: str) -> builtins.list[Schedule]:
        return self.inner.list(workspace_id)

    def delete(self, workspace_id: str, name: str) -> None:
        self.inner.delete(workspace_id, name)

    def due(self, now_ms: int, limit: int) -> builtins.list[Schedule]:
        return self.inner.due(now_ms, limit)

    def advance(self, schedule: Schedule, expected_next_fire_at: int) -> bool:
        return self.inner.advance(schedule, expected_next_fire_at)


class CrashingAdvance(Delegating):
    """A firer that dies after storing its task and before advancing the schedule."""

    def advance(self, schedule: Schedule, expected_next_fire_at: int) -> bool:
        raise RuntimeError("the process died here")


class StaleDue(Delegating):
    """Answers `due` with what it answered first: a firer that read before another one fired."""

    def __init__(self, inner: SqliteScheduleStore, now_ms: int) -> None:
        super().__init__(inner)
        self._seen = inner.due(now_ms, firing.PAGE)

    def due(self, now_ms: int, limit: int) -> builtins.list[Schedule]:
        return self._seen[:limit]


# Firing on time


def test_a_schedule_fires_once_at_each_slot_the_clock_passes(world: World) -> None:
    assert world.set_schedule().next_fire_at == T0 + 5 * MINUTE

    assert world.fire_at(T0 + 4 * MINUTE) == 0
    assert world.fire_at(T0 + 5 * MINUTE) == 1
    assert world.fire_at(T0 + 7 * MINUTE) == 0
    assert world.fire_at(T0 + 10 * MINUTE) == 1
    assert world.fire_at(T0 + 10 * MINUTE) == 0
    assert world.fire_at(T0 + 15 * MINUTE + 500) == 1

    tasks = world.task_list()
    assert [task.data["$via"]["scheduled_for"] for task in tasks] == [  # type: ignore[index, call-overload]
        "2025-01-01T00:05:00.000Z",
        "2025-01-01T00:10:00.000Z",
        "2025-01-01T00:15:00.000Z",
    ]
    assert [task.created_at for task in tasks] == [T0 + 5 * MINUTE, T0 + 10 * MINUTE, T0 + 15 * MINUTE + 500]
    stored = world.schedule()
    assert stored.next_fire_at == T0 + 20 * MINUTE
    assert stored.last_fired_at == T0 + 15 * MINUTE + 500
    assert stored.last_task_id == tasks[-1].id


def test_the_task_carries_the_data_and_via_and_is_named_after_the_schedule(world: World) -> None:
    world.set_schedule("nightly", data={"report": "sales", "$via": {"type": "webhook"}})

    world.fire_at(T0 + 5 * MINUTE + 1234)

    [task] = world.task_list()
    assert task.name == "nightly"
    assert task.data == {
        "report": "sales",
        "$via": {
            "type": "schedule",
            "name": "nightly",
            "fired_at": "2025-01-01T00:05:01.234Z",
            "scheduled_for": "2025-01-01T00:05:00.000Z",
        },
    }
    assert task.id == slot_task_id(world.workspace.id, "nightly", T0 + 5 * MINUTE)
    assert task.id.startswith(f"{T0 + 5 * MINUTE:012x}")
    assert len(task.id) == len(new_id())


def test_task_name_names_the_tasks(world: World) -> None:
    world.set_schedule("nightly", task_name="sales report")

    world.fire_at(T0 + 5 * MINUTE)

    assert [task.name for task in world.task_list()] == ["sales report"]


def test_slot_task_ids_differ_by_workspace_schedule_and_slot() -> None:
    ids = {
        slot_task_id("ws_a", "report", T0),
        slot_task_id("ws_b", "report", T0),
        slot_task_id("ws_a", "other", T0),
        slot_task_id("ws_a", "report", T0 + MINUTE),
    }

    assert len(ids) == 4
    assert slot_task_id("ws_a", "report", T0) == slot_task_id("ws_a", "report", T0)


# Never doubled, missed once


def test_after_downtime_over_many_slots_one_task_is_created(world: World) -> None:
    world.set_schedule()

    assert world.fire_at(T0 + 5 * 60 * MINUTE + 3 * MINUTE) == 1
    assert world.fire_at(T0 + 5 * 60 * MINUTE + 4 * MINUTE) == 0

    [task] = world.task_list()
    assert task.data["$via"]["scheduled_for"] == "2025-01-01T00:05:00.000Z"  # type: ignore[index, call-overload]
    assert world.schedule().next_fire_at == T0 + 5 * 60 * MINUTE + 5 * MINUTE


def test_two_firers_racing_on_one_due_schedule_create_one_task(world: World) -> None:
    world.set_schedule()
    now = world.clock.set(T0 + 5 * MINUTE)
    created: list[int] = []

    run_threads(6, lambda _: created.append(world.firer().fire_due(now)))

    assert sum(created) == 1
    assert len(world.task_list()) == 1
    assert world.schedule().next_fire_at == T0 + 10 * MINUTE


def test_a_firer_that_read_before_another_fired_creates_nothing(world: World) -> None:
    world.set_schedule()
    now = world.clock.set(T0 + 5 * MINUTE)
    late = ScheduleFirer(StaleDue(world.schedules, now), world.tasks, world.workspaces, world.clock)

    assert world.firer().fire_due(now) == 1
    assert late.fire_due(now) == 0

    [task] = world.task_list()
    assert world.schedule().last_task_id == task.id


def test_a_crash_between_creating_and_advancing_does_not_double_on_the_next_pass(
    world: World, schedule_log: pytest.LogCaptureFixture
) -> None:
    world.set_schedule()
    now = world.clock.set(T0 + 5 * MINUTE)
    crashing = ScheduleFirer(CrashingAdvance(world.schedules), world.tasks, world.workspaces, world.clock)

    crashing.fire_due(now)
    assert len(world.task_list()) == 1
    assert world.schedule().next_fire_at == T0 + 5 * MINUTE
    assert "the process died here" in schedule_log.text

    assert world.fire_at(T0 + 6 * MINUTE) == 0

    [task] = world.task_list()
    stored = world.schedule()
    assert stored.next_fire_at == T0 + 10 * MINUTE
    assert stored.last_task_id == task.id


# Schedules that cannot fire


def test_data_over_a_lowered_size_limit_skips_the_slot_with_an_error(
    world: World, schedule_log: pytest.LogCaptureFixture
) -> None:
    world.set_schedule(data={"blob": "x" * 2000})
    world.workspaces.save_settings(world.workspace.id, WorkspaceSettings(limits=Limits(task_data_bytes=1024)))

    assert world.fire_at(T0 + 5 * MINUTE) == 0

    assert world.task_list() == []
    assert world.schedule().next_fire_at == T0 + 10 * MINUTE
    assert world.schedule().last_task_id is None
    [error] = [record for record in schedule_log.records if record.levelno == logging.ERROR]
    assert "task size limit" in error.getMessage()
    assert world.fire_at(T0 + 6 * MINUTE) == 0


def test_one_failing_schedule_does_not_stop_the_others(
    world: World, schedule_log: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A page of one: the failing schedule, due first, is tried once and does not hide the rest."""
    monkeypatch.setattr(firing, "PAGE", 1)
    orphan = Schedule("ws_gone", "orphan", "* * * * *", "UTC", {}, None, T0, T0, T0)
    world.schedules.put(orphan)
    world.set_schedule("first")
    world.set_schedule("second")

    assert world.fire_at(T0 + 5 * MINUTE) == 2

    assert sorted(task.name or "" for task in world.task_list()) == ["first", "second"]
    assert world.schedules.get("ws_gone", "orphan").next_fire_at == T0
    assert "schedule 'orphan': firing failed" in schedule_log.text


def test_a_deleted_schedule_does_not_fire(world: World) -> None:
    world.set_schedule()
    world.platform.delete_schedule(world.workspace, "report")

    assert world.fire_at(T0 + 5 * MINUTE) == 0
    assert world.task_list() == []


def test_a_change_of_cron_counts_from_now_and_fires_on_the_new_slots(world: World) -> None:
    world.set_schedule(cron="0 * * * *")
    world.clock.set(T0 + 20 * MINUTE)

    assert world.set_schedule(cron="*/15 * * * *").next_fire_at == T0 + 30 * MINUTE
    assert world.fire_at(T0 + 30 * MINUTE) == 1
    assert world.schedule().next_fire_at == T0 + 45 * MINUTE
