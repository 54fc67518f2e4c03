"""What only the DynamoDB task store does, on moto: the item layout, TTL, the item and transaction
limits, request counts, cursors bound to their listing. The `TaskStore` contract it shares with
the SQLite store runs against both homes in `contract/`."""

import base64
import json
from typing import Any

import pytest
from aws_support import count_requests
from mypy_boto3_dynamodb.client import DynamoDBClient
from store_support import A, B, created, make_task, next_version, share_botocore_loader, table_name

from aloma_core.adapters.aws.dynamodb import DynamoTaskStore, items
from aloma_core.adapters.aws.table import EVENT_BYTES, GSI_STATES, GSI_TASKS, TTL_ATTRIBUTE
from aloma_core.errors import InvalidInput, TooLarge
from aloma_core.model import Event, TaskState
from aloma_core.records import dump_json

NOW_S = 1_767_225_600  # 2026-01-01T00:00:00Z
DAY_S = 86_400


@pytest.fixture(autouse=True)
def _one_botocore_loader(monkeypatch: pytest.MonkeyPatch) -> None:
    share_botocore_loader(monkeypatch)


@pytest.fixture
def tasks(dynamodb: DynamoDBClient) -> DynamoTaskStore:
    return DynamoTaskStore(dynamodb, table_name(dynamodb), now=lambda: NOW_S + 0.75)


def all_items(client: DynamoDBClient) -> list[dict[str, str]]:
    """Every item of the table as {attribute: value text}, for checks on the storage itself."""
    items = client.scan(TableName=table_name(client))["Items"]
    return [{name: value.get("S", value.get("N", "")) for name, value in item.items()} for item in items]


# Items


def test_items_have_the_designed_shape(tasks: DynamoTaskStore, dynamodb: DynamoDBClient) -> None:
    task = make_task(task_id="t_1", created_at=1_234)
    tasks.create(task, [*created(task), Event("dispatched", 2, {"step": "mail"})])

    items = {(item["pk"], item["sk"]): item for item in all_items(dynamodb)}

    stored = items[("WS#ws_a#TASK#t_1", "TASK")]
    assert {name: stored[name] for name in ("kind", "workspace_id", "task_id", "version", "state")} == {
        "kind": "task",
        "workspace_id": A,
        "task_id": "t_1",
        "version": "1",
        "state": "running",
    }
    assert (stored["gsi1pk"], stored["gsi1sk"]) == ("WS#ws_a#TASKS", "0000000001234#t_1")
    assert (stored["gsi2pk"], stored["gsi2sk"]) == ("WS#ws_a#STATE#running", "0000000001234#t_1")
    assert (stored["data"], stored["result"]) == ('{"n":0}', "null")
    assert {"data", "result"}.isdisjoint(json.loads(stored["record"]))
    assert items[("WS#ws_a#TASK#t_1", "EVT#0000000001#001")]["kind"] == "event"
    assert len(items) == 3


# Save


def test_a_save_is_one_request(tasks: DynamoTaskStore, dynamodb: DynamoDBClient) -> None:
    """What a commit costs in requests: one transaction holding the task and its events."""
    task = make_task()
    tasks.create(task, created(task))
    requests = count_requests(dynamodb)

    tasks.save(next_version(task, data={"n": 1}), 1, [Event("run", 2, {"step": "s"}), Event("state", 2)])

    assert dict(requests) == {"TransactWriteItems": 1}


# List


def test_a_cursor_serves_only_its_own_listing(tasks: DynamoTaskStore) -> None:
    """Another workspace, or another state filter, cannot reuse a cursor (nor read through it)."""
    for i in range(3):
        tasks.create(task := make_task(A, created_at=i), created(task))
    _, cursor = tasks.list(A, None, 1, None)
    assert cursor is not None
    forged = json.loads(base64.urlsafe_b64decode(cursor))
    forged["gsi1pk"] = "WS#ws_b#TASKS"

    for workspace_id, state, foreign in [
        (B, None, cursor),
        (A, TaskState.RUNNING, cursor),
        (B, None, base64.urlsafe_b64encode(json.dumps(forged).encode()).decode()),
    ]:
        with pytest.raises(InvalidInput, match="cursor"):
            tasks.list(workspace_id, state, 10, foreign)


def test_the_listing_indexes_hold_only_keys(tasks: DynamoTaskStore, dynamodb: DynamoDBClient) -> None:
    """Nothing a save changes is copied into them: a save writes no index unless the state moves."""
    tasks.create(task := make_task(data={"big": "b" * 10_000}), created(task))

    for index, partition in [(GSI_TASKS, "WS#ws_a#TASKS"), (GSI_STATES, "WS#ws_a#STATE#running")]:
        entries = dynamodb.query(
            TableName=table_name(dynamodb),
            IndexName=index,
            KeyConditionExpression=f"{index}pk = :pk",
            ExpressionAttributeValues={":pk": {"S": partition}},
        )["Items"]
        assert [sorted(entry) for entry in entries] == [sorted(["pk", "sk", f"{index}pk", f"{index}sk"])]


def test_a_page_is_one_query_of_keys_and_one_batch_of_reads(
    tasks: DynamoTaskStore, dynamodb: DynamoDBClient
) -> None:
    made = [make_task(created_at=i) for i in range(5)]
    for task in made:
        tasks.create(task, created(task))
    requests = count_requests(dynamodb)

    page, cursor = tasks.list(A, None, 3, None)

    assert page == made[:1:-1]
    assert cursor is not None
    assert dict(requests) == {"Query": 1, "BatchGetItem": 1}


def answer_first_query_with(client: DynamoDBClient, stale: list[dict[str, dict[str, str]]]) -> None:
    """The index, eventually consistent, answers the first Query with `stale` entries in front (and
    as many fewer at the end, so that it still answers `Limit` entries)."""
    answered: list[bool] = []

    def rewrite(parsed: dict[str, Any], **_: Any) -> None:
        if answered:
            return
        answered.append(True)
        entries = [*stale, *parsed["Items"]][: len(parsed["Items"])]
        parsed["Items"] = entries
        parsed["LastEvaluatedKey"] = entries[-1]

    client.meta.events.register("after-call.dynamodb.Query", rewrite)


def test_an_index_entry_whose_task_is_gone_or_has_left_the_state_is_skipped(
    tasks: DynamoTaskStore, dynamodb: DynamoDBClient
) -> None:
    """The page is still filled up from further entries, and the cursor follows the last one shown."""
    done = [make_task(state=TaskState.DONE, created_at=i) for i in range(3)]
    for task in done:
        tasks.create(task, created(task))
    tasks.create(moved := make_task(state=TaskState.RUNNING, created_at=8), created(moved))
    order = "0000000000009#t_gone"
    gone = {"pk": {"S": "WS#ws_a#TASK#t_gone"}, "sk": {"S": "TASK"}}
    stale = [
        {**gone, "gsi2pk": {"S": "WS#ws_a#STATE#done"}, "gsi2sk": {"S": order}},
        {
            "pk": {"S": f"WS#ws_a#TASK#{moved.id}"},
            "sk": {"S": "TASK"},
            "gsi2pk": {"S": "WS#ws_a#STATE#done"},
            "gsi2sk": {"S": f"0000000000008#{moved.id}"},
        },
    ]
    answer_first_query_with(dynamodb, stale)

    page, cursor = tasks.list(A, TaskState.DONE, 2, None)
    rest, end = tasks.list(A, TaskState.DONE, 2, cursor)

    assert [task.id for task in page + rest] == [done[2].id, done[1].id, done[0].id]
    assert end is None


def test_keys_left_unprocessed_are_read_again(tasks: DynamoTaskStore, dynamodb: DynamoDBClient) -> None:
    """DynamoDB may answer a BatchGetItem in part (throttling, 16 MB): the rest is asked for again."""
    made = [make_task(created_at=i) for i in range(4)]
    for task in made:
        tasks.create(task, created(task))
    calls: list[int] = []

    def withhold(parsed: dict[str, Any], **_: Any) -> None:
        calls.append(len(calls))
        table = table_name(dynamodb)
        answered = parsed["Responses"][table]
        kept = answered[:1] if len(calls) == 1 else [] if len(calls) == 2 else answered
        withheld = [{"pk": item["pk"], "sk": item["sk"]} for item in answered if item not in kept]
        parsed["Responses"][table] = kept
        parsed["UnprocessedKeys"] = {table: {"Keys": withheld}} if withheld else {}

    dynamodb.meta.events.register("after-call.dynamodb.BatchGetItem", withhold)

    page, _ = tasks.list(A, None, 10, None)

    assert page == made[::-1]
    assert len(calls) == 3


def test_a_listing_gives_up_when_dynamodb_keeps_every_key_unprocessed(
    tasks: DynamoTaskStore, dynamodb: DynamoDBClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    tasks.create(task := make_task(), created(task))
    monkeypatch.setattr(items.time, "sleep", lambda _: None)

    def withhold_all(parsed: dict[str, Any], **_: Any) -> None:
        table = table_name(dynamodb)
        keys = [{"pk": item["pk"], "sk": item["sk"]} for item in parsed["Responses"][table]]
        parsed["Responses"][table] = []
        parsed["UnprocessedKeys"] = {table: {"Keys": keys}}

    dynamodb.meta.events.register("after-call.dynamodb.BatchGetItem", withhold_all)

    with pytest.raises(RuntimeError, match="unprocessed"):
        tasks.list(A, None, 10, None)


def test_many_keys_are_read_100_at_a_time_in_their_order(dynamodb: DynamoDBClient) -> None:
    table = table_name(dynamodb)
    keys = [{"pk": {"S": f"P#{i:03d}"}, "sk": {"S": "S"}} for i in range(230)]
    stored = [{**key, "n": {"N": str(i)}} for i, key in enumerate(keys) if i % 7]
    for start in range(0, len(stored), 25):
        batch = stored[start : start + 25]
        dynamodb.batch_write_item(RequestItems={table: [{"PutRequest": {"Item": item}} for item in batch]})
    requests = count_requests(dynamodb)
    wanted = keys[::-1]

    found = items.get_items(dynamodb, table, wanted)

    assert [None if item is None else item["n"]["N"] for item in found] == [
        None if i % 7 == 0 else str(i) for i in reversed(range(230))
    ]
    assert dict(requests) == {"BatchGetItem": 3}


# Expiry


def expiry_of(client: DynamoDBClient) -> dict[str, str | None]:
    return {f"{item['sk']}": item.get(TTL_ATTRIBUTE) for item in all_items(client)}


@pytest.mark.parametrize("end", [TaskState.DONE, TaskState.IGNORED])
def test_an_ended_task_and_all_its_history_expire_after_the_retention(
    tasks: DynamoTaskStore, dynamodb: DynamoDBClient, end: TaskState
) -> None:
    task = make_task()
    tasks.create(task, created(task))
    tasks.save(second := next_version(task, data={"n": 1}), 1, [Event("patched", 2)])
    assert set(expiry_of(dynamodb).values()) == {None}

    tasks.save(next_version(second, state=end), 2, [Event("state", 3, {"to": end.value})])

    expected = str(NOW_S + 30 * DAY_S)
    assert expiry_of(dynamodb) == {
        "TASK": expected,
        "EVT#0000000001#000": expected,
        "EVT#0000000002#000": expected,
        "EVT#0000000003#000": expected,
    }


def test_a_task_created_ended_expires_at_once(tasks: DynamoTaskStore, dynamodb: DynamoDBClient) -> None:
    task = make_task(state=TaskState.IGNORED)
    tasks.create(task, created(task))

    assert set(expiry_of(dynamodb).values()) == {str(NOW_S + 30 * DAY_S)}


def test_retention_none_keeps_ended_tasks(dynamodb: DynamoDBClient) -> None:
    tasks = DynamoTaskStore(dynamodb, table_name(dynamodb), retention_days=None)
    task = make_task()
    tasks.create(task, created(task))

    tasks.save(next_version(task, state=TaskState.DONE), 1, [Event("state", 2)])

    assert set(expiry_of(dynamodb).values()) == {None}


def test_open_and_failed_tasks_do_not_expire(tasks: DynamoTaskStore, dynamodb: DynamoDBClient) -> None:
    for state in (TaskState.RUNNING, TaskState.WAITING, TaskState.INCOMPLETE, TaskState.ERROR):
        tasks.create(task := make_task(state=state), created(task))

    assert set(expiry_of(dynamodb).values()) == {None}


# Limits


def run_event(logs: int, changes: int, message: str = "boom", calls: int = 0) -> Event:
    return Event(
        "run",
        5,
        {
            "step": "chatty",
            "version": 3,
            "claim": "c_1",
            "started_at": 4,
            "duration_ms": 1.5,
            "cpu_ms": 1.0,
            "changes": [{"op": "set", "path": ["k", i], "value": "v" * 100} for i in range(changes)],
            "logs": [{"level": "info", "message": f"line {i} " + "x" * 100} for i in range(logs)],
            "calls": [
                {"connector": "crm", "method": f"m{i}", "status": "failed", "ms": 1.0, "message": "y" * 100}
                for i in range(calls)
            ],
            "error": {"step": "chatty", "message": message, "line": 7},
        },
    )


def test_an_oversized_event_keeps_its_essentials_and_says_what_it_lost(tasks: DynamoTaskStore) -> None:
    task = make_task()
    tasks.create(task, created(task))

    assert tasks.save(next_version(task), 1, [run_event(logs=5_000, changes=3)])

    stored = tasks.history(A, task.id)[1]
    assert (stored.type, stored.at) == ("run", 5)
    assert {key: stored.detail[key] for key in ("step", "version", "claim", "error")} == {
        "step": "chatty",
        "version": 3,
        "claim": "c_1",
        "error": {"step": "chatty", "message": "boom", "line": 7},
    }
    assert len(stored.detail["changes"]) == 3  # type: ignore[arg-type]
    lost = stored.detail["truncated"]
    assert isinstance(lost, dict)
    kept = lost["logs"]
    assert isinstance(kept, dict)
    assert kept["of"] == 5_000
    assert isinstance(kept["kept"], int)
    assert 1_000 < kept["kept"] < 5_000
    assert stored.detail["logs"] == run_event(logs=kept["kept"], changes=0).detail["logs"]
    assert len(dump_json({"type": "run", "detail": dump_json(stored.detail)})) <= EVENT_BYTES


def test_changes_are_cut_after_logs_and_other_bulk_is_dropped(tasks: DynamoTaskStore) -> None:
    task = make_task()
    tasks.create(task, created(task))
    huge = Event("audit", 6, {"step": "chatty", "text": "t" * 500_000})

    assert tasks.save(next_version(task), 1, [run_event(logs=2_000, changes=5_000), huge])

    run, audit = tasks.history(A, task.id)[1:]
    assert run.detail["logs"] == []
    lost = run.detail["truncated"]
    assert isinstance(lost, dict)
    assert lost["logs"] == {"kept": 0, "of": 2_000}
    assert 0 < len(run.detail["changes"]) < 5_000  # type: ignore[arg-type]
    assert audit.detail == {
        "step": "chatty",
        "text": None,
        "truncated": {"text": {"dropped_bytes": 500_002}},
    }


def test_connector_calls_are_cut_after_logs_and_before_changes(tasks: DynamoTaskStore) -> None:
    task = make_task()
    tasks.create(task, created(task))

    assert tasks.save(next_version(task), 1, [run_event(logs=100, changes=3, calls=5_000)])

    stored = tasks.history(A, task.id)[1]
    lost = stored.detail["truncated"]
    assert isinstance(lost, dict)
    assert lost["logs"] == {"kept": 0, "of": 100}
    kept = lost["calls"]
    assert isinstance(kept, dict)
    assert kept["of"] == 5_000
    assert len(stored.detail["calls"]) == kept["kept"] > 0  # type: ignore[arg-type]
    assert len(stored.detail["changes"]) == 3  # type: ignore[arg-type]


def test_many_events_of_one_save_are_packed_in_order(
    tasks: DynamoTaskStore, dynamodb: DynamoDBClient
) -> None:
    """More events than a transaction has items for: packed, still one atomic write, still in order."""
    task = make_task()
    tasks.create(task, created(task))
    dispatched = [
        Event("dispatched", 2, {"step": f"s{i}", "version": 1, "claim": f"c{i}"}) for i in range(250)
    ]

    assert tasks.save(next_version(task), 1, dispatched)

    history = tasks.history(A, task.id)
    assert [event.detail.get("step") for event in history[1:]] == [f"s{i}" for i in range(250)]
    assert [event.seq for event in history] == list(range(1, 252))
    assert len(all_items(dynamodb)) < 10


def test_large_events_share_the_transaction_size(tasks: DynamoTaskStore) -> None:
    """20 events of 300 KB each cannot all fit in 4 MB: each is cut to a fair share."""
    task = make_task()
    tasks.create(task, created(task))
    audits = [Event("audit", 2, {"step": "s", "n": i, "text": "a" * 300_000}) for i in range(20)]
    mixed = [Event("state", 2, {"to": "done"}), *audits]

    assert tasks.save(next_version(task), 1, mixed)

    history = tasks.history(A, task.id)
    assert history[1].detail == {"to": "done"}
    assert [event.detail["n"] for event in history[2:]] == list(range(20))
    assert all(event.detail["text"] is None for event in history[2:])


def test_a_task_too_large_for_an_item_is_refused_and_nothing_written(
    tasks: DynamoTaskStore, dynamodb: DynamoDBClient
) -> None:
    task = make_task(data={"blob": "b" * 410_000})

    with pytest.raises(TooLarge, match="DynamoDB item"):
        tasks.create(task, created(task))

    assert all_items(dynamodb) == []


def test_an_error_message_is_clipped_only_when_nothing_else_is_left(tasks: DynamoTaskStore) -> None:
    task = make_task()
    tasks.create(task, created(task))

    assert tasks.save(next_version(task), 1, [run_event(logs=0, changes=0, message="m" * 400_000)])

    stored = tasks.history(A, task.id)[1].detail
    error = stored["error"]
    assert isinstance(error, dict)
    assert error["message"] == "m" * 1000 + "…"
    assert stored["truncated"] == {"error": {"message_chars": 400_000}}
