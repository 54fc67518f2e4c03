"""Webhooks in SQLite: the `WebhookStore` port. Keys are only ever stored hashed."""

import builtins
import sqlite3

from aloma_core.errors import ConflictingState, NotFound
from aloma_core.model import Webhook
from aloma_core.records import dump_json, load_json_object, webhook_from_record, webhook_to_record

from .database import SqliteDatabase


class SqliteWebhookStore:
    def __init__(self, db: SqliteDatabase) -> None:
        self._db = db

    def create(self, webhook: Webhook, key_hash: str) -> None:
        try:
            with self._db.write() as connection:
                connection.execute(
                    "INSERT INTO webhooks (workspace_id, name, key_hash, record) VALUES (?, ?, ?, ?)",
                    (webhook.workspace_id, webhook.name, key_hash, dump_json(webhook_to_record(webhook))),
                )
        except sqlite3.IntegrityError:
            raise ConflictingState(f"a webhook named {webhook.name!r} already exists") from None

    def by_key_hash(self, key_hash: str) -> Webhook | None:
        row = (
            self._db.read().execute("SELECT record FROM webhooks WHERE key_hash = ?", (key_hash,)).fetchone()
        )
        return None if row is None else webhook_from_record(load_json_object(row[0]))

    def list(self, workspace_id: str) -> builtins.list[Webhook]:
        rows = (
            self._db.read()
            .execute("SELECT record FROM webhooks WHERE workspace_id = ? ORDER BY name", (workspace_id,))
            .fetchall()
        )
        return [webhook_from_record(load_json_object(record)) for (record,) in rows]

    def delete(self, workspace_id: str, name: str) -> None:
        with self._db.write() as connection:
            deleted = connection.execute(
                "DELETE FROM webhooks WHERE workspace_id = ? AND name = ?", (workspace_id, name)
            ).rowcount
            if deleted != 1:
                raise NotFound(f"webhook {name!r} not found")
