"""Connector configurations in DynamoDB: the `ConnectorStore` port, one item per namespace.

A workspace's connectors share a partition, so a run reads them all with one strongly consistent
Query (a connector set a moment ago is there). Secret values are never in these items: the
configuration holds references to workspace secrets, which live in Secrets Manager.
"""

from __future__ import annotations

import builtins
from typing import TYPE_CHECKING

from aloma_core.errors import InvalidInput, NotFound, TooLarge
from aloma_core.model import ConnectorConfig
from aloma_core.records import connector_from_record, connector_to_record, dump_json, load_json_object

from ..table import CONNECTOR_PREFIX, ITEM_BYTES, SORT_KEY_BYTES, connector_sk, connectors_pk
from .items import Item, fits_key, item_size, s, text

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.client import DynamoDBClient


class DynamoConnectorStore:
    def __init__(self, client: DynamoDBClient, table: str) -> None:
        self._client = client
        self._table = table

    def put(self, connector: ConnectorConfig) -> None:
        if not _fits(connector.workspace_id, connector.namespace):
            raise InvalidInput(f"namespace: at most {SORT_KEY_BYTES - len(CONNECTOR_PREFIX)} bytes")
        item: Item = {
            **_key(connector.workspace_id, connector.namespace),
            "kind": s("connector"),
            "namespace": s(connector.namespace),
            "record": s(dump_json(connector_to_record(connector))),
        }
        if item_size(item) > ITEM_BYTES:
            raise TooLarge(
                f"connector {connector.namespace!r}: its configuration is too large to store "
                f"(a DynamoDB item holds {ITEM_BYTES} bytes)"
            )
        self._client.put_item(TableName=self._table, Item=item)

    def get(self, workspace_id: str, namespace: str) -> ConnectorConfig:
        item = None
        if _fits(workspace_id, namespace):
            item = self._client.get_item(
                TableName=self._table, Key=_key(workspace_id, namespace), ConsistentRead=True
            ).get("Item")
        if item is None:
            raise NotFound(f"connector {namespace!r} not found")
        return _connector(item)

    def list(self, workspace_id: str) -> builtins.list[ConnectorConfig]:
        if not fits_key(connectors_pk(workspace_id)):
            return []
        pages = self._client.get_paginator("query").paginate(
            TableName=self._table,
            KeyConditionExpression="pk = :pk AND begins_with(sk, :prefix)",
            ExpressionAttributeValues={":pk": s(connectors_pk(workspace_id)), ":prefix": s(CONNECTOR_PREFIX)},
            ConsistentRead=True,
        )
        connectors = [_connector(item) for page in pages for item in page["Items"]]
        return sorted(connectors, key=lambda connector: connector.namespace)

    def delete(self, workspace_id: str, namespace: str) -> None:
        if not _fits(workspace_id, namespace):
            raise NotFound(f"connector {namespace!r} not found")
        try:
            self._client.delete_item(
                TableName=self._table,
                Key=_key(workspace_id, namespace),
                ConditionExpression="attribute_exists(pk)",
            )
        except self._client.exceptions.ConditionalCheckFailedException:
            raise NotFound(f"connector {namespace!r} not found") from None


def _key(workspace_id: str, namespace: str) -> Item:
    return {"pk": s(connectors_pk(workspace_id)), "sk": s(connector_sk(namespace))}


def _fits(workspace_id: str, namespace: str) -> bool:
    return fits_key(connectors_pk(workspace_id), connector_sk(namespace))


def _connector(item: Item) -> ConnectorConfig:
    return connector_from_record(load_json_object(text(item, "record")))
