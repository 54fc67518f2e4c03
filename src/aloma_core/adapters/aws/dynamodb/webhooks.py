"""Webhooks in DynamoDB: the `WebhookStore` port. Keys are only ever stored hashed.

Two items per webhook (see `table.py`): the `webhook` item in its workspace's partition, which
lists and names it, and the `webhook_key` item under the key's hash, holding a copy of its record,
so a delivery finds its webhook with one strongly consistent read. Both are created in one
transaction, each only if absent, and deleted in one transaction: a name is unique in its
workspace, a key across workspaces, and neither item is ever found without the other.
"""

from __future__ import annotations

import builtins
from typing import TYPE_CHECKING

from aloma_core.errors import ConflictingState, InvalidInput, NotFound
from aloma_core.model import Webhook
from aloma_core.records import dump_json, load_json_object, webhook_from_record, webhook_to_record

from ..table import SORT_KEY_BYTES, WEBHOOK_KEY_SK, WEBHOOK_PREFIX, webhook_key_pk, webhook_sk, webhooks_pk
from .items import CONDITION_FAILED, Item, fits_key, s, text, transact

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.client import DynamoDBClient

_DELETE_ATTEMPTS = 5


class DynamoWebhookStore:
    def __init__(self, client: DynamoDBClient, table: str) -> None:
        self._client = client
        self._table = table

    def create(self, webhook: Webhook, key_hash: str) -> None:
        if not fits_key(webhooks_pk(webhook.workspace_id), webhook_sk(webhook.name)):
            raise InvalidInput(f"name: at most {SORT_KEY_BYTES - len(WEBHOOK_PREFIX)} bytes")
        if not fits_key(webhook_key_pk(key_hash)):
            raise InvalidInput("the key's hash is too long for a key")
        record = s(dump_json(webhook_to_record(webhook)))
        webhook_item: Item = {
            **_key(webhook.workspace_id, webhook.name),
            "kind": s("webhook"),
            "name": s(webhook.name),
            "key_hash": s(key_hash),
            "record": record,
        }
        key_item: Item = {
            **_lookup_key(key_hash),
            "kind": s("webhook_key"),
            "workspace_id": s(webhook.workspace_id),
            "name": s(webhook.name),
            "record": record,
        }
        codes = transact(
            self._client,
            [
                {
                    "Put": {
                        "TableName": self._table,
                        "Item": item,
                        "ConditionExpression": "attribute_not_exists(pk)",
                    }
                }
                for item in (webhook_item, key_item)
            ],
        )
        if codes is None:
            return
        if codes[0] == CONDITION_FAILED:
            raise ConflictingState(f"a webhook named {webhook.name!r} already exists")
        raise ConflictingState("a webhook with this key already exists")

    def by_key_hash(self, key_hash: str) -> Webhook | None:
        if not fits_key(webhook_key_pk(key_hash)):
            return None
        item = self._client.get_item(
            TableName=self._table, Key=_lookup_key(key_hash), ConsistentRead=True
        ).get("Item")
        return None if item is None else _webhook(item)

    def list(self, workspace_id: str) -> builtins.list[Webhook]:
        if not fits_key(webhooks_pk(workspace_id)):
            return []
        pages = self._client.get_paginator("query").paginate(
            TableName=self._table,
            KeyConditionExpression="pk = :pk AND begins_with(sk, :prefix)",
            ExpressionAttributeValues={":pk": s(webhooks_pk(workspace_id)), ":prefix": s(WEBHOOK_PREFIX)},
            ConsistentRead=True,
        )
        webhooks = [_webhook(item) for page in pages for item in page["Items"]]
        return sorted(webhooks, key=lambda webhook: webhook.name)

    def delete(self, workspace_id: str, name: str) -> None:
        """Reads the webhook for its key's hash, then deletes both items if it is still that one."""
        if not fits_key(webhooks_pk(workspace_id), webhook_sk(name)):
            raise NotFound(f"webhook {name!r} not found")
        for _ in range(_DELETE_ATTEMPTS):
            item = self._client.get_item(
                TableName=self._table, Key=_key(workspace_id, name), ConsistentRead=True
            ).get("Item")
            if item is None:
                raise NotFound(f"webhook {name!r} not found")
            key_hash = text(item, "key_hash")
            codes = transact(
                self._client,
                [
                    {
                        "Delete": {
                            "TableName": self._table,
                            "Key": _key(workspace_id, name),
                            "ConditionExpression": "key_hash = :hash",
                            "ExpressionAttributeValues": {":hash": s(key_hash)},
                        }
                    },
                    {"Delete": {"TableName": self._table, "Key": _lookup_key(key_hash)}},
                ],
            )
            if codes is None:
                return
            # Deleted meanwhile (then NotFound on the next read), or deleted and created again.
        raise ConflictingState(f"webhook {name!r} keeps changing; try again")


def _key(workspace_id: str, name: str) -> Item:
    return {"pk": s(webhooks_pk(workspace_id)), "sk": s(webhook_sk(name))}


def _lookup_key(key_hash: str) -> Item:
    return {"pk": s(webhook_key_pk(key_hash)), "sk": s(WEBHOOK_KEY_SK)}


def _webhook(item: Item) -> Webhook:
    return webhook_from_record(load_json_object(text(item, "record")))
