"""Steps in SQLite: the `StepStore` port."""

import builtins
import sqlite3
from dataclasses import replace

from aloma_core.errors import NotFound
from aloma_core.model import Step
from aloma_core.records import dump_json, load_json_object, step_from_record, step_to_record

from .database import SqliteDatabase


class SqliteStepStore:
    """A per-workspace counter row gives each new step its `created_seq` and is bumped, in the same
    transaction, on every put and delete: that bump is the `revision` that step caches follow."""

    def __init__(self, db: SqliteDatabase) -> None:
        self._db = db

    def put(self, step: Step, expected_version: int | None) -> bool:
        with self._db.write() as connection:
            row = connection.execute(
                "SELECT version, created_seq FROM steps WHERE workspace_id = ? AND name = ?",
                (step.workspace_id, step.name),
            ).fetchone()
            stored_version = None if row is None else row[0]
            if stored_version != expected_version:
                return False
            last_created_seq = _bump(connection, step.workspace_id, new_step=row is None)
            stored = replace(step, created_seq=last_created_seq if row is None else row[1])
            connection.execute(
                "INSERT INTO steps (workspace_id, name, version, created_seq, record) VALUES (?, ?, ?, ?, ?)"
                " ON CONFLICT (workspace_id, name)"
                " DO UPDATE SET version = excluded.version, record = excluded.record",
                (
                    stored.workspace_id,
                    stored.name,
                    stored.version,
                    stored.created_seq,
                    dump_json(step_to_record(stored)),
                ),
            )
        return True

    def get(self, workspace_id: str, name: str) -> Step:
        row = (
            self._db.read()
            .execute("SELECT record FROM steps WHERE workspace_id = ? AND name = ?", (workspace_id, name))
            .fetchone()
        )
        if row is None:
            raise NotFound(f"step {name!r} not found")
        return step_from_record(load_json_object(row[0]))

    def list(self, workspace_id: str) -> builtins.list[Step]:
        rows = (
            self._db.read()
            .execute("SELECT record FROM steps WHERE workspace_id = ? ORDER BY created_seq", (workspace_id,))
            .fetchall()
        )
        return [step_from_record(load_json_object(record)) for (record,) in rows]

    def delete(self, workspace_id: str, name: str) -> None:
        with self._db.write() as connection:
            deleted = connection.execute(
                "DELETE FROM steps WHERE workspace_id = ? AND name = ?", (workspace_id, name)
            ).rowcount
            if deleted != 1:
                raise NotFound(f"step {name!r} not found")
            _bump(connection, workspace_id, new_step=False)

    def revision(self, workspace_id: str) -> int:
        row = (
            self._db.read()
            .execute("SELECT revision FROM step_counters WHERE workspace_id = ?", (workspace_id,))
            .fetchone()
        )
        return 0 if row is None else int(row[0])


def _bump(connection: sqlite3.Connection, workspace_id: str, *, new_step: bool) -> int:
    """Advance the workspace's revision (and its creation counter for a new step); the counter's value."""
    row = connection.execute(
        "INSERT INTO step_counters (workspace_id, revision, last_created_seq) VALUES (?, 1, ?)"
        " ON CONFLICT (workspace_id) DO UPDATE SET revision = revision + 1,"
        " last_created_seq = last_created_seq + excluded.last_created_seq"
        " RETURNING last_created_seq",
        (workspace_id, int(new_step)),
    ).fetchone()
    return int(row[0])
