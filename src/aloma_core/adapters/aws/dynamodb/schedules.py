"""Schedules in DynamoDB: the `ScheduleStore` port, one item per schedule (see `table.py`).

A workspace's schedules share a partition, so a listing is one strongly consistent Query. Every
schedule carries the keys of the sparse due-time index `gsi3` (its `next_fire_at` first), which
the tick Lambda queries for what is due across workspaces. That index is eventually consistent
and KEYS_ONLY: `due` re-reads what it finds with consistent reads and drops a schedule that is
gone or no longer due. `advance` is a conditional write, so of two firers only one moves a slot on.
"""

from __future__ import annotations

import builtins
from typing import TYPE_CHECKING

from aloma_core.errors import InvalidInput, NotFound, TooLarge
from aloma_core.model import Schedule
from aloma_core.records import dump_json, load_json_object, schedule_from_record, schedule_to_record

from ..table import (
    DUE_SCHEDULE_PK,
    GSI_DUE,
    ITEM_BYTES,
    SCHEDULE_PREFIX,
    SORT_KEY_BYTES,
    due_order,
    schedule_sk,
    schedules_pk,
)
from .due_index import due_items
from .items import Item, fits_key, item_size, n, number, s, text

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.client import DynamoDBClient


class DynamoScheduleStore:
    def __init__(self, client: DynamoDBClient, table: str) -> None:
        self._client = client
        self._table = table

    def put(self, schedule: Schedule) -> None:
        if not _fits(schedule.workspace_id, schedule.name):
            raise InvalidInput(f"schedule name: at most {SORT_KEY_BYTES - len(SCHEDULE_PREFIX)} bytes")
        self._client.put_item(TableName=self._table, Item=_item(schedule))

    def get(self, workspace_id: str, name: str) -> Schedule:
        item = None
        if _fits(workspace_id, name):
            item = self._client.get_item(
                TableName=self._table, Key=_key(workspace_id, name), ConsistentRead=True
            ).get("Item")
        if item is None:
            raise NotFound(f"schedule {name!r} not found")
        return _schedule(item)

    def list(self, workspace_id: str) -> builtins.list[Schedule]:
        if not fits_key(schedules_pk(workspace_id)):
            return []
        pages = self._client.get_paginator("query").paginate(
            TableName=self._table,
            KeyConditionExpression="pk = :pk AND begins_with(sk, :prefix)",
            ExpressionAttributeValues={":pk": s(schedules_pk(workspace_id)), ":prefix": s(SCHEDULE_PREFIX)},
            ConsistentRead=True,
        )
        schedules = [_schedule(item) for page in pages for item in page["Items"]]
        return sorted(schedules, key=lambda schedule: schedule.name)

    def delete(self, workspace_id: str, name: str) -> None:
        if not _fits(workspace_id, name):
            raise NotFound(f"schedule {name!r} not found")
        try:
            self._client.delete_item(
                TableName=self._table,
                Key=_key(workspace_id, name),
                ConditionExpression="attribute_exists(pk)",
            )
        except self._client.exceptions.ConditionalCheckFailedException:
            raise NotFound(f"schedule {name!r} not found") from None

    def due(self, now_ms: int, limit: int) -> builtins.list[Schedule]:
        items = due_items(
            self._client,
            self._table,
            DUE_SCHEDULE_PK,
            now_ms,
            limit,
            lambda item: number(item, "next_fire_at") <= now_ms,
        )
        return sorted(
            (_schedule(item) for item in items),
            key=lambda schedule: (schedule.next_fire_at, schedule.workspace_id, schedule.name),
        )

    def advance(self, schedule: Schedule, expected_next_fire_at: int) -> bool:
        """A change of the schedule since it was read moved its `updated_at`: that loses too, so a
        firing never overwrites what a person set meanwhile."""
        try:
            self._client.put_item(
                TableName=self._table,
                Item=_item(schedule),
                ConditionExpression="next_fire_at = :expected AND updated_at = :updated",
                ExpressionAttributeValues={
                    ":expected": n(expected_next_fire_at),
                    ":updated": n(schedule.updated_at),
                },
            )
        except self._client.exceptions.ConditionalCheckFailedException:
            return False
        return True


def _key(workspace_id: str, name: str) -> Item:
    return {"pk": s(schedules_pk(workspace_id)), "sk": s(schedule_sk(name))}


def _fits(workspace_id: str, name: str) -> bool:
    return fits_key(schedules_pk(workspace_id), schedule_sk(name))


def _item(schedule: Schedule) -> Item:
    item: Item = {
        **_key(schedule.workspace_id, schedule.name),
        "kind": s("schedule"),
        "name": s(schedule.name),
        "next_fire_at": n(schedule.next_fire_at),
        "updated_at": n(schedule.updated_at),
        "record": s(dump_json(schedule_to_record(schedule))),
        f"{GSI_DUE}pk": s(DUE_SCHEDULE_PK),
        f"{GSI_DUE}sk": s(due_order(schedule.next_fire_at, schedule.workspace_id, schedule.name)),
    }
    if item_size(item) > ITEM_BYTES:
        raise TooLarge(
            f"schedule {schedule.name!r}: its data is too large to store (a DynamoDB item holds "
            f"{ITEM_BYTES} bytes)"
        )
    return item


def _schedule(item: Item) -> Schedule:
    return schedule_from_record(load_json_object(text(item, "record")))
