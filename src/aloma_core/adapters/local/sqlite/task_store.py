"""Tasks and their history in SQLite: the `TaskStore` port, plus what a restart needs to resume."""

import base64
import binascii
import builtins
import json
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace

from aloma_core.errors import ConflictingState, InvalidInput, NotFound
from aloma_core.model import Event, Task, TaskState
from aloma_core.records import (
    dump_json,
    event_from_record,
    event_to_record,
    load_json_object,
    task_from_record,
    task_to_record,
)
from aloma_core.task_filter import TaskFilter, all_states, page_of

from .database import SqliteDatabase

TaskSaved = Callable[[str, str, int], None]
"""Called with (workspace_id, task_id, version) once a new task version is committed."""

_CHUNK = 200
_OPEN_STATES = frozenset({TaskState.RUNNING, TaskState.WAITING})


class SqliteTaskStore:
    """`on_saved` is the local stand-in for the DynamoDB stream: it runs after each committed create
    or save, outside the transaction, so whoever it wakes reads the version it is told about. If it
    raises, the write has nevertheless happened.

    `durable` False is for the pipeline's own writes (dispatch, run start and commit, timers): they
    skip the fsync of a durable commit (see `SqliteDatabase.write`). What the API accepts is always
    written durably; pipeline progress that a power loss rolls back is redone after the restart
    (its run re-claimed and run again), so nothing accepted is lost."""

    def __init__(
        self, db: SqliteDatabase, on_saved: TaskSaved | None = None, *, durable: bool = True
    ) -> None:
        self._db = db
        self._on_saved = on_saved
        self._durable = durable

    def create(self, task: Task, events: Sequence[Event]) -> None:
        try:
            with self._db.write(durable=self._durable) as connection:
                _insert(connection, task, events)
        except sqlite3.IntegrityError:
            raise ConflictingState(f"task {task.id} already exists") from None
        self._notify(task)

    def get(self, workspace_id: str, task_id: str) -> Task:
        row = (
            self._db.read()
            .execute("SELECT record FROM tasks WHERE workspace_id = ? AND id = ?", (workspace_id, task_id))
            .fetchone()
        )
        if row is None:
            raise NotFound(f"task {task_id} not found")
        return task_from_record(load_json_object(row[0]))

    def save(
        self,
        task: Task,
        expected_version: int,
        events: Sequence[Event],
        created: Sequence[tuple[Task, Sequence[Event]]] = (),
        *,
        quiet: bool = False,
    ) -> bool:
        if task.version != expected_version + 1:
            raise ValueError(
                f"task version {task.version} does not follow expected version {expected_version}"
            )
        try:
            with self._db.write(durable=self._durable) as connection:
                updated = connection.execute(
                    "UPDATE tasks SET state = ?, version = ?, is_open = ?, wake_at = ?, record = ?"
                    " WHERE workspace_id = ? AND id = ? AND version = ?",
                    (
                        task.state.value,
                        task.version,
                        _is_open(task),
                        task.wake_at,
                        dump_json(task_to_record(task)),
                        task.workspace_id,
                        task.id,
                        expected_version,
                    ),
                ).rowcount
                if updated != 1:
                    return False
                last_seq: int = connection.execute(
                    "SELECT COALESCE(MAX(seq), 0) FROM task_events WHERE workspace_id = ? AND task_id = ?",
                    (task.workspace_id, task.id),
                ).fetchone()[0]
                _append(connection, task, events, last_seq)
                for new_task, new_events in created:
                    _insert(connection, new_task, new_events)
        except sqlite3.IntegrityError:
            raise ConflictingState("a task created with this save already exists") from None
        if not quiet:
            self._notify(task)
        for new_task, _ in created:
            self._notify(new_task)
        return True

    def list(
        self,
        workspace_id: str,
        state: TaskState | None,
        limit: int,
        cursor: str | None,
        where: TaskFilter | None = None,
    ) -> tuple[builtins.list[Task], str | None]:
        if limit < 1:
            raise InvalidInput("limit: at least 1")
        where = where or TaskFilter()
        start = None if cursor is None else _decode_cursor(cursor)
        chunk = min(limit + 1, _CHUNK)
        rows = self._rows(workspace_id, state, where, start, chunk)
        page, following = page_of(rows, where, limit)
        return page, None if following is None else _encode_cursor(*following)

    def count(self, workspace_id: str, where: TaskFilter) -> tuple[dict[TaskState, int], bool]:
        """One GROUP BY: every test of the filter is in SQL here, so a count is always exact."""
        if where.empty_window:
            return all_states({}), True
        sql, params = _window_sql(workspace_id, None, where, None)
        rows = self._db.read().execute(
            f"SELECT state, COUNT(*) FROM tasks WHERE {sql} GROUP BY state", params
        )
        return all_states({TaskState(state): number for state, number in rows}), True

    def _rows(
        self,
        workspace_id: str,
        state: TaskState | None,
        where: TaskFilter,
        start: tuple[int, str] | None,
        chunk: int,
    ) -> Iterator[tuple[tuple[int, str], Task]]:
        """The tasks of the window newest first, read `chunk` rows at a time."""
        if where.empty_window:
            return
        while True:
            sql, params = _window_sql(workspace_id, state, where, start)
            rows = (
                self._db.read()
                .execute(
                    f"SELECT created_at, id, record FROM tasks WHERE {sql}"
                    " ORDER BY created_at DESC, id DESC LIMIT ?",
                    (*params, chunk),
                )
                .fetchall()
            )
            for created_at, task_id, record in rows:
                yield (created_at, task_id), task_from_record(load_json_object(record))
            if len(rows) < chunk:
                return
            start = (rows[-1][0], rows[-1][1])

    def history(self, workspace_id: str, task_id: str) -> builtins.list[Event]:
        connection = self._db.read()
        rows = connection.execute(
            "SELECT record FROM task_events WHERE workspace_id = ? AND task_id = ? ORDER BY seq",
            (workspace_id, task_id),
        ).fetchall()
        if not rows:
            self.get(workspace_id, task_id)
        return [event_from_record(load_json_object(record)) for (record,) in rows]

    def due(self, now_ms: int, limit: int) -> builtins.list[tuple[str, str]]:
        rows = (
            self._db.read()
            .execute(
                "SELECT workspace_id, id FROM tasks WHERE wake_at IS NOT NULL AND wake_at <= ?"
                " ORDER BY wake_at LIMIT ?",
                (now_ms, limit),
            )
            .fetchall()
        )
        return [(workspace_id, task_id) for workspace_id, task_id in rows]

    def open_tasks(self) -> builtins.list[Task]:
        """Every task of every workspace that is running or waiting or holds a queued/running claim,
        oldest first: what a restarted local home must pick up again."""
        rows = (
            self._db.read()
            .execute("SELECT record FROM tasks WHERE is_open = 1 ORDER BY created_at, id")
            .fetchall()
        )
        return [task_from_record(load_json_object(record)) for (record,) in rows]

    def _notify(self, task: Task) -> None:
        if self._on_saved is not None:
            self._on_saved(task.workspace_id, task.id, task.version)


def _is_open(task: Task) -> bool:
    return task.state in _OPEN_STATES or bool(task.active_claims())


def _insert(connection: sqlite3.Connection, task: Task, events: Sequence[Event]) -> None:
    connection.execute(
        "INSERT INTO tasks (workspace_id, id, state, created_at, version, is_open, wake_at, record)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (
            task.workspace_id,
            task.id,
            task.state.value,
            task.created_at,
            task.version,
            _is_open(task),
            task.wake_at,
            dump_json(task_to_record(task)),
        ),
    )
    _append(connection, task, events, last_seq=0)


def _append(connection: sqlite3.Connection, task: Task, events: Sequence[Event], last_seq: int) -> None:
    """History items beside the task, numbered on from the last one in this same transaction."""
    connection.executemany(
        "INSERT INTO task_events (workspace_id, task_id, seq, record) VALUES (?, ?, ?, ?)",
        [
            (task.workspace_id, task.id, seq, dump_json(event_to_record(replace(event, seq=seq))))
            for seq, event in enumerate(events, start=last_seq + 1)
        ],
    )


def _window_sql(
    workspace_id: str, state: TaskState | None, where: TaskFilter, start: tuple[int, str] | None
) -> tuple[str, builtins.list[str | int]]:
    """The WHERE clause: the indexes serve the workspace, state, creation window and position, SQLite's
    JSON functions the rest."""
    clauses = ["workspace_id = ?"]
    params: builtins.list[str | int] = [workspace_id]
    if state is not None:
        clauses.append("state = ?")
        params.append(state.value)
    if where.created_after is not None:
        clauses.append("created_at >= ?")
        params.append(where.created_after)
    if where.created_before is not None:
        clauses.append("created_at < ?")
        params.append(where.created_before)
    if start is not None:
        clauses.append("(created_at, id) < (?, ?)")
        params.extend(start)
    # The record's fields, tested in SQL: the same tests as `TaskFilter.matches` (the record holds
    # the data as the compact JSON text `q` is searched in), without parsing a row that fails them.
    if where.name is not None:
        clauses.append("json_extract(record, '$.name') = ?")
        params.append(where.name)
    if where.tag is not None:
        clauses.append("EXISTS (SELECT 1 FROM json_each(record, '$.tags') WHERE value = ?)")
        params.append(where.tag)
    if where.step is not None:
        clauses.append("EXISTS (SELECT 1 FROM json_each(record, '$.ran') WHERE value = ?)")
        params.append(where.step)
    if where.q is not None:
        clauses.append("instr(json_extract(record, '$.data'), ?) > 0")
        params.append(where.q)
    return " AND ".join(clauses), params


def _encode_cursor(created_at: int, task_id: str) -> str:
    return base64.urlsafe_b64encode(json.dumps([created_at, task_id]).encode()).decode()


def _decode_cursor(cursor: str) -> tuple[int, str]:
    try:
        created_at, task_id = json.loads(base64.urlsafe_b64decode(cursor.encode()))
    except (binascii.Error, UnicodeError, ValueError, TypeError):
        raise InvalidInput("cursor: not one returned by a previous page") from None
    if not isinstance(created_at, int) or not isinstance(task_id, str):
        raise InvalidInput("cursor: not one returned by a previous page")
    return created_at, task_id
