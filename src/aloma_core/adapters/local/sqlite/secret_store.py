"""Workspace secrets in SQLite: the `SecretStore` port. The file is private to its owner (mode 0600)."""

import builtins

from aloma_core.errors import NotFound

from .database import SqliteDatabase


class SqliteSecretStore:
    def __init__(self, db: SqliteDatabase) -> None:
        self._db = db

    def put(self, workspace_id: str, name: str, value: str) -> None:
        with self._db.write() as connection:
            connection.execute(
                "INSERT INTO secrets (workspace_id, name, value) VALUES (?, ?, ?)"
                " ON CONFLICT (workspace_id, name) DO UPDATE SET value = excluded.value",
                (workspace_id, name, value),
            )

    def names(self, workspace_id: str) -> builtins.list[str]:
        rows = (
            self._db.read()
            .execute("SELECT name FROM secrets WHERE workspace_id = ? ORDER BY name", (workspace_id,))
            .fetchall()
        )
        return [name for (name,) in rows]

    def values(self, workspace_id: str) -> dict[str, str]:
        rows = self._db.read().execute(
            "SELECT name, value FROM secrets WHERE workspace_id = ?", (workspace_id,)
        )
        return dict(rows.fetchall())

    def delete(self, workspace_id: str, name: str) -> None:
        with self._db.write() as connection:
            deleted = connection.execute(
                "DELETE FROM secrets WHERE workspace_id = ? AND name = ?", (workspace_id, name)
            ).rowcount
            if deleted != 1:
                raise NotFound(f"secret {name!r} not found")
