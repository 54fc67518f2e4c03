"""The notifier over the SQLite stores, driven directly: claims race and tick race on one file,
a target that goes away, and a setting removed before its notice went out."""

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from store_support import run_threads

from aloma_core.adapters.local.sqlite import (
    SqliteConnectorStore,
    SqliteDatabase,
    SqliteNoticeStore,
    SqliteSecretStore,
    SqliteTaskStore,
    SqliteWorkspaceStore,
)
from aloma_core.model import ConnectorConfig, Event, Task, TaskError, TaskState, Workspace, WorkspaceSettings
from aloma_core.notify.notice import NoticeStatus
from aloma_core.notify.notifier import Notifier
from fake_service import FakeService, json_reply

T0 = 1_735_689_600_000
HOOK = "/hook"


class ManualClock:
    def __init__(self) -> None:
        self.now = T0

    def now_ms(self) -> int:
        return self.now


@dataclass
class World:
    db: SqliteDatabase
    clock: ManualClock
    tasks: SqliteTaskStore
    workspaces: SqliteWorkspaceStore
    notices: SqliteNoticeStore
    connectors: SqliteConnectorStore
    workspace: Workspace

    def notifier(self) -> Notifier:
        return Notifier(
            self.notices, self.tasks, self.workspaces, SqliteSecretStore(self.db), self.connectors, self.clock
        )

    def configure(
        self, notify: dict[str, Any] | None, allow: tuple[str, ...] = ("127.0.0.1",)
    ) -> WorkspaceSettings:
        """Stored as is, past the PATCH checks, as a setting made before a change around it."""
        settings = WorkspaceSettings.model_validate({"egress_allow": allow, "notify": notify})
        self.workspaces.save_settings(self.workspace.id, settings)
        return settings

    def failed_task(self, task_id: str) -> Task:
        created = Task(self.workspace.id, task_id, None, TaskState.RUNNING, {"n": 1}, T0, T0)
        self.tasks.create(created, [Event("created", T0, {})])
        failed = created.with_changes(
            version=2, state=TaskState.ERROR, error=TaskError("charge", "card declined", 2)
        )
        moved = Event("state", T0, {"from": "running", "to": "error", "reason": "step failed"})
        assert self.tasks.save(failed, 1, [moved])
        return failed


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    db = SqliteDatabase(tmp_path / "aloma.db")
    workspaces = SqliteWorkspaceStore(db)
    workspace = Workspace("ws_n", "shop", WorkspaceSettings(), T0)
    workspaces.create(workspace, "hash-n")
    yield World(
        db,
        ManualClock(),
        SqliteTaskStore(db),
        workspaces,
        SqliteNoticeStore(db),
        SqliteConnectorStore(db),
        workspace,
    )
    db.close()


@pytest.fixture
def service() -> Iterator[FakeService]:
    started = FakeService().start()
    started.route("POST", HOOK, json_reply({"ok": True}))
    yield started
    started.stop()


def test_matchers_racing_on_one_ending_record_one_notice_and_send_nothing(
    world: World, service: FakeService
) -> None:
    """Claiming is all the matcher does: nothing goes out until a tick delivers."""
    settings = world.configure({"to": {"webhook": service.url + HOOK}})
    task = world.failed_task("t_1")

    run_threads(6, lambda _: world.notifier().task_stored(task, settings))

    assert [n.status for n in world.notices.of_task(world.workspace.id, "t_1")] == [NoticeStatus.PENDING]
    assert service.seen == []


def test_two_notifiers_ticking_at_once_send_each_notice_once(world: World, service: FakeService) -> None:
    settings = world.configure({"to": {"webhook": service.url + HOOK}, "digest": {"after": 50}})
    for index in range(8):
        world.notifier().task_stored(world.failed_task(f"t_{index}"), settings)
    notifiers = [world.notifier(), world.notifier()]

    run_threads(2, lambda index: notifiers[index].tick())

    told = [seen.json()["tasks"][0]["id"] for seen in service.seen]
    assert sorted(told) == [f"t_{index}" for index in range(8)]
    assert {n.status for i in range(8) for n in world.notices.of_task(world.workspace.id, f"t_{i}")} == {
        NoticeStatus.SENT
    }


def test_every_delivery_goes_through_the_egress_guard(world: World, service: FakeService) -> None:
    settings = world.configure({"to": {"webhook": service.url + HOOK}}, allow=())
    world.notifier().task_stored(world.failed_task("t_1"), settings)

    world.notifier().tick()

    (notice,) = world.notices.of_task(world.workspace.id, "t_1")
    assert (notice.status, notice.attempts) == (NoticeStatus.PENDING, 1)
    assert notice.last_error is not None and "refused by the egress guard" in notice.last_error
    assert service.seen == []


def test_a_notice_whose_setting_was_removed_is_dropped_unsent(world: World, service: FakeService) -> None:
    settings = world.configure({"to": {"webhook": service.url + HOOK}})
    world.notifier().task_stored(world.failed_task("t_1"), settings)
    world.configure(None)

    assert world.notifier().tick() == 1

    (notice,) = world.notices.of_task(world.workspace.id, "t_1")
    assert notice.status is NoticeStatus.DROPPED
    assert notice.last_error is not None and "settings.notify was removed" in notice.last_error
    assert service.seen == []


def test_a_notice_of_a_state_no_longer_told_is_dropped_unsent(world: World, service: FakeService) -> None:
    settings = world.configure({"to": {"webhook": service.url + HOOK}})
    world.notifier().task_stored(world.failed_task("t_1"), settings)
    world.configure({"to": {"webhook": service.url + HOOK}, "on": ["incomplete"]})

    assert world.notifier().tick() == 1

    (notice,) = world.notices.of_task(world.workspace.id, "t_1")
    assert (notice.status, notice.last_error) == (
        NoticeStatus.DROPPED,
        "settings.notify.on no longer names this state",
    )
    assert service.seen == []


def test_a_state_the_setting_does_not_name_records_no_notice(world: World) -> None:
    settings = world.configure({"to": {"webhook": "https://hooks.example.com/a"}, "on": ["incomplete"]})

    world.notifier().task_stored(world.failed_task("t_1"), settings)

    assert world.notices.of_task(world.workspace.id, "t_1") == []


def test_a_connector_removed_after_the_setting_fails_three_times_then_gives_up(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    config = ConnectorConfig(world.workspace.id, "alerts", "slack", {"webhook_url": {"secret": "HOOK"}}, T0)
    world.connectors.put(config)
    settings = world.configure({"to": {"connector": "alerts"}})
    world.connectors.delete(world.workspace.id, "alerts")
    world.notifier().task_stored(world.failed_task("t_1"), settings)

    attempts = []
    for _ in range(6):
        world.notifier().tick()
        (notice,) = world.notices.of_task(world.workspace.id, "t_1")
        attempts.append((notice.status, notice.attempts))
        world.clock.now += 10 * 60_000

    assert attempts[:3] == [
        (NoticeStatus.PENDING, 1),
        (NoticeStatus.PENDING, 2),
        (NoticeStatus.FAILED, 3),
    ]
    assert attempts[3:] == [(NoticeStatus.FAILED, 3)] * 3
    assert notice.last_error == "no connector is configured under the namespace alerts any more"
    assert "given up" in caplog.text and "tried again later" in caplog.text
