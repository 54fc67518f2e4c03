"""Shared libraries in DynamoDB: the `LibraryStore` port.

A workspace's library versions share one partition with its `libraries_meta` item. A new version
is written in one transaction with META's `revision`, conditioned on the revision the writer
read, so each revision is made exactly once; versions are never changed afterwards.
"""

from __future__ import annotations

import builtins
from typing import TYPE_CHECKING

from aloma_core.libraries import Library, live_at

from ..table import LIBRARIES_META_SK, LIBRARY_PREFIX, libraries_pk, library_prefix, library_sk
from .items import Item, n, number, s, text, transact

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.client import DynamoDBClient
    from mypy_boto3_dynamodb.type_defs import TransactWriteItemTypeDef


class DynamoLibraryStore:
    def __init__(self, client: DynamoDBClient, table: str) -> None:
        self._client = client
        self._table = table

    def put(self, library: Library, expected_revision: int) -> bool:
        pk = libraries_pk(library.workspace_id)
        version: TransactWriteItemTypeDef = {
            "Put": {
                "TableName": self._table,
                "Item": {
                    "pk": s(pk),
                    "sk": s(library_sk(library.name, library.version)),
                    "kind": s("library"),
                    "name": s(library.name),
                    "version": n(library.version),
                    "revision": n(library.revision),
                    "deleted": n(int(library.deleted)),
                    "updated_at": n(library.updated_at),
                    "source": s(library.source),
                },
                "ConditionExpression": "attribute_not_exists(pk)",
            }
        }
        values: Item = {":kind": s("libraries_meta"), ":revision": n(library.revision)}
        if expected_revision == 0:
            condition = "attribute_not_exists(revision)"
        else:
            condition = "revision = :expected"
            values[":expected"] = n(expected_revision)
        meta: TransactWriteItemTypeDef = {
            "Update": {
                "TableName": self._table,
                "Key": {"pk": s(pk), "sk": s(LIBRARIES_META_SK)},
                "UpdateExpression": "SET kind = :kind, revision = :revision",
                "ConditionExpression": condition,
                "ExpressionAttributeValues": values,
            }
        }
        return transact(self._client, [version, meta]) is None

    def latest(self, workspace_id: str, name: str) -> Library | None:
        answer = self._client.query(
            TableName=self._table,
            KeyConditionExpression="pk = :pk AND begins_with(sk, :name)",
            ExpressionAttributeValues={
                ":pk": s(libraries_pk(workspace_id)),
                ":name": s(library_prefix(name)),
            },
            ScanIndexForward=False,
            Limit=1,
            ConsistentRead=True,
        )
        items = answer["Items"]
        return _library(workspace_id, items[0]) if items else None

    def revision(self, workspace_id: str) -> int:
        item = self._client.get_item(
            TableName=self._table,
            Key={"pk": s(libraries_pk(workspace_id)), "sk": s(LIBRARIES_META_SK)},
            ConsistentRead=True,
        ).get("Item")
        return 0 if item is None else number(item, "revision")

    def at(self, workspace_id: str, revision: int) -> builtins.list[Library]:
        pages = self._client.get_paginator("query").paginate(
            TableName=self._table,
            KeyConditionExpression="pk = :pk AND begins_with(sk, :libraries)",
            FilterExpression="revision <= :revision",
            ExpressionAttributeValues={
                ":pk": s(libraries_pk(workspace_id)),
                ":libraries": s(LIBRARY_PREFIX),
                ":revision": n(revision),
            },
            ConsistentRead=True,
        )
        return live_at((_library(workspace_id, item) for page in pages for item in page["Items"]), revision)


def _library(workspace_id: str, item: Item) -> Library:
    return Library(
        workspace_id=workspace_id,
        name=text(item, "name"),
        version=number(item, "version"),
        revision=number(item, "revision"),
        source=text(item, "source"),
        updated_at=number(item, "updated_at"),
        deleted=number(item, "deleted") == 1,
    )
