"""Notices in DynamoDB: the `NoticeStore` port, one item per notice (see `table.py`).

The item's key is the notice's key, so `add` is a PutItem only if absent: the claim that tells an
ending at most once. A pending notice carries the keys of the sparse due-time index `gsi3`, which
the tick Lambda queries across workspaces; `gsi1` orders a workspace's notices by time for the
digest count. Both indexes are eventually consistent: `due` re-reads each item consistently, and
a count may miss a notice written a moment ago (it is then told alone rather than in a digest).
"""

from __future__ import annotations

import builtins
from typing import TYPE_CHECKING

from aloma_core.notify.notice import Notice, NoticeStatus
from aloma_core.records import dump_json, load_json_object

from ..table import (
    DUE_NOTICE_PK,
    GSI_DUE,
    GSI_TASKS,
    NOTICE_PREFIX,
    TTL_ATTRIBUTE,
    due_order,
    notice_sk,
    notices_pk,
    time_order,
)
from .due_index import due_items
from .items import Item, n, number, s, text

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.client import DynamoDBClient

RETENTION_S = 30 * 24 * 3600


class DynamoNoticeStore:
    def __init__(self, client: DynamoDBClient, table: str) -> None:
        self._client = client
        self._table = table

    def add(self, notice: Notice) -> bool:
        try:
            self._client.put_item(
                TableName=self._table, Item=_item(notice), ConditionExpression="attribute_not_exists(pk)"
            )
        except self._client.exceptions.ConditionalCheckFailedException:
            return False
        return True

    def due(self, now_ms: int, limit: int) -> builtins.list[Notice]:
        def still_due(item: Item) -> bool:
            return text(item, "status") == NoticeStatus.PENDING.value and number(item, "due_at") <= now_ms

        items = due_items(self._client, self._table, DUE_NOTICE_PK, now_ms, limit, still_due)
        return sorted((_notice(item) for item in items), key=lambda notice: notice.due_at)

    def count(self, workspace_id: str, start_ms: int, end_ms: int) -> int:
        pages = self._client.get_paginator("query").paginate(
            TableName=self._table,
            IndexName=GSI_TASKS,
            KeyConditionExpression=f"{GSI_TASKS}pk = :pk AND {GSI_TASKS}sk BETWEEN :low AND :high",
            ExpressionAttributeValues={
                ":pk": s(notices_pk(workspace_id)),
                ":low": s(f"{start_ms:013d}"),
                ":high": s(f"{end_ms - 1:013d}$"),
            },
            Select="COUNT",
        )
        return sum(page["Count"] for page in pages)

    def replace(self, notice: Notice, expected: Notice) -> bool:
        try:
            self._client.put_item(
                TableName=self._table,
                Item=_item(notice),
                ConditionExpression="#status = :status AND attempts = :attempts AND due_at = :due",
                ExpressionAttributeNames={"#status": "status"},
                ExpressionAttributeValues={
                    ":status": s(expected.status.value),
                    ":attempts": n(expected.attempts),
                    ":due": n(expected.due_at),
                },
            )
        except self._client.exceptions.ConditionalCheckFailedException:
            return False
        return True

    def of_task(self, workspace_id: str, task_id: str) -> builtins.list[Notice]:
        pages = self._client.get_paginator("query").paginate(
            TableName=self._table,
            KeyConditionExpression="pk = :pk AND begins_with(sk, :prefix)",
            ExpressionAttributeValues={
                ":pk": s(notices_pk(workspace_id)),
                ":prefix": s(f"{NOTICE_PREFIX}{task_id}#"),
            },
            ConsistentRead=True,
        )
        return [_notice(item) for page in pages for item in page["Items"]]


def _item(notice: Notice) -> Item:
    pk = notices_pk(notice.workspace_id)
    item: Item = {
        "pk": s(pk),
        "sk": s(notice_sk(notice.task_id, notice.ending)),
        "kind": s("notice"),
        "status": s(notice.status.value),
        "attempts": n(notice.attempts),
        "due_at": n(notice.due_at),
        "record": s(dump_json(notice.to_json())),
        f"{GSI_TASKS}pk": s(pk),
        f"{GSI_TASKS}sk": s(time_order(notice.at, notice.task_id, notice.ending)),
        TTL_ATTRIBUTE: n(notice.at // 1000 + RETENTION_S),
    }
    if notice.status is NoticeStatus.PENDING:
        item[f"{GSI_DUE}pk"] = s(DUE_NOTICE_PK)
        item[f"{GSI_DUE}sk"] = s(
            due_order(notice.due_at, notice.workspace_id, f"{notice.task_id}#{notice.ending}")
        )
    return item


def _notice(item: Item) -> Notice:
    return Notice.from_json(load_json_object(text(item, "record")))
