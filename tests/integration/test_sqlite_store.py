"""What only the SQLite stores of the local home do, on real database files: the file, its
migrations, `on_saved` (the local stand-in for the DynamoDB stream) and `open_tasks`.

The storage ports' contract, which these stores share with the AWS home, runs against both homes
in `aws/contract/`.
"""

import sqlite3
import stat
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from store_support import (
    A,
    B,
    claim,
    created,
    increment_concurrently,
    make_step,
    make_task,
    next_version,
)

from aloma_core.adapters.local.sqlite import (
    SqliteConnectorStore,
    SqliteDatabase,
    SqliteSecretStore,
    SqliteStepStore,
    SqliteTaskStore,
    SqliteWorkspaceStore,
)
from aloma_core.adapters.local.sqlite.database import migrate
from aloma_core.adapters.local.sqlite.schema import MIGRATIONS
from aloma_core.json_types import JsonValue
from aloma_core.model import ClaimStatus, ConnectorConfig, Event, TaskState, Workspace, WorkspaceSettings
from aloma_core.ports import SecretStore


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "state" / "nested" / "aloma.db"


@pytest.fixture
def db(db_path: Path) -> Iterator[SqliteDatabase]:
    database = SqliteDatabase(db_path)
    yield database
    database.close()


@pytest.fixture
def saved() -> list[tuple[str, str, int]]:
    return []


@pytest.fixture
def tasks(db: SqliteDatabase, saved: list[tuple[str, str, int]]) -> SqliteTaskStore:
    return SqliteTaskStore(db, on_saved=lambda ws, task_id, version: saved.append((ws, task_id, version)))


@pytest.fixture
def secrets(db: SqliteDatabase) -> SecretStore:
    return SqliteSecretStore(db)


# The database file


def test_file_is_created_private_with_its_parents(db: SqliteDatabase, db_path: Path) -> None:
    SqliteSecretStore(db).put(A, "token", "s3cret")

    assert stat.S_IMODE(db_path.stat().st_mode) == 0o600
    for companion in (db_path.with_name("aloma.db-wal"), db_path.with_name("aloma.db-shm")):
        assert stat.S_IMODE(companion.stat().st_mode) == 0o600


def test_connections_use_wal_foreign_keys_and_a_busy_timeout(db: SqliteDatabase) -> None:
    connection = db.read()

    assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert connection.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert connection.execute("PRAGMA busy_timeout").fetchone()[0] == 10_000
    assert connection.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)


@pytest.mark.parametrize(("durable", "mode"), [(True, 2), (False, 1)])
def test_a_durable_write_syncs_and_a_pipeline_write_does_not(
    db: SqliteDatabase, durable: bool, mode: int
) -> None:
    """FULL (2) fsyncs every commit; NORMAL (1) is what the pipeline's own writes use."""
    with db.write(durable=durable) as connection:
        assert connection.execute("PRAGMA synchronous").fetchone()[0] == mode
    with db.write() as connection:
        assert connection.execute("PRAGMA synchronous").fetchone()[0] == 2


def test_a_settings_change_is_seen_at_once_although_workspaces_are_cached(db: SqliteDatabase) -> None:
    store = SqliteWorkspaceStore(db)
    store.create(Workspace(A, "a", WorkspaceSettings(), 0), "hash")
    assert store.get(A).settings.execution == "parallel"

    store.save_settings(A, WorkspaceSettings(execution="sequential"))

    assert store.get(A).settings.execution == "sequential"
    assert SqliteWorkspaceStore(db).get(A).settings.execution == "sequential"


def test_a_failed_write_is_rolled_back(db: SqliteDatabase, secrets: SecretStore) -> None:
    def write_then_fail() -> None:
        with db.write() as connection:
            connection.execute("INSERT INTO secrets (workspace_id, name, value) VALUES ('ws_a', 'x', 'y')")
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        write_then_fail()

    assert secrets.names(A) == []
    assert not db.read().in_transaction


def test_a_closed_database_refuses_work(db_path: Path) -> None:
    database = SqliteDatabase(db_path)
    database.close()

    with pytest.raises(sqlite3.ProgrammingError):
        SqliteSecretStore(database).names(A)
    with pytest.raises(sqlite3.ProgrammingError):
        threaded(lambda: SqliteSecretStore(database).names(A))


def threaded(work: Callable[[], object]) -> None:
    """Run `work` on a fresh thread, re-raising what it raised here."""
    errors: list[BaseException] = []

    def target() -> None:
        try:
            work()
        except BaseException as error:
            errors.append(error)

    thread = threading.Thread(target=target)
    thread.start()
    thread.join()
    if errors:
        raise errors[0]


def test_reopened_database_keeps_everything(db_path: Path) -> None:
    with SqliteDatabase(db_path) as first:
        task = make_task()
        SqliteTaskStore(first).create(task, created(task))
        SqliteStepStore(first).put(make_step(A, "mail"), None)
        SqliteWorkspaceStore(first).create(Workspace(A, "Acme", WorkspaceSettings(), 5), "hash-a")
        SqliteSecretStore(first).put(A, "token", "s3cret")

    with SqliteDatabase(db_path) as again:
        assert SqliteTaskStore(again).get(A, task.id) == task
        assert [event.type for event in SqliteTaskStore(again).history(A, task.id)] == ["created"]
        assert SqliteStepStore(again).get(A, "mail").created_seq == 1
        assert SqliteStepStore(again).revision(A) == 1
        assert SqliteWorkspaceStore(again).get(A).name == "Acme"
        assert SqliteSecretStore(again).values(A) == {"token": "s3cret"}
        assert again.read().execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)


def test_a_database_at_migration_1_gains_the_connector_tables_and_keeps_its_rows(tmp_path: Path) -> None:
    path = tmp_path / "aloma.db"
    old = sqlite3.connect(path, isolation_level=None)
    migrate(old, MIGRATIONS[:1])
    old.execute("INSERT INTO secrets VALUES ('ws', 'TOKEN', 'v')")
    old.close()
    crm = ConnectorConfig("ws", "crm", "remote", {"url": "https://crm.example.com"}, 10)

    with SqliteDatabase(path) as db:
        SqliteConnectorStore(db).put(crm)
        assert SqliteConnectorStore(db).list("ws") == [crm]
        assert db.read().execute("SELECT value FROM secrets").fetchall() == [("v",)]
        assert db.read().execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)


def test_migrations_are_idempotent_and_a_later_one_is_one_line(db: SqliteDatabase) -> None:
    connection = db.read()
    later = (*MIGRATIONS, "CREATE TABLE extra (note TEXT); INSERT INTO extra VALUES ('a;b');")

    migrate(connection, MIGRATIONS)
    migrate(connection, later)
    migrate(connection, later)

    assert connection.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS) + 1
    assert connection.execute("SELECT note FROM extra").fetchall() == [("a;b",)]


def test_a_failing_migration_changes_nothing(db: SqliteDatabase) -> None:
    connection = db.read()
    broken = (*MIGRATIONS, "CREATE TABLE half (x INTEGER); INSERT INTO missing VALUES (1);")

    with pytest.raises(sqlite3.OperationalError):
        migrate(connection, broken)

    assert connection.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
    assert connection.execute("SELECT name FROM sqlite_master WHERE name = 'half'").fetchall() == []


def test_a_schema_newer_than_the_code_is_refused(db: SqliteDatabase) -> None:
    with pytest.raises(RuntimeError, match="too old"):
        migrate(db.read(), MIGRATIONS[:-1])


# Tasks: on_saved


def test_on_saved_hears_only_of_committed_writes(
    tasks: SqliteTaskStore, saved: list[tuple[str, str, int]]
) -> None:
    """Not of a create that failed as a whole, nor of a save refused for a stale version."""
    failed = make_task()
    with pytest.raises(ValueError, match="JSON"):
        tasks.create(failed, [*created(failed), Event("audit", 2, {"bad": float("nan")})])
    assert saved == []

    task = make_task()
    tasks.create(task, created(task))
    assert tasks.save(next_version(task, data={"n": 1}), 1, [Event("patched", 2)])
    assert not tasks.save(next_version(task, data={"n": 99}), 1, [Event("patched", 3, {"lost": True})])

    assert saved == [(A, task.id, 1), (A, task.id, 2)]


def test_on_saved_runs_after_each_commit_outside_the_transaction(db: SqliteDatabase) -> None:
    """The hook may read from any thread, and even write, and sees what it was told about."""
    seen: list[tuple[str, int, JsonValue]] = []
    store: SqliteTaskStore

    def on_saved(workspace_id: str, task_id: str, version: int) -> None:
        assert not db.read().in_transaction
        threaded(lambda: seen.append((task_id, version, store.get(workspace_id, task_id).data["n"])))

    store = SqliteTaskStore(db, on_saved=on_saved)
    task = make_task()
    store.create(task, created(task))
    store.save(next_version(task, data={"n": 1}), 1, [])
    store.save(next_version(task, data={"n": 2}), 1, [])

    assert seen == [(task.id, 1, 0), (task.id, 2, 1)]


def test_on_saved_hears_of_every_version_once_under_concurrency(
    tasks: SqliteTaskStore, saved: list[tuple[str, str, int]]
) -> None:
    task = make_task(data={"n": 0})
    tasks.create(task, created(task))

    increment_concurrently(tasks, task, workers=8, rounds=50)

    assert sorted(version for _, _, version in saved) == list(range(1, 402))


# Tasks: what a restart resumes


def test_open_tasks_are_those_a_restart_must_resume(tasks: SqliteTaskStore) -> None:
    expected = [
        make_task(A, state=TaskState.RUNNING, created_at=1),
        make_task(B, state=TaskState.WAITING, created_at=2),
        make_task(A, state=TaskState.DONE, created_at=3, claims={"s": claim("s", ClaimStatus.QUEUED)}),
        make_task(B, state=TaskState.ERROR, created_at=4, claims={"s": claim("s", ClaimStatus.RUNNING)}),
    ]
    settled = [
        make_task(A, state=TaskState.DONE, claims={"s": claim("s", ClaimStatus.DONE)}),
        make_task(A, state=TaskState.IGNORED),
        make_task(B, state=TaskState.INCOMPLETE, claims={"s": claim("s", ClaimStatus.REDO)}),
        make_task(B, state=TaskState.ERROR),
    ]
    for task in expected + settled:
        tasks.create(task, created(task))

    assert tasks.open_tasks() == expected

    finished = next_version(expected[0], state=TaskState.DONE)
    tasks.save(finished, 1, [])
    assert tasks.open_tasks() == expected[1:]
