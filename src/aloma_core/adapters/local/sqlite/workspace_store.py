"""Workspaces in SQLite: the `WorkspaceStore` port. Keys are only ever stored hashed."""

import builtins
import sqlite3
from dataclasses import replace

from aloma_core.errors import ConflictingState, NotFound
from aloma_core.model import Workspace, WorkspaceSettings
from aloma_core.records import dump_json, load_json_object, workspace_from_record, workspace_to_record

from .database import SqliteDatabase


class SqliteWorkspaceStore:
    def __init__(self, db: SqliteDatabase) -> None:
        self._db = db

    def create(self, workspace: Workspace, key_hash: str) -> None:
        try:
            with self._db.write() as connection:
                connection.execute(
                    "INSERT INTO workspaces (id, key_hash, created_at, record) VALUES (?, ?, ?, ?)",
                    (workspace.id, key_hash, workspace.created_at, dump_json(workspace_to_record(workspace))),
                )
        except sqlite3.IntegrityError:
            raise ConflictingState("a workspace with this id or key already exists") from None

    def get(self, workspace_id: str) -> Workspace:
        row = (
            self._db.read().execute("SELECT record FROM workspaces WHERE id = ?", (workspace_id,)).fetchone()
        )
        if row is None:
            raise NotFound(f"workspace {workspace_id} not found")
        return workspace_from_record(load_json_object(row[0]))

    def list(self) -> builtins.list[Workspace]:
        rows = self._db.read().execute("SELECT record FROM workspaces ORDER BY created_at, id").fetchall()
        return [workspace_from_record(load_json_object(record)) for (record,) in rows]

    def by_key_hash(self, key_hash: str) -> Workspace | None:
        row = (
            self._db.read()
            .execute("SELECT record FROM workspaces WHERE key_hash = ?", (key_hash,))
            .fetchone()
        )
        return None if row is None else workspace_from_record(load_json_object(row[0]))

    def save_settings(self, workspace_id: str, settings: WorkspaceSettings) -> Workspace:
        with self._db.write() as connection:
            row = connection.execute("SELECT record FROM workspaces WHERE id = ?", (workspace_id,)).fetchone()
            if row is None:
                raise NotFound(f"workspace {workspace_id} not found")
            workspace = replace(workspace_from_record(load_json_object(row[0])), settings=settings)
            connection.execute(
                "UPDATE workspaces SET record = ? WHERE id = ?",
                (dump_json(workspace_to_record(workspace)), workspace_id),
            )
        return workspace
