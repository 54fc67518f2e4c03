"""The DynamoDB task store on moto: the `TaskStore` contract the SQLite store is held to, plus
what only DynamoDB needs (TTL, item and transaction limits, request counts)."""

import base64
import json

import pytest
from aws_support import A, B, claim, count_requests, created, make_task, next_version, run_threads
from conftest import TABLE
from mypy_boto3_dynamodb.client import DynamoDBClient

from aloma_core.adapters.aws.dynamodb import DynamoTaskStore
from aloma_core.adapters.aws.table import EVENT_BYTES, TTL_ATTRIBUTE
from aloma_core.errors import ConflictingState, InvalidInput, NotFound, TooLarge
from aloma_core.model import ClaimStatus, Event, TaskError, TaskState
from aloma_core.records import dump_json

NOW_S = 1_767_225_600  # 2026-01-01T00:00:00Z
DAY_S = 86_400


@pytest.fixture
def tasks(dynamodb: DynamoDBClient) -> DynamoTaskStore:
    return DynamoTaskStore(dynamodb, TABLE, now=lambda: NOW_S + 0.75)


def all_items(client: DynamoDBClient) -> list[dict[str, str]]:
    """Every item of the table as {attribute: value text}, for checks on the storage itself."""
    items = client.scan(TableName=TABLE)["Items"]
    return [{name: value.get("S", value.get("N", "")) for name, value in item.items()} for item in items]


# Create and get


def test_create_stores_task_and_first_events(tasks: DynamoTaskStore) -> None:
    task = make_task(
        state=TaskState.ERROR,
        data={"x": 1.0, "deep": [[{"é": None}]]},
        claims={"charge": claim("charge", ClaimStatus.DONE)},
    ).with_changes(result={"ok": 0.25}, tags=("vip",), runs=3, error=TaskError("charge", "boom", 4))

    tasks.create(task, [*created(task), Event("dispatched", 2, {"steps": ["charge"]})])

    stored = tasks.get(A, task.id)
    assert stored == task
    assert dump_json(stored.data) == '{"x":1.0,"deep":[[{"é":null}]]}'
    history = tasks.history(A, task.id)
    assert [(event.seq, event.type) for event in history] == [(1, "created"), (2, "dispatched")]
    assert history[1].detail == {"steps": ["charge"]}


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
    assert json.loads(stored["record"])["data"] == '{"n":0}'
    assert items[("WS#ws_a#TASK#t_1", "EVT#0000000001#001")]["kind"] == "event"
    assert len(items) == 3


def test_create_is_atomic(tasks: DynamoTaskStore, dynamodb: DynamoDBClient) -> None:
    """An event that cannot be stored takes the task with it."""
    task = make_task()

    with pytest.raises(ValueError, match="JSON"):
        tasks.create(task, [*created(task), Event("audit", 2, {"bad": float("nan")})])

    with pytest.raises(NotFound):
        tasks.get(A, task.id)
    assert all_items(dynamodb) == []


def test_create_refuses_a_duplicate_id(tasks: DynamoTaskStore) -> None:
    task = make_task()
    tasks.create(task, created(task))

    with pytest.raises(ConflictingState):
        tasks.create(task.with_changes(data={"other": True}), created(task))

    assert tasks.get(A, task.id) == task
    assert len(tasks.history(A, task.id)) == 1


def test_get_of_unknown_or_other_workspace_task_is_not_found(tasks: DynamoTaskStore) -> None:
    task = make_task(A)
    tasks.create(task, created(task))

    for workspace_id, task_id in [(A, "t_unknown"), (B, task.id), (A, "x" * 3000), (A, "")]:
        with pytest.raises(NotFound):
            tasks.get(workspace_id, task_id)


# Save


def test_save_writes_the_next_version_and_appends_events(tasks: DynamoTaskStore) -> None:
    task = make_task()
    tasks.create(task, created(task))
    second = next_version(task, data={"n": 1}, data_seq=2)

    assert tasks.save(second, 1, [Event("patched", 2, {"n": 1}), Event("state", 3, {"to": "running"})])

    assert tasks.get(A, task.id) == second
    assert [(event.seq, event.type) for event in tasks.history(A, task.id)] == [
        (1, "created"),
        (2, "patched"),
        (3, "state"),
    ]


def test_save_refuses_a_stale_version_and_writes_no_events(tasks: DynamoTaskStore) -> None:
    task = make_task()
    tasks.create(task, created(task))
    winner = next_version(task, data={"n": 1})
    assert tasks.save(winner, 1, [Event("patched", 2)])

    assert not tasks.save(next_version(task, data={"n": 99}), 1, [Event("patched", 3, {"lost": True})])

    assert tasks.get(A, task.id) == winner
    assert [event.type for event in tasks.history(A, task.id)] == ["created", "patched"]


def test_save_needs_the_version_after_the_expected_one(tasks: DynamoTaskStore) -> None:
    task = make_task()
    tasks.create(task, created(task))

    with pytest.raises(ValueError, match="expected version"):
        tasks.save(task.with_changes(version=5), 1, [])


def test_save_of_unknown_or_other_workspace_task_writes_nothing(
    tasks: DynamoTaskStore, dynamodb: DynamoDBClient
) -> None:
    task = make_task(A)
    tasks.create(task, created(task))

    assert not tasks.save(next_version(make_task(A)), 1, [Event("patched", 2)])
    assert not tasks.save(next_version(task.with_changes(workspace_id=B)), 1, [Event("patched", 2)])

    assert tasks.get(A, task.id) == task
    assert len(all_items(dynamodb)) == 2


def test_a_save_is_one_request(tasks: DynamoTaskStore, dynamodb: DynamoDBClient) -> None:
    """What a commit costs in requests: one transaction holding the task and its events."""
    task = make_task()
    tasks.create(task, created(task))
    requests = count_requests(dynamodb)

    tasks.save(next_version(task, data={"n": 1}), 1, [Event("run", 2, {"step": "s"}), Event("state", 2)])

    assert dict(requests) == {"TransactWriteItems": 1}


def test_concurrent_increments_lose_no_update(tasks: DynamoTaskStore) -> None:
    """6 threads x 15 read-modify-write increments, each retried on a version conflict."""
    task = make_task(data={"n": 0})
    tasks.create(task, created(task))

    def increment(worker: int) -> None:
        for _ in range(15):
            while True:
                current = tasks.get(A, task.id)
                count = current.data["n"]
                assert isinstance(count, int)
                bumped = next_version(current, data={"n": count + 1})
                if tasks.save(bumped, current.version, [Event("patched", 0, {"by": worker})]):
                    break

    run_threads(6, increment)

    final = tasks.get(A, task.id)
    assert (final.version, final.data) == (91, {"n": 90})
    assert [event.seq for event in tasks.history(A, task.id)] == list(range(1, 92))


# List


def test_list_is_newest_first_in_pages(tasks: DynamoTaskStore) -> None:
    made = [make_task(created_at=1_000 + i) for i in range(5)]
    for task in made:
        tasks.create(task, created(task))
    tasks.create(other := make_task(B, created_at=5_000), created(other))

    pages: list[list[str]] = []
    cursor: str | None = None
    while True:
        page, cursor = tasks.list(A, None, 2, cursor)
        pages.append([task.id for task in page])
        if cursor is None:
            break

    newest_first = [task.id for task in reversed(made)]
    assert pages == [newest_first[0:2], newest_first[2:4], newest_first[4:5]]


def test_list_ends_without_an_empty_page(tasks: DynamoTaskStore) -> None:
    for i in range(4):
        tasks.create(task := make_task(created_at=i), created(task))

    first, cursor = tasks.list(A, None, 2, None)
    second, end = tasks.list(A, None, 2, cursor)

    assert (len(first), len(second), end) == (2, 2, None)


def test_list_breaks_ties_by_id_descending(tasks: DynamoTaskStore) -> None:
    for task_id in ["t_1", "t_3", "t_2", "t_4"]:
        tasks.create(task := make_task(task_id=task_id, created_at=7), created(task))

    first, cursor = tasks.list(A, None, 3, None)
    rest, _ = tasks.list(A, None, 3, cursor)

    assert [task.id for task in first + rest] == ["t_4", "t_3", "t_2", "t_1"]


def test_list_filters_by_state(tasks: DynamoTaskStore) -> None:
    states = [TaskState.DONE, TaskState.RUNNING, TaskState.DONE, TaskState.ERROR, TaskState.DONE]
    made = [make_task(state=state, created_at=i) for i, state in enumerate(states)]
    for task in made:
        tasks.create(task, created(task))

    first, cursor = tasks.list(A, TaskState.DONE, 2, None)
    rest, end = tasks.list(A, TaskState.DONE, 2, cursor)

    assert [task.id for task in first + rest] == [made[4].id, made[2].id, made[0].id]
    assert end is None
    assert tasks.list(A, TaskState.WAITING, 10, None) == ([], None)


def test_list_follows_state_changes(tasks: DynamoTaskStore) -> None:
    task = make_task()
    tasks.create(task, created(task))
    tasks.save(next_version(task, state=TaskState.DONE), 1, [])

    assert tasks.list(A, TaskState.RUNNING, 10, None) == ([], None)
    assert [found.state for found in tasks.list(A, TaskState.DONE, 10, None)[0]] == [TaskState.DONE]


def test_list_shows_only_the_workspace_own_tasks(tasks: DynamoTaskStore) -> None:
    tasks.create(task := make_task(A), created(task))

    assert tasks.list(B, None, 10, None) == ([], None)
    assert tasks.list(A, None, 10, None) == ([task], None)


@pytest.mark.parametrize("cursor", ["", "not base64!", "bm90IGpzb24=", "WzEsMiwzXQ==", "WyJhIiwgMV0="])
def test_list_refuses_a_cursor_it_did_not_give(tasks: DynamoTaskStore, cursor: str) -> None:
    with pytest.raises(InvalidInput, match="cursor"):
        tasks.list(A, None, 10, cursor)


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


def test_list_refuses_an_empty_page(tasks: DynamoTaskStore) -> None:
    with pytest.raises(InvalidInput, match="limit"):
        tasks.list(A, None, 0, None)


# History


def test_history_of_unknown_or_other_workspace_task_is_not_found(tasks: DynamoTaskStore) -> None:
    tasks.create(task := make_task(A), created(task))
    tasks.create(silent := make_task(A), [])

    assert tasks.history(A, silent.id) == []
    with pytest.raises(NotFound):
        tasks.history(A, "t_unknown")
    with pytest.raises(NotFound):
        tasks.history(B, task.id)


def test_history_keeps_write_order_across_many_versions(tasks: DynamoTaskStore) -> None:
    """Sort keys carry zero-padded versions: version 10 sorts after version 9, not after 1."""
    task = make_task()
    tasks.create(task, created(task))
    current = task
    for version in range(2, 13):
        bumped = next_version(current)
        assert tasks.save(
            bumped, current.version, [Event("audit", version, {"v": version, "i": i}) for i in (0, 1)]
        )
        current = bumped

    history = tasks.history(A, task.id)

    assert [(event.detail.get("v"), event.detail.get("i")) for event in history[1:]] == [
        (version, i) for version in range(2, 13) for i in (0, 1)
    ]
    assert [event.seq for event in history] == list(range(1, 24))


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
    tasks = DynamoTaskStore(dynamodb, TABLE, retention_days=None)
    task = make_task()
    tasks.create(task, created(task))

    tasks.save(next_version(task, state=TaskState.DONE), 1, [Event("state", 2)])

    assert set(expiry_of(dynamodb).values()) == {None}


def test_open_and_failed_tasks_do_not_expire(tasks: DynamoTaskStore, dynamodb: DynamoDBClient) -> None:
    for state in (TaskState.RUNNING, TaskState.WAITING, TaskState.INCOMPLETE, TaskState.ERROR):
        tasks.create(task := make_task(state=state), created(task))

    assert set(expiry_of(dynamodb).values()) == {None}


# Limits


def run_event(logs: int, changes: int, message: str = "boom") -> Event:
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
