"""Notices in SQLite: the `NoticeStore` port. The primary key (workspace, task, ending) is the
claim; status, attempts and due time are columns so that a take is one conditional UPDATE."""

import builtins

from aloma_core.notify.notice import Notice, NoticeStatus
from aloma_core.records import dump_json, load_json_object

from .database import SqliteDatabase


class SqliteNoticeStore:
    def __init__(self, db: SqliteDatabase) -> None:
        self._db = db

    def add(self, notice: Notice) -> bool:
        with self._db.write() as connection:
            inserted = connection.execute(
                "INSERT INTO notices (workspace_id, task_id, ending, at, due_at, status, attempts, record)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                (
                    notice.workspace_id,
                    notice.task_id,
                    notice.ending,
                    notice.at,
                    notice.due_at,
                    notice.status.value,
                    notice.attempts,
                    dump_json(notice.to_json()),
                ),
            ).rowcount
        return inserted == 1

    def due(self, now_ms: int, limit: int) -> builtins.list[Notice]:
        rows = (
            self._db.read()
            .execute(
                "SELECT record FROM notices WHERE status = ? AND due_at <= ? ORDER BY due_at LIMIT ?",
                (NoticeStatus.PENDING.value, now_ms, limit),
            )
            .fetchall()
        )
        return [Notice.from_json(load_json_object(record)) for (record,) in rows]

    def count(self, workspace_id: str, start_ms: int, end_ms: int) -> int:
        row = (
            self._db.read()
            .execute(
                "SELECT count(*) FROM notices WHERE workspace_id = ? AND at >= ? AND at < ?",
                (workspace_id, start_ms, end_ms),
            )
            .fetchone()
        )
        return int(row[0])

    def replace(self, notice: Notice, expected: Notice) -> bool:
        with self._db.write() as connection:
            updated = connection.execute(
                "UPDATE notices SET due_at = ?, status = ?, attempts = ?, record = ?"
                " WHERE workspace_id = ? AND task_id = ? AND ending = ?"
                " AND status = ? AND attempts = ? AND due_at = ?",
                (
                    notice.due_at,
                    notice.status.value,
                    notice.attempts,
                    dump_json(notice.to_json()),
                    expected.workspace_id,
                    expected.task_id,
                    expected.ending,
                    expected.status.value,
                    expected.attempts,
                    expected.due_at,
                ),
            ).rowcount
        return updated == 1

    def of_task(self, workspace_id: str, task_id: str) -> builtins.list[Notice]:
        rows = (
            self._db.read()
            .execute(
                "SELECT record FROM notices WHERE workspace_id = ? AND task_id = ? ORDER BY ending",
                (workspace_id, task_id),
            )
            .fetchall()
        )
        return [Notice.from_json(load_json_object(record)) for (record,) in rows]
