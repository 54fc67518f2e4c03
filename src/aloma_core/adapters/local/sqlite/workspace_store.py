"""Workspaces in SQLite: the `WorkspaceStore` port. Keys are only ever stored hashed."""

import builtins
import sqlite3
import threading
from dataclasses import replace

from aloma_core.errors import ConflictingState, NotFound
from aloma_core.model import Workspace, WorkspaceSettings
from aloma_core.records import dump_json, load_json_object, workspace_from_record, workspace_to_record

from .database import SqliteDatabase


class SqliteWorkspaceStore:
    """Workspaces read by id are cached: the matcher and the runner read the settings for every task
    version and run. One process owns the database file (`aloma dev`), and every change goes through
    `save_settings` here, which drops the entry; a generation count keeps a read that raced a change
    from caching what it read before."""

    def __init__(self, db: SqliteDatabase) -> None:
        self._db = db
        self._cache: dict[str, Workspace] = {}
        self._generation = 0
        self._lock = threading.Lock()

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
        with self._lock:
            cached = self._cache.get(workspace_id)
            generation = self._generation
        if cached is not None:
            return cached
        workspace = self._read(workspace_id)
        with self._lock:
            if generation == self._generation:
                self._cache[workspace_id] = workspace
        return workspace

    def _read(self, workspace_id: str) -> Workspace:
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

    def replace_key(self, workspace_id: str, key_hash: str) -> None:
        """One UPDATE of the row the lookup reads, so the old hash matches nothing once it commits."""
        try:
            with self._db.write() as connection:
                changed = connection.execute(
                    "UPDATE workspaces SET key_hash = ? WHERE id = ?", (key_hash, workspace_id)
                ).rowcount
        except sqlite3.IntegrityError:
            raise ConflictingState("another workspace already has this key") from None
        if changed == 0:
            raise NotFound(f"workspace {workspace_id} not found")

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
        with self._lock:
            self._generation += 1
            self._cache.pop(workspace_id, None)
        return workspace
