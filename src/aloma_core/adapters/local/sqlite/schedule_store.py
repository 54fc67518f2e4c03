"""Schedules in SQLite: the `ScheduleStore` port. `next_fire_at` is a column, for the due query."""

import builtins

from aloma_core.errors import NotFound
from aloma_core.model import Schedule
from aloma_core.records import dump_json, load_json_object, schedule_from_record, schedule_to_record

from .database import SqliteDatabase


class SqliteScheduleStore:
    def __init__(self, db: SqliteDatabase) -> None:
        self._db = db

    def put(self, schedule: Schedule) -> None:
        with self._db.write() as connection:
            connection.execute(
                "INSERT INTO schedules (workspace_id, name, next_fire_at, record) VALUES (?, ?, ?, ?)"
                " ON CONFLICT (workspace_id, name) DO UPDATE"
                " SET next_fire_at = excluded.next_fire_at, record = excluded.record",
                (
                    schedule.workspace_id,
                    schedule.name,
                    schedule.next_fire_at,
                    dump_json(schedule_to_record(schedule)),
                ),
            )

    def get(self, workspace_id: str, name: str) -> Schedule:
        row = (
            self._db.read()
            .execute("SELECT record FROM schedules WHERE workspace_id = ? AND name = ?", (workspace_id, name))
            .fetchone()
        )
        if row is None:
            raise NotFound(f"schedule {name!r} not found")
        return schedule_from_record(load_json_object(row[0]))

    def list(self, workspace_id: str) -> builtins.list[Schedule]:
        rows = (
            self._db.read()
            .execute("SELECT record FROM schedules WHERE workspace_id = ? ORDER BY name", (workspace_id,))
            .fetchall()
        )
        return [schedule_from_record(load_json_object(record)) for (record,) in rows]

    def delete(self, workspace_id: str, name: str) -> None:
        with self._db.write() as connection:
            deleted = connection.execute(
                "DELETE FROM schedules WHERE workspace_id = ? AND name = ?", (workspace_id, name)
            ).rowcount
            if deleted != 1:
                raise NotFound(f"schedule {name!r} not found")

    def due(self, now_ms: int, limit: int) -> builtins.list[Schedule]:
        rows = (
            self._db.read()
            .execute(
                "SELECT record FROM schedules WHERE next_fire_at <= ?"
                " ORDER BY next_fire_at, workspace_id, name LIMIT ?",
                (now_ms, limit),
            )
            .fetchall()
        )
        return [schedule_from_record(load_json_object(record)) for (record,) in rows]

    def advance(self, schedule: Schedule, expected_next_fire_at: int) -> bool:
        """A change of the schedule since it was read moved its `updated_at`: that loses too, so a
        firing never overwrites what a person set meanwhile."""
        with self._db.write() as connection:
            updated = connection.execute(
                "UPDATE schedules SET next_fire_at = ?, record = ?"
                " WHERE workspace_id = ? AND name = ? AND next_fire_at = ?"
                " AND json_extract(record, '$.updated_at') = ?",
                (
                    schedule.next_fire_at,
                    dump_json(schedule_to_record(schedule)),
                    schedule.workspace_id,
                    schedule.name,
                    expected_next_fire_at,
                    schedule.updated_at,
                ),
            ).rowcount
        return updated == 1
