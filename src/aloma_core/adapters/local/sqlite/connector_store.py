"""Connector configurations in SQLite: the `ConnectorStore` port. Secret values live in `secrets` only."""

import builtins

from aloma_core.errors import NotFound
from aloma_core.model import ConnectorConfig
from aloma_core.records import connector_from_record, connector_to_record, dump_json, load_json_object

from .database import SqliteDatabase


class SqliteConnectorStore:
    def __init__(self, db: SqliteDatabase) -> None:
        self._db = db

    def put(self, connector: ConnectorConfig) -> None:
        with self._db.write() as connection:
            connection.execute(
                "INSERT INTO connectors (workspace_id, namespace, record) VALUES (?, ?, ?)"
                " ON CONFLICT (workspace_id, namespace) DO UPDATE SET record = excluded.record",
                (connector.workspace_id, connector.namespace, dump_json(connector_to_record(connector))),
            )

    def get(self, workspace_id: str, namespace: str) -> ConnectorConfig:
        row = (
            self._db.read()
            .execute(
                "SELECT record FROM connectors WHERE workspace_id = ? AND namespace = ?",
                (workspace_id, namespace),
            )
            .fetchone()
        )
        if row is None:
            raise NotFound(f"connector {namespace!r} not found")
        return connector_from_record(load_json_object(row[0]))

    def list(self, workspace_id: str) -> builtins.list[ConnectorConfig]:
        rows = (
            self._db.read()
            .execute(
                "SELECT record FROM connectors WHERE workspace_id = ? ORDER BY namespace", (workspace_id,)
            )
            .fetchall()
        )
        return [connector_from_record(load_json_object(record)) for (record,) in rows]

    def delete(self, workspace_id: str, namespace: str) -> None:
        with self._db.write() as connection:
            deleted = connection.execute(
                "DELETE FROM connectors WHERE workspace_id = ? AND namespace = ?", (workspace_id, namespace)
            ).rowcount
            if deleted != 1:
                raise NotFound(f"connector {namespace!r} not found")
