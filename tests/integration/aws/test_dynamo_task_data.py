"""How the DynamoDB task store keeps task data and result: each as an attribute of its own holding
the compact JSON text once, so data up to the default size limit fits an item whatever it holds.

(That data comes back byte for byte, from both homes, is part of the contract: `contract/`.)
"""

import json
from collections.abc import Callable

import pytest
from mypy_boto3_dynamodb.client import DynamoDBClient
from store_support import A, claim, created, make_task, next_version, share_botocore_loader, table_name

from aloma_core.adapters.aws.dynamodb import DynamoTaskStore
from aloma_core.adapters.aws.table import ITEM_BYTES, TASK_SK, task_pk
from aloma_core.engine import data_size
from aloma_core.json_types import JsonObject
from aloma_core.limits import Limits
from aloma_core.model import ClaimStatus, Event, TaskError, TaskState
from aloma_core.records import dump_json, task_to_record

LIMIT = Limits().task_data_bytes  # 256 KiB


@pytest.fixture(autouse=True)
def _one_botocore_loader(monkeypatch: pytest.MonkeyPatch) -> None:
    share_botocore_loader(monkeypatch)


@pytest.fixture
def tasks(dynamodb: DynamoDBClient) -> DynamoTaskStore:
    return DynamoTaskStore(dynamodb, table_name(dynamodb))


def stored_item(client: DynamoDBClient, workspace_id: str, task_id: str) -> dict[str, str]:
    key = {"pk": {"S": task_pk(workspace_id, task_id)}, "sk": {"S": TASK_SK}}
    item = client.get_item(TableName=table_name(client), Key=key)["Item"]
    return {name: value.get("S", value.get("N", "")) for name, value in item.items()}


def stored_bytes(item: dict[str, str]) -> int:
    """DynamoDB's measure of an item of strings and numbers: names plus values, in UTF-8."""
    return sum(len(name.encode()) + len(value.encode()) for name, value in item.items())


def quote_heavy(size: int) -> JsonObject:
    """Data whose JSON text is `size` bytes, nearly all of them escaped quotes (`\\"`)."""
    return {"q": '"' * ((size - len('{"q":""}')) // 2)}


def plain(size: int) -> JsonObject:
    return {"blob": "a" * (size - len('{"blob":""}'))}


def test_data_and_result_are_stored_once_each_in_an_attribute_of_their_own(
    tasks: DynamoTaskStore, dynamodb: DynamoDBClient
) -> None:
    data: JsonObject = {"say": 'he said "hi"\\n', "x": 1.0, "é": [None]}
    task = make_task(data=data).with_changes(result={"ok": '"yes"'})

    tasks.create(task, created(task))

    item = stored_item(dynamodb, A, task.id)
    assert item["data"] == dump_json(data) == '{"say":"he said \\"hi\\"\\\\n","x":1.0,"é":[null]}'
    assert item["result"] == '{"ok":"\\"yes\\""}'
    record = json.loads(item["record"])
    assert {"data", "result"}.isdisjoint(record)
    assert record["id"] == task.id


@pytest.mark.parametrize("make_data", [quote_heavy, plain], ids=["quote-heavy", "plain"])
def test_the_largest_data_the_default_limit_allows_is_stored(
    tasks: DynamoTaskStore, dynamodb: DynamoDBClient, make_data: Callable[[int], JsonObject]
) -> None:
    """Created with its first event, then saved with a run's claim, error and event."""
    data = make_data(LIMIT)
    assert data_size(data) == LIMIT
    task = make_task(data=data)

    tasks.create(task, created(task))
    ended = next_version(
        task,
        state=TaskState.ERROR,
        claims={"charge": claim("charge", ClaimStatus.DONE)},
        runs=1,
        error=TaskError("charge", "boom", 4),
        tags=("vip",),
    )
    assert tasks.save(ended, 1, [Event("run", 2, {"step": "charge", "error": {"message": "boom"}})])

    assert tasks.get(A, task.id) == ended
    assert [event.type for event in tasks.history(A, task.id)] == ["created", "run"]
    item = stored_item(dynamodb, A, task.id)
    assert item["data"] == dump_json(data)
    assert LIMIT < stored_bytes(item) < LIMIT + 2_000 < ITEM_BYTES


def test_quote_heavy_data_at_the_limit_would_not_fit_escaped_twice() -> None:
    """Why the data left `record`: inside it, the data's text took twice its size."""
    task = make_task(data=quote_heavy(LIMIT))

    assert len(dump_json(task_to_record(task)).encode()) > 2 * LIMIT > ITEM_BYTES


def test_a_large_result_is_stored_once_too(tasks: DynamoTaskStore, dynamodb: DynamoDBClient) -> None:
    task = make_task(data=plain(LIMIT))
    tasks.create(task, created(task))
    done = next_version(task, state=TaskState.DONE, result=quote_heavy(100_000))

    assert tasks.save(done, 1, [Event("state", 2, {"to": "done"})])

    assert tasks.get(A, task.id).result == done.result
    assert stored_item(dynamodb, A, task.id)["result"] == dump_json(done.result)


def test_a_task_written_with_data_inside_its_record_is_still_read(
    tasks: DynamoTaskStore, dynamodb: DynamoDBClient
) -> None:
    """Items written before `data` and `result` had attributes of their own."""
    task = make_task(data={"n": 1, "s": 'a "quote"'}).with_changes(result=[1.5])
    tasks.create(task, created(task))
    item = dynamodb.get_item(
        TableName=table_name(dynamodb), Key={"pk": {"S": task_pk(A, task.id)}, "sk": {"S": TASK_SK}}
    )["Item"]
    del item["data"], item["result"]
    item["record"] = {"S": dump_json(task_to_record(task))}
    dynamodb.put_item(TableName=table_name(dynamodb), Item=item)

    assert tasks.get(A, task.id) == task
    assert tasks.list(A, None, 10, None) == ([task], None)
    assert tasks.save(next_version(task, data={"n": 2}), 1, [])
    assert "data" not in json.loads(stored_item(dynamodb, A, task.id)["record"])
