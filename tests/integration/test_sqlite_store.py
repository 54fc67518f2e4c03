"""The SQLite stores of the local home, on real database files: the storage ports' contract."""

import json
import sqlite3
import stat
import threading
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aloma_core.adapters.local.sqlite import (
    SqliteDatabase,
    SqliteSecretStore,
    SqliteStepStore,
    SqliteTaskStore,
    SqliteWorkspaceStore,
)
from aloma_core.adapters.local.sqlite.database import migrate
from aloma_core.adapters.local.sqlite.schema import MIGRATIONS
from aloma_core.errors import ConflictingState, InvalidInput, NotFound
from aloma_core.json_types import JsonObject, JsonValue
from aloma_core.model import (
    Claim,
    ClaimStatus,
    Event,
    Step,
    Task,
    TaskError,
    TaskState,
    Workspace,
    WorkspaceSettings,
)
from aloma_core.ports import SecretStore, StepStore, WorkspaceStore
from aloma_core.records import dump_json, new_id

A = "ws_a"
B = "ws_b"


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
def steps(db: SqliteDatabase) -> StepStore:
    return SqliteStepStore(db)


@pytest.fixture
def workspaces(db: SqliteDatabase) -> WorkspaceStore:
    return SqliteWorkspaceStore(db)


@pytest.fixture
def secrets(db: SqliteDatabase) -> SecretStore:
    return SqliteSecretStore(db)


def make_task(
    workspace_id: str = A,
    *,
    task_id: str | None = None,
    state: TaskState = TaskState.RUNNING,
    created_at: int = 1_000,
    data: JsonObject | None = None,
    claims: dict[str, Claim] | None = None,
) -> Task:
    return Task(
        workspace_id=workspace_id,
        id=task_id or new_id("t_"),
        name="order",
        state=state,
        data={"n": 0} if data is None else data,
        created_at=created_at,
        updated_at=created_at,
        claims=claims or {},
    )


def created(task: Task) -> list[Event]:
    return [Event("created", task.created_at, {"name": task.name, "data": task.data})]


def next_version(task: Task, **changes: object) -> Task:
    return task.with_changes(version=task.version + 1, **changes)


def make_step(workspace_id: str, name: str, version: int = 1) -> Step:
    return Step(
        workspace_id=workspace_id,
        name=name,
        version=version,
        condition={"customer": {"email": {"$type": "string"}}, "score": {"$gt": 0.5}},
        content=f"data.v = {version};",
        source=f"export const content = async () => {{ data.v = {version}; }};",
        enabled=True,
        specificity=2,
        created_at=10,
        updated_at=10 + version,
    )


def claim(step: str, status: ClaimStatus) -> Claim:
    return Claim(id=new_id("c_"), step=step, status=status, data_seq=1, origin_version=1)


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


# Tasks


def test_create_stores_task_and_first_events(tasks: SqliteTaskStore) -> None:
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


def test_create_is_atomic(tasks: SqliteTaskStore, saved: list[tuple[str, str, int]]) -> None:
    """An event that cannot be stored takes the task with it, and nobody is told of it."""
    task = make_task()

    with pytest.raises(ValueError, match="JSON"):
        tasks.create(task, [*created(task), Event("audit", 2, {"bad": float("nan")})])

    with pytest.raises(NotFound):
        tasks.get(A, task.id)
    assert saved == []


def test_create_refuses_a_duplicate_id(tasks: SqliteTaskStore) -> None:
    task = make_task()
    tasks.create(task, created(task))

    with pytest.raises(ConflictingState):
        tasks.create(task.with_changes(data={"other": True}), created(task))

    assert tasks.get(A, task.id) == task
    assert len(tasks.history(A, task.id)) == 1


def test_get_of_unknown_or_other_workspace_task_is_not_found(tasks: SqliteTaskStore) -> None:
    task = make_task(A)
    tasks.create(task, created(task))

    with pytest.raises(NotFound):
        tasks.get(A, "t_unknown")
    with pytest.raises(NotFound):
        tasks.get(B, task.id)


def test_save_writes_the_next_version_and_appends_events(tasks: SqliteTaskStore) -> None:
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


def test_save_refuses_a_stale_version_and_writes_no_events(
    tasks: SqliteTaskStore, saved: list[tuple[str, str, int]]
) -> None:
    task = make_task()
    tasks.create(task, created(task))
    winner = next_version(task, data={"n": 1})
    assert tasks.save(winner, 1, [Event("patched", 2)])

    assert not tasks.save(next_version(task, data={"n": 99}), 1, [Event("patched", 3, {"lost": True})])

    assert tasks.get(A, task.id) == winner
    assert [event.type for event in tasks.history(A, task.id)] == ["created", "patched"]
    assert saved == [(A, task.id, 1), (A, task.id, 2)]


def test_save_needs_the_version_after_the_expected_one(tasks: SqliteTaskStore) -> None:
    task = make_task()
    tasks.create(task, created(task))

    with pytest.raises(ValueError, match="expected version"):
        tasks.save(task.with_changes(version=5), 1, [])


def test_save_of_unknown_or_other_workspace_task_writes_nothing(tasks: SqliteTaskStore) -> None:
    task = make_task(A)
    tasks.create(task, created(task))

    assert not tasks.save(next_version(make_task(A)), 1, [Event("patched", 2)])
    assert not tasks.save(next_version(task.with_changes(workspace_id=B)), 1, [Event("patched", 2)])

    assert tasks.get(A, task.id) == task
    assert len(tasks.history(A, task.id)) == 1


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


def test_list_is_newest_first_in_pages(tasks: SqliteTaskStore) -> None:
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


def test_list_ends_without_an_empty_page(tasks: SqliteTaskStore) -> None:
    for i in range(4):
        tasks.create(task := make_task(created_at=i), created(task))

    first, cursor = tasks.list(A, None, 2, None)
    second, end = tasks.list(A, None, 2, cursor)

    assert (len(first), len(second), end) == (2, 2, None)


def test_list_breaks_ties_by_id_descending(tasks: SqliteTaskStore) -> None:
    ids = ["t_1", "t_3", "t_2", "t_4"]
    for task_id in ids:
        tasks.create(task := make_task(task_id=task_id, created_at=7), created(task))

    first, cursor = tasks.list(A, None, 3, None)
    rest, _ = tasks.list(A, None, 3, cursor)

    assert [task.id for task in first + rest] == ["t_4", "t_3", "t_2", "t_1"]


def test_list_filters_by_state(tasks: SqliteTaskStore) -> None:
    states = [TaskState.DONE, TaskState.RUNNING, TaskState.DONE, TaskState.ERROR, TaskState.DONE]
    made = [make_task(state=state, created_at=i) for i, state in enumerate(states)]
    for task in made:
        tasks.create(task, created(task))

    first, cursor = tasks.list(A, TaskState.DONE, 2, None)
    rest, end = tasks.list(A, TaskState.DONE, 2, cursor)

    assert [task.id for task in first + rest] == [made[4].id, made[2].id, made[0].id]
    assert end is None
    assert tasks.list(A, TaskState.WAITING, 10, None) == ([], None)


def test_list_follows_state_changes(tasks: SqliteTaskStore) -> None:
    task = make_task()
    tasks.create(task, created(task))
    tasks.save(next_version(task, state=TaskState.DONE), 1, [])

    assert tasks.list(A, TaskState.RUNNING, 10, None) == ([], None)
    assert [found.state for found in tasks.list(A, TaskState.DONE, 10, None)[0]] == [TaskState.DONE]


def test_list_shows_only_the_workspace_own_tasks(tasks: SqliteTaskStore) -> None:
    tasks.create(task := make_task(A), created(task))

    assert tasks.list(B, None, 10, None) == ([], None)
    assert tasks.list(A, None, 10, None) == ([task], None)


@pytest.mark.parametrize("cursor", ["", "not base64!", "bm90IGpzb24=", "WzEsMiwzXQ==", "WyJhIiwgMV0="])
def test_list_refuses_a_cursor_it_did_not_give(tasks: SqliteTaskStore, cursor: str) -> None:
    with pytest.raises(InvalidInput, match="cursor"):
        tasks.list(A, None, 10, cursor)


def test_list_refuses_an_empty_page(tasks: SqliteTaskStore) -> None:
    with pytest.raises(InvalidInput, match="limit"):
        tasks.list(A, None, 0, None)


def test_history_of_unknown_or_other_workspace_task_is_not_found(tasks: SqliteTaskStore) -> None:
    tasks.create(task := make_task(A), created(task))
    tasks.create(silent := make_task(A), [])

    assert tasks.history(A, silent.id) == []
    with pytest.raises(NotFound):
        tasks.history(A, "t_unknown")
    with pytest.raises(NotFound):
        tasks.history(B, task.id)


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


def test_concurrent_increments_lose_no_update(
    tasks: SqliteTaskStore, saved: list[tuple[str, str, int]]
) -> None:
    """8 threads x 50 read-modify-write increments, each retried on a version conflict."""
    task = make_task(data={"n": 0})
    tasks.create(task, created(task))
    start = threading.Barrier(8)
    conflicts = [0] * 8

    def increment(worker: int) -> None:
        start.wait()
        for _ in range(50):
            while True:
                current = tasks.get(A, task.id)
                count = current.data["n"]
                assert isinstance(count, int)
                bumped = next_version(current, data={"n": count + 1})
                if tasks.save(bumped, current.version, [Event("patched", 0, {"by": worker})]):
                    break
                conflicts[worker] += 1

    errors: list[BaseException] = []
    workers = [threading.Thread(target=guarded(increment, errors), args=(i,)) for i in range(8)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()

    assert errors == []
    final = tasks.get(A, task.id)
    assert (final.version, final.data) == (401, {"n": 400})
    history = tasks.history(A, task.id)
    assert [event.seq for event in history] == list(range(1, 402))
    assert sorted(version for _, _, version in saved) == list(range(1, 402))


def guarded(work: Callable[[int], None], errors: list[BaseException]) -> Callable[[int], None]:
    def run(arg: int) -> None:
        try:
            work(arg)
        except BaseException as error:
            errors.append(error)

    return run


@settings(max_examples=60, deadline=None)
@given(
    data=st.dictionaries(
        st.text(max_size=6),
        st.recursive(
            st.none()
            | st.booleans()
            | st.integers()
            | st.floats(allow_nan=False, allow_infinity=False)
            | st.text(),
            lambda inner: (
                st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
            ),
            max_leaves=20,
        ),
        max_size=5,
    )
)
def test_task_data_comes_back_byte_for_byte(shared_tasks: SqliteTaskStore, data: JsonObject) -> None:
    task = make_task(data=data)
    shared_tasks.create(task, created(task))

    stored = shared_tasks.get(A, task.id)

    assert json.dumps(stored.data) == json.dumps(data)
    assert shared_tasks.history(A, task.id)[0].detail["data"] == data


@pytest.fixture(scope="module")
def shared_tasks(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SqliteTaskStore]:
    """One database for every generated example (hypothesis reruns a test body, not its fixtures)."""
    with SqliteDatabase(tmp_path_factory.mktemp("hypothesis") / "aloma.db") as database:
        yield SqliteTaskStore(database)


# Steps


def test_put_creates_only_when_absent(steps: StepStore) -> None:
    step = make_step(A, "mail")

    assert steps.put(step, None)
    assert not steps.put(make_step(A, "mail", 9), None)

    assert steps.get(A, "mail") == replace(step, created_seq=1)


def test_put_replaces_only_the_expected_version_and_keeps_creation_order(steps: StepStore) -> None:
    steps.put(make_step(A, "mail"), None)
    steps.put(make_step(A, "charge"), None)

    assert steps.put(make_step(A, "mail", 2), 1)
    assert not steps.put(make_step(A, "mail", 3), 1)
    assert not steps.put(make_step(A, "absent", 2), 1)

    assert [(step.name, step.version, step.created_seq) for step in steps.list(A)] == [
        ("mail", 2, 1),
        ("charge", 1, 2),
    ]
    with pytest.raises(NotFound):
        steps.get(A, "absent")


def test_steps_list_in_creation_order_not_name_order(steps: StepStore) -> None:
    for name in ["zeta", "alpha", "mid"]:
        steps.put(make_step(A, name), None)
    steps.delete(A, "zeta")
    steps.put(make_step(A, "zeta"), None)

    assert [step.name for step in steps.list(A)] == ["alpha", "mid", "zeta"]


def test_delete_removes_or_is_not_found(steps: StepStore) -> None:
    steps.put(make_step(A, "mail"), None)

    steps.delete(A, "mail")

    with pytest.raises(NotFound):
        steps.get(A, "mail")
    with pytest.raises(NotFound):
        steps.delete(A, "mail")


def test_revision_moves_on_every_change_only(steps: StepStore) -> None:
    assert steps.revision(A) == 0
    steps.put(make_step(A, "mail"), None)
    after_create = steps.revision(A)
    steps.put(make_step(A, "mail", 2), 1)
    after_replace = steps.revision(A)
    steps.put(make_step(A, "mail", 3), 1)
    with pytest.raises(NotFound):
        steps.delete(A, "absent")
    after_refusals = steps.revision(A)
    steps.delete(A, "mail")

    assert len({0, after_create, after_replace, steps.revision(A)}) == 4
    assert after_refusals == after_replace


def test_steps_are_isolated_by_workspace(steps: StepStore) -> None:
    steps.put(make_step(A, "mail"), None)

    assert steps.list(B) == []
    assert steps.revision(B) == 0
    with pytest.raises(NotFound):
        steps.get(B, "mail")
    with pytest.raises(NotFound):
        steps.delete(B, "mail")
    assert not steps.put(make_step(B, "mail", 2), 1)

    assert steps.put(make_step(B, "mail"), None)
    steps.delete(B, "mail")
    assert [step.name for step in steps.list(A)] == ["mail"]
    assert steps.get(A, "mail").created_seq == 1


# Workspaces


def test_workspaces_are_created_found_by_key_and_listed(workspaces: WorkspaceStore) -> None:
    first = Workspace(A, "Acme", WorkspaceSettings(), 10)
    second = Workspace(B, "Beta", WorkspaceSettings(execution="sequential"), 20)
    workspaces.create(second, "hash-b")
    workspaces.create(first, "hash-a")

    assert workspaces.get(A) == first
    assert workspaces.by_key_hash("hash-b") == second
    assert workspaces.by_key_hash("hash-unknown") is None
    assert workspaces.list() == [first, second]


def test_workspace_ids_and_keys_are_unique(workspaces: WorkspaceStore) -> None:
    workspaces.create(Workspace(A, "Acme", WorkspaceSettings(), 10), "hash-a")

    with pytest.raises(ConflictingState):
        workspaces.create(Workspace(B, "Beta", WorkspaceSettings(), 20), "hash-a")
    with pytest.raises(ConflictingState):
        workspaces.create(Workspace(A, "Again", WorkspaceSettings(), 30), "hash-other")

    assert [workspace.name for workspace in workspaces.list()] == ["Acme"]


def test_save_settings_changes_only_settings(workspaces: WorkspaceStore) -> None:
    workspaces.create(Workspace(A, "Acme", WorkspaceSettings(), 10), "hash-a")
    workspaces.create(Workspace(B, "Beta", WorkspaceSettings(), 20), "hash-b")
    wanted = WorkspaceSettings(execution="sequential", max_runs_per_task=7, egress_allow=("api.example",))

    returned = workspaces.save_settings(A, wanted)

    assert returned == Workspace(A, "Acme", wanted, 10)
    assert workspaces.get(A) == returned
    assert workspaces.by_key_hash("hash-a") == returned
    assert workspaces.get(B).settings == WorkspaceSettings()


def test_unknown_workspace_is_not_found(workspaces: WorkspaceStore) -> None:
    with pytest.raises(NotFound):
        workspaces.get("ws_unknown")
    with pytest.raises(NotFound):
        workspaces.save_settings("ws_unknown", WorkspaceSettings())
    assert workspaces.list() == []


# Secrets


def test_secrets_put_names_values_delete(secrets: SecretStore) -> None:
    secrets.put(A, "zeta", "1")
    secrets.put(A, "alpha", "2")
    secrets.put(A, "zeta", "3")

    assert secrets.names(A) == ["alpha", "zeta"]
    assert secrets.values(A) == {"alpha": "2", "zeta": "3"}

    secrets.delete(A, "zeta")
    assert secrets.values(A) == {"alpha": "2"}
    with pytest.raises(NotFound):
        secrets.delete(A, "zeta")


def test_secrets_are_isolated_by_workspace(secrets: SecretStore) -> None:
    secrets.put(A, "token", "a-secret")
    secrets.put(B, "token", "b-secret")

    assert secrets.values(A) == {"token": "a-secret"}
    assert secrets.names("ws_other") == []
    assert secrets.values("ws_other") == {}
    with pytest.raises(NotFound):
        secrets.delete("ws_other", "token")

    secrets.delete(B, "token")
    assert secrets.values(A) == {"token": "a-secret"}
