"""Shared libraries in SQLite: the `LibraryStore` port, one row per immutable version."""

import builtins
import sqlite3

from aloma_core.libraries import Library, live_at

from .database import SqliteDatabase

_COLUMNS = "workspace_id, name, version, revision, deleted, updated_at, source"


class SqliteLibraryStore:
    def __init__(self, db: SqliteDatabase) -> None:
        self._db = db

    def put(self, library: Library, expected_revision: int) -> bool:
        with self._db.write() as connection:
            if _revision(connection, library.workspace_id) != expected_revision:
                return False
            connection.execute(
                f"INSERT INTO library_versions ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    library.workspace_id,
                    library.name,
                    library.version,
                    library.revision,
                    int(library.deleted),
                    library.updated_at,
                    library.source,
                ),
            )
        return True

    def latest(self, workspace_id: str, name: str) -> Library | None:
        row = (
            self._db.read()
            .execute(
                f"SELECT {_COLUMNS} FROM library_versions WHERE workspace_id = ? AND name = ?"
                " ORDER BY version DESC LIMIT 1",
                (workspace_id, name),
            )
            .fetchone()
        )
        return None if row is None else _library(row)

    def revision(self, workspace_id: str) -> int:
        return _revision(self._db.read(), workspace_id)

    def at(self, workspace_id: str, revision: int) -> builtins.list[Library]:
        rows = (
            self._db.read()
            .execute(
                f"SELECT {_COLUMNS} FROM library_versions WHERE workspace_id = ? AND revision <= ?",
                (workspace_id, revision),
            )
            .fetchall()
        )
        return live_at((_library(row) for row in rows), revision)


def _revision(connection: sqlite3.Connection, workspace_id: str) -> int:
    row = connection.execute(
        "SELECT MAX(revision) FROM library_versions WHERE workspace_id = ?", (workspace_id,)
    ).fetchone()
    return 0 if row is None or row[0] is None else int(row[0])


def _library(row: tuple[object, ...]) -> Library:
    workspace_id, name, version, revision, deleted, updated_at, source = row
    return Library(
        workspace_id=str(workspace_id),
        name=str(name),
        version=int(str(version)),
        revision=int(str(revision)),
        source=str(source),
        updated_at=int(str(updated_at)),
        deleted=bool(deleted),
    )
