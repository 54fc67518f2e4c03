"""What a filtered listing and a count cost on DynamoDB: bounded reads per page, the creation window
in the key condition, COUNT queries when no filter needs the tasks themselves."""

import pytest
from aws_support import count_requests
from mypy_boto3_dynamodb.client import DynamoDBClient
from store_support import A, created, make_task, share_botocore_loader, table_name

from aloma_core import task_filter
from aloma_core.adapters.aws.dynamodb import DynamoTaskStore
from aloma_core.model import TaskState
from aloma_core.task_filter import TaskFilter


@pytest.fixture(autouse=True)
def _one_botocore_loader(monkeypatch: pytest.MonkeyPatch) -> None:
    share_botocore_loader(monkeypatch)


@pytest.fixture
def tasks(dynamodb: DynamoDBClient) -> DynamoTaskStore:
    store = DynamoTaskStore(dynamodb, table_name(dynamodb))
    for i in range(30):
        task = make_task(task_id=f"t{i:02d}", created_at=1_000 + i)
        store.create(task, created(task))
    return store


def test_a_filter_on_the_tasks_reads_at_most_its_budget_per_page(
    tasks: DynamoTaskStore, dynamodb: DynamoDBClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(task_filter, "SCAN_BUDGET", 10)
    monkeypatch.setattr("aloma_core.adapters.aws.dynamodb.tasks._BATCH_GET_ITEMS", 5)
    requests = count_requests(dynamodb)

    page, cursor = tasks.list(A, None, 5, None, TaskFilter(name="nobody"))

    assert (page, cursor is not None) == ([], True)
    assert dict(requests) == {"Query": 2, "BatchGetItem": 2}


def test_the_creation_window_is_read_from_the_index_keys_only(
    tasks: DynamoTaskStore, dynamodb: DynamoDBClient
) -> None:
    requests = count_requests(dynamodb)
    page, cursor = tasks.list(A, None, 50, None, TaskFilter(created_after=1_010, created_before=1_013))
    assert [task.id for task in page] == ["t12", "t11", "t10"]
    assert cursor is None
    assert dict(requests) == {"Query": 1, "BatchGetItem": 1}


def test_a_count_without_task_filters_reads_no_task(tasks: DynamoTaskStore, dynamodb: DynamoDBClient) -> None:
    requests = count_requests(dynamodb)
    counts, exact = tasks.count(A, TaskFilter(created_before=1_020))
    assert (counts[TaskState.RUNNING], exact) == (20, True)
    assert dict(requests) == {"Query": len(TaskState)}


def test_a_count_stops_at_its_budget_and_says_so(
    tasks: DynamoTaskStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(task_filter, "COUNT_BUDGET", 12)
    counts, exact = tasks.count(A, TaskFilter(name="order"))
    assert (counts[TaskState.RUNNING], exact) == (12, False)
