"""Tasks and their history in DynamoDB: the `TaskStore` port (item layout in `adapters/aws/table.py`)."""

from __future__ import annotations

import base64
import binascii
import builtins
import json
import logging
import time
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, cast

from botocore.exceptions import ClientError

from aloma_core.errors import ConflictingState, InvalidInput, NotFound, TooLarge
from aloma_core.model import ENDED_STATES, Event, Task, TaskState
from aloma_core.records import dump_json, load_json_object, task_from_record, task_to_record
from aloma_core.task_filter import TaskFilter, page_of, tally

from ..table import (
    DUE_TASK_PK,
    EVENT_PREFIX,
    GSI_DUE,
    GSI_STATES,
    GSI_TASKS,
    ITEM_BYTES,
    TASK_SK,
    TRANSACTION_BYTES,
    TRANSACTION_ITEMS,
    TTL_ATTRIBUTE,
    created_order,
    due_order,
    due_until,
    state_gsi_pk,
    task_pk,
    tasks_gsi_pk,
)
from .history import event_items, events_from_items
from .items import CONDITION_FAILED, Item, fits_key, get_items, item_size, n, s, text, transact

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.client import DynamoDBClient
    from mypy_boto3_dynamodb.type_defs import (
        AttributeValueTypeDef,
        QueryInputPaginateTypeDef,
        QueryInputTypeDef,
        TransactWriteItemTypeDef,
        WriteRequestTypeDef,
    )

_log = logging.getLogger(__name__)
_DAY_S = 86_400
_BATCH_WRITE_ITEMS = 25
_BATCH_GET_ITEMS = 100
_OWN_ATTRIBUTES = ("data", "result")


class DynamoTaskStore:
    """`retention_days` after a task ends (`done`, `ignored`), DynamoDB's TTL deletes it and its
    history; None keeps them forever. `now` (epoch seconds) is the wall clock TTL compares with."""

    def __init__(
        self,
        client: DynamoDBClient,
        table: str,
        retention_days: int | None = 30,
        *,
        now: Callable[[], float] = time.time,
    ) -> None:
        self._client = client
        self._table = table
        self._retention_s = None if retention_days is None else retention_days * _DAY_S
        self._now = now

    def create(self, task: Task, events: Sequence[Event]) -> None:
        if transact(self._client, self._creation(task, events)) is not None:
            raise ConflictingState(f"task {task.id} already exists")

    def _creation(
        self,
        task: Task,
        events: Sequence[Event],
        room: tuple[int, int] = (TRANSACTION_BYTES, TRANSACTION_ITEMS),
    ) -> builtins.list[TransactWriteItemTypeDef]:
        """The writes that create `task` with its events, only if no task of that id exists, within
        `room` (bytes, items) of the transaction they go into."""
        item = self._task_item(task)
        put: TransactWriteItemTypeDef = {
            "Put": {"TableName": self._table, "Item": item, "ConditionExpression": "attribute_not_exists(pk)"}
        }
        return [put, *self._event_puts(task, item, events, room)]

    def get(self, workspace_id: str, task_id: str) -> Task:
        pk = task_pk(workspace_id, task_id)
        if fits_key(pk):
            found = self._client.get_item(
                TableName=self._table, Key={"pk": s(pk), "sk": s(TASK_SK)}, ConsistentRead=True
            ).get("Item")
            if found is not None:
                return task_from_item(found)
        raise NotFound(f"task {task_id} not found")

    def save(
        self,
        task: Task,
        expected_version: int,
        events: Sequence[Event],
        created: Sequence[tuple[Task, Sequence[Event]]] = (),
        *,
        quiet: bool = False,
    ) -> bool:
        if task.version != expected_version + 1:
            raise ValueError(
                f"task version {task.version} does not follow expected version {expected_version}"
            )
        item = self._task_item(task, rematch=not quiet)
        # Subtasks first: each is small next to the 4 MB of a transaction (the engine caps their
        # count and data), and the parent's events take the room that is left.
        creations: builtins.list[TransactWriteItemTypeDef] = []
        for new_task, new_events in created:
            used = sum(_write_size(write) for write in creations)
            creations += self._creation(
                new_task, new_events, (TRANSACTION_BYTES - used, TRANSACTION_ITEMS - len(creations) - 1)
            )
        put: TransactWriteItemTypeDef = {
            "Put": {
                "TableName": self._table,
                "Item": item,
                "ConditionExpression": "#version = :expected",
                "ExpressionAttributeNames": {"#version": "version"},
                "ExpressionAttributeValues": {":expected": n(expected_version)},
            }
        }
        room = (
            TRANSACTION_BYTES - sum(_write_size(write) for write in creations),
            TRANSACTION_ITEMS - len(creations),
        )
        writes = [put, *self._event_puts(task, item, events, room), *creations]
        if len(writes) == 1:
            return self._put_alone(task, item, put)
        codes = transact(self._client, writes)
        if codes is not None:
            # A cancellation on the task item means its version moved on; on a subtask, that it exists.
            if codes[0] == CONDITION_FAILED:
                return False
            raise ConflictingState("a task created with this save already exists")
        if TTL_ATTRIBUTE in item:
            self._expire_history(task, item[TTL_ATTRIBUTE])
        return True

    def _put_alone(self, task: Task, item: Item, write: TransactWriteItemTypeDef) -> bool:
        """A save with nothing beside the task (a run starting) needs no transaction: a conditional
        PutItem costs half the write units of a transaction of one."""
        put = write["Put"]
        try:
            self._client.put_item(
                TableName=self._table,
                Item=item,
                ConditionExpression=put["ConditionExpression"],
                ExpressionAttributeNames=put["ExpressionAttributeNames"],
                ExpressionAttributeValues=put["ExpressionAttributeValues"],
            )
        except self._client.exceptions.ConditionalCheckFailedException:
            return False
        if TTL_ATTRIBUTE in item:
            self._expire_history(task, item[TTL_ATTRIBUTE])
        return True

    def list(
        self,
        workspace_id: str,
        state: TaskState | None,
        limit: int,
        cursor: str | None,
        where: TaskFilter | None = None,
    ) -> tuple[builtins.list[Task], str | None]:
        if limit < 1:
            raise InvalidInput("limit: at least 1")
        where = where or TaskFilter()
        index, partition = _listing(workspace_id, state)
        start = None if cursor is None else _decode_cursor(cursor, index, partition, workspace_id)
        # Query one more than asked when every entry counts: a cursor is given only when a next
        # page really exists.
        size = _BATCH_GET_ITEMS if where.inspects_tasks else min(limit + 1, _BATCH_GET_ITEMS)
        rows = self._rows(index, partition, state, where, start, size)
        page, following = page_of(rows, where, limit)
        return page, None if following is None else _encode_cursor(following, index)

    def count(self, workspace_id: str, where: TaskFilter) -> tuple[dict[TaskState, int], bool]:
        """Without a filter that needs the tasks, one COUNT query per state (index keys only)."""
        if where.inspects_tasks:
            index, partition = _listing(workspace_id, None)
            rows = self._rows(index, partition, None, where, None, _BATCH_GET_ITEMS)
            return tally((task for _, task in rows), where)
        counts: dict[TaskState, int] = {}
        for state in TaskState:
            index, partition = _listing(workspace_id, state)
            counts[state] = 0
            if where.empty_window:
                continue
            query = _window_query(self._table, index, partition, where)
            query["Select"] = "COUNT"
            while True:
                page = self._client.query(**query)
                counts[state] += page["Count"]
                if "LastEvaluatedKey" not in page:
                    break
                query["ExclusiveStartKey"] = page["LastEvaluatedKey"]
        return counts, True

    def _rows(
        self,
        index: str,
        partition: str,
        state: TaskState | None,
        where: TaskFilter,
        start: Item | None,
        size: int,
    ) -> Iterator[tuple[Item, Task]]:
        """(index entry, task) of the window newest first, `size` keys a Query, each page read
        with strongly consistent batch reads; an entry whose task is gone or (in gsi2) has left
        the state is passed over."""
        if where.empty_window:
            return
        while True:
            query = _window_query(self._table, index, partition, where)
            query["Limit"] = size
            if start is not None:
                query["ExclusiveStartKey"] = start
            page = self._client.query(**query)
            entries = page["Items"]
            items = get_items(self._client, self._table, entries)
            for entry, item in zip(entries, items, strict=True):
                if item is not None and (state is None or text(item, "state") == state.value):
                    yield entry, task_from_item(item)
            start = page.get("LastEvaluatedKey")
            if start is None:
                return

    def due(self, now_ms: int, limit: int) -> builtins.list[tuple[str, str]]:
        query: QueryInputTypeDef = {
            "TableName": self._table,
            "IndexName": GSI_DUE,
            "KeyConditionExpression": f"{GSI_DUE}pk = :pk AND {GSI_DUE}sk <= :until",
            "ExpressionAttributeValues": {":pk": s(DUE_TASK_PK), ":until": s(due_until(now_ms))},
            "Limit": limit,
        }
        entries = self._client.query(**query)["Items"]
        return [_task_key(text(entry, "pk")) for entry in entries]

    def history(self, workspace_id: str, task_id: str) -> builtins.list[Event]:
        items = self._event_query(workspace_id, task_id, filter_unexpired=False)
        if not items:
            self.get(workspace_id, task_id)
        return events_from_items(items)

    def _task_item(self, task: Task, *, rematch: bool = True) -> Item:
        order = created_order(task.created_at, task.id)
        item: Item = {
            "pk": s(task_pk(task.workspace_id, task.id)),
            "sk": s(TASK_SK),
            "kind": s("task"),
            "rematch": {"BOOL": rematch},
            "workspace_id": s(task.workspace_id),
            "task_id": s(task.id),
            "version": n(task.version),
            "state": s(task.state.value),
            **_record_attributes(task),
            "gsi1pk": s(tasks_gsi_pk(task.workspace_id)),
            "gsi1sk": s(order),
            "gsi2pk": s(state_gsi_pk(task.workspace_id, task.state.value)),
            "gsi2sk": s(order),
        }
        if task.state in ENDED_STATES and self._retention_s is not None:
            item[TTL_ATTRIBUTE] = n(int(self._now()) + self._retention_s)
        wake_at = task.wake_at
        if wake_at is not None:
            item[f"{GSI_DUE}pk"] = s(DUE_TASK_PK)
            item[f"{GSI_DUE}sk"] = s(due_order(wake_at, task.workspace_id, task.id))
        if item_size(item) > ITEM_BYTES:
            raise TooLarge(
                f"task {task.id} would take {item_size(item)} bytes stored;"
                f" a DynamoDB item holds {ITEM_BYTES}"
            )
        return item

    def _event_puts(
        self,
        task: Task,
        task_item: Item,
        events: Sequence[Event],
        room: tuple[int, int] = (TRANSACTION_BYTES, TRANSACTION_ITEMS),
    ) -> builtins.list[TransactWriteItemTypeDef]:
        """The event items written with `task_item`, in the `room` (bytes, items) both may take."""
        expires = task_item.get(TTL_ATTRIBUTE)
        items = event_items(
            text(task_item, "pk"),
            task.version,
            events,
            room_bytes=room[0] - item_size(task_item),
            room_items=room[1] - 1,
            expires_at=None if expires is None else int(expires["N"]),
        )
        return [{"Put": {"TableName": self._table, "Item": item}} for item in items]

    def _event_query(self, workspace_id: str, task_id: str, *, filter_unexpired: bool) -> builtins.list[Item]:
        pk = task_pk(workspace_id, task_id)
        if not fits_key(pk):
            return []
        query: QueryInputPaginateTypeDef = {
            "TableName": self._table,
            "KeyConditionExpression": "pk = :pk AND begins_with(sk, :events)",
            "ExpressionAttributeValues": {":pk": s(pk), ":events": s(EVENT_PREFIX)},
            "ConsistentRead": True,
        }
        if filter_unexpired:
            query["FilterExpression"] = f"attribute_not_exists({TTL_ATTRIBUTE})"
        pages = self._client.get_paginator("query").paginate(**query)
        return [item for page in pages for item in page["Items"]]

    def _expire_history(self, task: Task, expires_at: AttributeValueTypeDef) -> None:
        """Give the events written before the task ended the task's TTL, so they go with it.

        Best effort after the committed save: a failure is logged, and the next save of the ended
        task (a run finishing late) tries again. Events never change, so re-putting them is safe.
        """
        try:
            stale = self._event_query(task.workspace_id, task.id, filter_unexpired=True)
            expiring = [{**item, TTL_ATTRIBUTE: expires_at} for item in stale]
            for start in range(0, len(expiring), _BATCH_WRITE_ITEMS):
                self._put_batch(expiring[start : start + _BATCH_WRITE_ITEMS])
        except ClientError as error:
            _log.warning("history of task %s keeps no TTL yet: %s", task.id, error)

    def _put_batch(self, items: builtins.list[Item]) -> None:
        for attempt in range(5):
            requests: builtins.list[WriteRequestTypeDef] = [{"PutRequest": {"Item": item}} for item in items]
            unprocessed = self._client.batch_write_item(RequestItems={self._table: requests})
            left = unprocessed.get("UnprocessedItems", {}).get(self._table, [])
            items = [request["PutRequest"]["Item"] for request in left if "PutRequest" in request]
            if not items:
                return
            time.sleep(0.05 * 2**attempt)
        _log.warning("%d history items keep no TTL yet: DynamoDB left them unprocessed", len(items))


def _listing(workspace_id: str, state: TaskState | None) -> tuple[str, str]:
    """The index and partition that list a workspace's tasks (of one state)."""
    if state is None:
        return GSI_TASKS, tasks_gsi_pk(workspace_id)
    return GSI_STATES, state_gsi_pk(workspace_id, state.value)


def _window_query(table: str, index: str, partition: str, where: TaskFilter) -> QueryInputTypeDef:
    """A newest-first Query of the index, narrowed to the filter's creation window by the sort key
    (`{created_at:013d}#{id}`: '#' sorts before any id character, '$' after '#')."""
    condition = f"{index}pk = :pk"
    values: dict[str, AttributeValueTypeDef] = {":pk": s(partition)}
    after, before = where.created_after, where.created_before
    if after is not None and before is not None:
        condition += f" AND {index}sk BETWEEN :after AND :last"
        values |= {":after": s(f"{after:013d}#"), ":last": s(f"{before - 1:013d}$")}
    elif after is not None:
        condition += f" AND {index}sk >= :after"
        values[":after"] = s(f"{after:013d}#")
    elif before is not None:
        condition += f" AND {index}sk < :before"
        values[":before"] = s(f"{before:013d}#")
    return {
        "TableName": table,
        "IndexName": index,
        "KeyConditionExpression": condition,
        "ExpressionAttributeValues": values,
        "ScanIndexForward": False,
    }


def _write_size(write: TransactWriteItemTypeDef) -> int:
    return item_size(cast(Item, write["Put"]["Item"]))


def _task_key(pk: str) -> tuple[str, str]:
    """(workspace id, task id) of a task item's pk, `WS#{ws}#TASK#{id}`."""
    workspace_id, _, task_id = pk.removeprefix("WS#").partition("#TASK#")
    return workspace_id, task_id


def _record_attributes(task: Task) -> Item:
    """The task's record, with its free-form JSON (`data`, `result`) as attributes of their own.

    Inside `record` that JSON text would be a JSON string, escaped a second time: every quote and
    backslash doubled, so quote-heavy data took up to twice its size and 256 KiB of it no longer
    fitted an item. Standing alone, each attribute holds the compact JSON text once, byte for byte.
    """
    record = task_to_record(task)
    attributes: Item = {name: s(_json_text(record.pop(name), name)) for name in _OWN_ATTRIBUTES}
    attributes["record"] = s(dump_json(record))
    return attributes


def task_from_item(item: Item) -> Task:
    """Items written before `data` and `result` stood alone still hold them inside `record`."""
    record = load_json_object(text(item, "record"))
    record.update({name: text(item, name) for name in _OWN_ATTRIBUTES if name in item})
    return task_from_record(record)


def _json_text(value: object, name: str) -> str:
    if not isinstance(value, str):
        raise TypeError(f"task record field {name!r} is not JSON text")
    return value


def _encode_cursor(item: Item, index: str) -> str:
    """The index key of the last task shown: where the next page starts (a LastEvaluatedKey)."""
    key = {name: text(item, name) for name in ("pk", "sk", f"{index}pk", f"{index}sk")}
    return base64.urlsafe_b64encode(json.dumps(key).encode()).decode()


def _decode_cursor(cursor: str, index: str, partition: str, workspace_id: str) -> Item:
    """Only a cursor of this very listing (index, workspace, state) is accepted."""
    names = ("pk", "sk", f"{index}pk", f"{index}sk")
    try:
        key = json.loads(base64.urlsafe_b64decode(cursor.encode()))
    except (binascii.Error, UnicodeError, ValueError):
        key = None
    if (
        not isinstance(key, dict)
        or sorted(key) != sorted(names)
        or not all(isinstance(value, str) for value in key.values())
        or key[f"{index}pk"] != partition
        or not key["pk"].startswith(task_pk(workspace_id, ""))
        or key["sk"] != TASK_SK
    ):
        raise InvalidInput("cursor: not one returned by a previous page")
    return {name: s(key[name]) for name in names}
