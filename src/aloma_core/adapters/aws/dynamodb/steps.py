"""Steps in DynamoDB: the `StepStore` port.

A workspace's steps share one partition with a META item. Every put and delete bumps META's
`revision` in the same transaction (what step caches follow); a new step also takes the next
`last_created_seq` as its `created_seq`. That number must be inside the step's record, so the
store reads META first and conditions the transaction on the value it read, retrying when
another creation got there first.
"""

from __future__ import annotations

import builtins
import random
import time
from dataclasses import replace
from typing import TYPE_CHECKING

from aloma_core.errors import ConflictingState, InvalidInput, NotFound, TooLarge
from aloma_core.model import Step
from aloma_core.records import dump_json, load_json_object, step_from_record, step_to_record

from ..table import ITEM_BYTES, SORT_KEY_BYTES, STEP_PREFIX, STEPS_META_SK, step_sk, steps_pk
from .items import CONDITION_FAILED, Item, fits_key, item_size, n, number, s, text, transact

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.client import DynamoDBClient
    from mypy_boto3_dynamodb.type_defs import TransactWriteItemTypeDef

_CREATE_ATTEMPTS = 20


class DynamoStepStore:
    def __init__(self, client: DynamoDBClient, table: str) -> None:
        self._client = client
        self._table = table

    def put(self, step: Step, expected_version: int | None) -> bool:
        if expected_version is None:
            return self._create(step)
        stored = self._item(step.workspace_id, step.name)
        if stored is None or number(stored, "version") != expected_version:
            return False
        put: TransactWriteItemTypeDef = {
            "Put": {
                "TableName": self._table,
                "Item": self._step_item(replace(step, created_seq=number(stored, "created_seq"))),
                "ConditionExpression": "#version = :expected",
                "ExpressionAttributeNames": {"#version": "version"},
                "ExpressionAttributeValues": {":expected": n(expected_version)},
            }
        }
        return transact(self._client, [put, self._bump(step.workspace_id)]) is None

    def get(self, workspace_id: str, name: str) -> Step:
        item = self._item(workspace_id, name)
        if item is None:
            raise NotFound(f"step {name!r} not found")
        return _step(item)

    def list(self, workspace_id: str) -> builtins.list[Step]:
        pages = self._client.get_paginator("query").paginate(
            TableName=self._table,
            KeyConditionExpression="pk = :pk AND begins_with(sk, :steps)",
            ExpressionAttributeValues={":pk": s(steps_pk(workspace_id)), ":steps": s(STEP_PREFIX)},
            ConsistentRead=True,
        )
        steps = [_step(item) for page in pages for item in page["Items"]]
        return sorted(steps, key=lambda step: step.created_seq)

    def delete(self, workspace_id: str, name: str) -> None:
        if not fits_key(steps_pk(workspace_id), step_sk(name)):
            raise NotFound(f"step {name!r} not found")
        delete: TransactWriteItemTypeDef = {
            "Delete": {
                "TableName": self._table,
                "Key": _key(workspace_id, step_sk(name)),
                "ConditionExpression": "attribute_exists(pk)",
            }
        }
        if transact(self._client, [delete, self._bump(workspace_id)]) is not None:
            raise NotFound(f"step {name!r} not found")

    def revision(self, workspace_id: str) -> int:
        meta = self._meta(workspace_id)
        return 0 if meta is None else number(meta, "revision")

    def _create(self, step: Step) -> bool:
        for attempt in range(_CREATE_ATTEMPTS):
            meta = self._meta(step.workspace_id)
            counted = meta is not None and "last_created_seq" in meta
            last = number(meta, "last_created_seq") if meta is not None and counted else None
            put: TransactWriteItemTypeDef = {
                "Put": {
                    "TableName": self._table,
                    "Item": self._step_item(replace(step, created_seq=(last or 0) + 1)),
                    "ConditionExpression": "attribute_not_exists(pk)",
                }
            }
            codes = transact(self._client, [put, self._bump_creation(step.workspace_id, last)])
            if codes is None:
                return True
            if codes[0] == CONDITION_FAILED:
                return False
            time.sleep(random.uniform(0, 0.01 * min(attempt + 1, 10)))
        raise ConflictingState(f"steps of workspace {step.workspace_id} are changing too fast; try again")

    def _bump(self, workspace_id: str) -> TransactWriteItemTypeDef:
        """META's revision + 1 (META is created by the first change)."""
        return {
            "Update": {
                "TableName": self._table,
                "Key": _key(workspace_id, STEPS_META_SK),
                "UpdateExpression": "SET kind = :kind ADD revision :one",
                "ExpressionAttributeValues": {":kind": s("steps_meta"), ":one": n(1)},
            }
        }

    def _bump_creation(self, workspace_id: str, last: int | None) -> TransactWriteItemTypeDef:
        """META's revision and creation counter + 1, only if the counter still is `last` (None: unset)."""
        values: Item = {":kind": s("steps_meta"), ":one": n(1)}
        if last is None:
            condition = "attribute_not_exists(last_created_seq)"
        else:
            condition = "last_created_seq = :last"
            values[":last"] = n(last)
        return {
            "Update": {
                "TableName": self._table,
                "Key": _key(workspace_id, STEPS_META_SK),
                "UpdateExpression": "SET kind = :kind ADD revision :one, last_created_seq :one",
                "ConditionExpression": condition,
                "ExpressionAttributeValues": values,
            }
        }

    def _step_item(self, step: Step) -> Item:
        if not fits_key(steps_pk(step.workspace_id), step_sk(step.name)):
            raise InvalidInput(f"step name: at most {SORT_KEY_BYTES - len(STEP_PREFIX)} bytes")
        item: Item = {
            **_key(step.workspace_id, step_sk(step.name)),
            "kind": s("step"),
            "name": s(step.name),
            "version": n(step.version),
            "created_seq": n(step.created_seq),
            "record": s(dump_json(step_to_record(step))),
        }
        if item_size(item) > ITEM_BYTES:
            raise TooLarge(
                f"step {step.name!r} is too large to store: a DynamoDB item holds {ITEM_BYTES} bytes"
            )
        return item

    def _item(self, workspace_id: str, name: str) -> Item | None:
        if not fits_key(steps_pk(workspace_id), step_sk(name)):
            return None
        return self._client.get_item(
            TableName=self._table, Key=_key(workspace_id, step_sk(name)), ConsistentRead=True
        ).get("Item")

    def _meta(self, workspace_id: str) -> Item | None:
        return self._client.get_item(
            TableName=self._table, Key=_key(workspace_id, STEPS_META_SK), ConsistentRead=True
        ).get("Item")


def _key(workspace_id: str, sk: str) -> Item:
    return {"pk": s(steps_pk(workspace_id)), "sk": s(sk)}


def _step(item: Item) -> Step:
    return step_from_record(load_json_object(text(item, "record")))
