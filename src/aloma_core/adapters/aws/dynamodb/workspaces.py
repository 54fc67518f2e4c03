"""Workspaces in DynamoDB: the `WorkspaceStore` port. Keys are only ever stored hashed.

A workspace item and its key item are created in one transaction, each only if absent, which
makes both the id and the key unique. Looking a key up costs two strongly consistent reads (key
item, then workspace), so a key works the moment its workspace is created.

The workspace item remembers its key's hash (`key_hash`), so that rotating the key can delete the
old key item in the same transaction that writes the new one: the old key fails the moment the
new one works. Items written before that attribute existed have their key item found by a scan.
"""

from __future__ import annotations

import builtins
from dataclasses import replace
from typing import TYPE_CHECKING

from aloma_core.errors import ConflictingState, NotFound
from aloma_core.model import Workspace, WorkspaceSettings
from aloma_core.records import dump_json, load_json_object, workspace_from_record, workspace_to_record

from ..table import GSI_TASKS, KEY_SK, WORKSPACE_SK, WORKSPACES_GSI_PK, created_order, key_pk, workspace_pk
from .items import CONDITION_FAILED, Item, fits_key, get_items, s, text, transact

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.client import DynamoDBClient


class DynamoWorkspaceStore:
    def __init__(self, client: DynamoDBClient, table: str) -> None:
        self._client = client
        self._table = table

    def create(self, workspace: Workspace, key_hash: str) -> None:
        cancelled = transact(
            self._client,
            [
                {
                    "Put": {
                        "TableName": self._table,
                        "Item": {**self._workspace_item(workspace), "key_hash": s(key_hash)},
                        "ConditionExpression": "attribute_not_exists(pk)",
                    }
                },
                {
                    "Put": {
                        "TableName": self._table,
                        "Item": _key_item(key_hash, workspace.id),
                        "ConditionExpression": "attribute_not_exists(pk)",
                    }
                },
            ],
        )
        if cancelled is not None:
            raise ConflictingState("a workspace with this id or key already exists")

    def get(self, workspace_id: str) -> Workspace:
        item = self._read(workspace_pk(workspace_id), WORKSPACE_SK)
        if item is None:
            raise NotFound(f"workspace {workspace_id} not found")
        return _workspace(item)

    def list(self) -> builtins.list[Workspace]:
        pages = self._client.get_paginator("query").paginate(
            TableName=self._table,
            IndexName=GSI_TASKS,
            KeyConditionExpression=f"{GSI_TASKS}pk = :pk",
            ExpressionAttributeValues={":pk": s(WORKSPACES_GSI_PK)},
        )
        entries = [entry for page in pages for entry in page["Items"]]
        items = get_items(self._client, self._table, entries)
        return [_workspace(item) for item in items if item is not None]

    def by_key_hash(self, key_hash: str) -> Workspace | None:
        key_item = self._read(key_pk(key_hash), KEY_SK)
        if key_item is None:
            return None
        found = self._read(workspace_pk(text(key_item, "workspace_id")), WORKSPACE_SK)
        return None if found is None else _workspace(found)

    def replace_key(self, workspace_id: str, key_hash: str) -> None:
        item = self._read(workspace_pk(workspace_id), WORKSPACE_SK)
        if item is None:
            raise NotFound(f"workspace {workspace_id} not found")
        old_hash = text(item, "key_hash") if "key_hash" in item else self._scan_key_hash(workspace_id)
        if old_hash == key_hash:
            return
        # The condition on the workspace item makes one of two racing rotations fail.
        values: Item = {":new": s(key_hash)}
        held = "attribute_not_exists(key_hash)"
        if "key_hash" in item:
            values[":old"] = s(old_hash)
            held = "key_hash = :old"
        cancelled = transact(
            self._client,
            [
                {
                    "Update": {
                        "TableName": self._table,
                        "Key": {"pk": s(workspace_pk(workspace_id)), "sk": s(WORKSPACE_SK)},
                        "UpdateExpression": "SET key_hash = :new",
                        "ConditionExpression": f"attribute_exists(pk) AND {held}",
                        "ExpressionAttributeValues": values,
                    }
                },
                {
                    "Delete": {
                        "TableName": self._table,
                        "Key": {"pk": s(key_pk(old_hash)), "sk": s(KEY_SK)},
                    }
                },
                {
                    "Put": {
                        "TableName": self._table,
                        "Item": _key_item(key_hash, workspace_id),
                        "ConditionExpression": "attribute_not_exists(pk)",
                    }
                },
            ],
        )
        if cancelled is None:
            return
        if cancelled[0] == CONDITION_FAILED:
            raise ConflictingState("the workspace's key changed meanwhile; rotate again")
        raise ConflictingState("another workspace already has this key")

    def _scan_key_hash(self, workspace_id: str) -> str:
        pages = self._client.get_paginator("scan").paginate(
            TableName=self._table,
            FilterExpression="kind = :kind AND workspace_id = :id",
            ExpressionAttributeValues={":kind": s("key"), ":id": s(workspace_id)},
        )
        for page in pages:
            for found in page["Items"]:
                return text(found, "pk").removeprefix(key_pk(""))
        raise NotFound(f"workspace {workspace_id} has no key item")

    def save_settings(self, workspace_id: str, settings: WorkspaceSettings) -> Workspace:
        """An update of the record alone, so the item's `key_hash` stays as it is."""
        workspace = replace(self.get(workspace_id), settings=settings)
        try:
            self._client.update_item(
                TableName=self._table,
                Key={"pk": s(workspace_pk(workspace_id)), "sk": s(WORKSPACE_SK)},
                UpdateExpression="SET #record = :record",
                ConditionExpression="attribute_exists(pk)",
                ExpressionAttributeNames={"#record": "record"},
                ExpressionAttributeValues={":record": s(dump_json(workspace_to_record(workspace)))},
            )
        except self._client.exceptions.ConditionalCheckFailedException:
            raise NotFound(f"workspace {workspace_id} not found") from None
        return workspace

    def _workspace_item(self, workspace: Workspace) -> Item:
        return {
            "pk": s(workspace_pk(workspace.id)),
            "sk": s(WORKSPACE_SK),
            "kind": s("workspace"),
            "record": s(dump_json(workspace_to_record(workspace))),
            "gsi1pk": s(WORKSPACES_GSI_PK),
            "gsi1sk": s(created_order(workspace.created_at, workspace.id)),
        }

    def _read(self, pk: str, sk: str) -> Item | None:
        if not fits_key(pk, sk):
            return None
        return self._client.get_item(
            TableName=self._table, Key={"pk": s(pk), "sk": s(sk)}, ConsistentRead=True
        ).get("Item")


def _key_item(key_hash: str, workspace_id: str) -> Item:
    return {"pk": s(key_pk(key_hash)), "sk": s(KEY_SK), "kind": s("key"), "workspace_id": s(workspace_id)}


def _workspace(item: Item) -> Workspace:
    return workspace_from_record(load_json_object(text(item, "record")))
