"""Task data comes back byte for byte from both homes: it is stored as JSON text, never as a
DynamoDB map (maps have no floats, cap nesting at 32 levels and would bring Decimals back).

One store per home serves the whole module: hypothesis reruns a test body, not its fixtures.
"""

import json
from collections.abc import Iterator

import boto3
import pytest
from contract_homes import HOMES, SQLITE
from hypothesis import given, settings
from hypothesis import strategies as st
from moto import mock_aws
from mypy_boto3_dynamodb.client import DynamoDBClient
from store_support import A, created, make_task

from aloma_core.adapters.aws.dynamodb import DynamoTaskStore
from aloma_core.adapters.aws.table import table_definition
from aloma_core.adapters.local.sqlite import SqliteDatabase, SqliteTaskStore
from aloma_core.json_types import JsonObject
from aloma_core.ports import TaskStore


@pytest.fixture(scope="module", params=HOMES)
def shared_tasks(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[TaskStore]:
    if request.param == SQLITE:
        with SqliteDatabase(tmp_path_factory.mktemp("hypothesis") / "aloma.db") as database:
            yield SqliteTaskStore(database)
    else:
        with mock_aws():
            client: DynamoDBClient = boto3.client("dynamodb")
            client.create_table(**table_definition("aloma-data"))
            yield DynamoTaskStore(client, "aloma-data")


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
    max_leaves=20,
)


@settings(max_examples=60, deadline=None)
@given(data=st.dictionaries(st.text(max_size=6), json_values, max_size=5))
def test_task_data_comes_back_byte_for_byte(shared_tasks: TaskStore, data: JsonObject) -> None:
    task = make_task(data=data)
    shared_tasks.create(task, created(task))

    stored = shared_tasks.get(A, task.id)

    assert json.dumps(stored.data) == json.dumps(data)
    assert shared_tasks.history(A, task.id)[0].detail["data"] == data


def test_nesting_deeper_than_a_dynamodb_map_allows(shared_tasks: TaskStore) -> None:
    deep: JsonObject = {"leaf": 1.5}
    for level in range(60):
        deep = {f"l{level}": [deep]}
    task = make_task(data=deep)

    shared_tasks.create(task, created(task))

    assert shared_tasks.get(A, task.id).data == deep
