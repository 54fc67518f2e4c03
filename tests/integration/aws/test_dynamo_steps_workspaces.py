"""What only the DynamoDB step store does, on moto: the key and item limits of DynamoDB. The
`StepStore` and `WorkspaceStore` contracts it shares with the SQLite stores run against both
homes in `contract/`."""

from dataclasses import replace

import pytest
from mypy_boto3_dynamodb.client import DynamoDBClient
from store_support import A, make_step, share_botocore_loader, table_name

from aloma_core.adapters.aws.dynamodb import DynamoStepStore
from aloma_core.errors import InvalidInput, NotFound, TooLarge


@pytest.fixture(autouse=True)
def _one_botocore_loader(monkeypatch: pytest.MonkeyPatch) -> None:
    share_botocore_loader(monkeypatch)


@pytest.fixture
def steps(dynamodb: DynamoDBClient) -> DynamoStepStore:
    return DynamoStepStore(dynamodb, table_name(dynamodb))


def test_a_name_longer_than_a_sort_key_is_never_found(steps: DynamoStepStore) -> None:
    name = "n" * 2000

    with pytest.raises(NotFound):
        steps.get(A, name)
    with pytest.raises(NotFound):
        steps.delete(A, name)
    assert not steps.put(make_step(A, name, 2), 1)
    with pytest.raises(InvalidInput, match="step name"):
        steps.put(make_step(A, name), None)


def test_a_step_too_large_for_an_item_is_refused(steps: DynamoStepStore) -> None:
    huge = replace(make_step(A, "big"), source="//" + "x" * 400_000)

    with pytest.raises(TooLarge):
        steps.put(huge, None)

    assert steps.list(A) == []
    assert steps.revision(A) == 0
