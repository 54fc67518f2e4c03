"""Task data through DynamoDB comes back byte for byte: it is JSON text, never a DynamoDB map
(maps have no floats, cap nesting at 32 levels and would bring Decimals back)."""

import json
from collections.abc import Iterator

import pytest
from aws_support import A, created, make_task
from conftest import TABLE, create_table
from hypothesis import given, settings
from hypothesis import strategies as st
from moto import mock_aws

from aloma_core.adapters.aws.dynamodb import DynamoTaskStore
from aloma_core.json_types import JsonObject


@pytest.fixture(scope="module")
def shared_tasks() -> Iterator[DynamoTaskStore]:
    """One table for every generated example (hypothesis reruns a test body, not its fixtures)."""
    with mock_aws():
        yield DynamoTaskStore(create_table(), TABLE)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
    max_leaves=20,
)


@settings(max_examples=60, deadline=None)
@given(data=st.dictionaries(st.text(max_size=6), json_values, max_size=5))
def test_task_data_comes_back_byte_for_byte(shared_tasks: DynamoTaskStore, data: JsonObject) -> None:
    task = make_task(data=data)
    shared_tasks.create(task, created(task))

    stored = shared_tasks.get(A, task.id)

    assert json.dumps(stored.data) == json.dumps(data)
    assert shared_tasks.history(A, task.id)[0].detail["data"] == data


def test_nesting_deeper_than_a_dynamodb_map_allows(shared_tasks: DynamoTaskStore) -> None:
    deep: JsonObject = {"leaf": 1.5}
    for level in range(60):
        deep = {f"l{level}": [deep]}
    task = make_task(data=deep)

    shared_tasks.create(task, created(task))

    assert shared_tasks.get(A, task.id).data == deep
