"""What only the DynamoDB step store does, on moto: the key and item limits of DynamoDB. The
`StepStore` and `WorkspaceStore` contracts it shares with the SQLite stores run against both
homes in `contract/`."""

from dataclasses import replace

import pytest
from mypy_boto3_dynamodb.client import DynamoDBClient
from store_support import A, make_step, share_botocore_loader, table_name

from aloma_core.adapters.aws.dynamodb import DynamoStepStore, DynamoWorkspaceStore
from aloma_core.adapters.aws.table import KEY_SK, WORKSPACE_SK, key_pk, workspace_pk
from aloma_core.errors import ConflictingState, InvalidInput, NotFound, TooLarge
from aloma_core.model import Workspace, WorkspaceSettings


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


def test_a_workspace_written_before_key_hash_was_kept_can_still_be_rotated(dynamodb: DynamoDBClient) -> None:
    """Its key item is found by a scan, and deleted in the rotation's transaction."""
    table = table_name(dynamodb)
    workspaces = DynamoWorkspaceStore(dynamodb, table)
    workspaces.create(Workspace(A, "Acme", WorkspaceSettings(), 10), "hash-a")
    dynamodb.update_item(
        TableName=table,
        Key={"pk": {"S": workspace_pk(A)}, "sk": {"S": WORKSPACE_SK}},
        UpdateExpression="REMOVE key_hash",
    )

    workspaces.replace_key(A, "hash-a2")

    assert workspaces.by_key_hash("hash-a") is None
    assert workspaces.by_key_hash("hash-a2") == workspaces.get(A)
    assert (
        dynamodb.get_item(TableName=table, Key={"pk": {"S": key_pk("hash-a")}, "sk": {"S": KEY_SK}}).get(
            "Item"
        )
        is None
    )


def test_a_rotation_that_lost_a_race_changes_nothing(
    dynamodb: DynamoDBClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another rotation committed between the read and the transaction: the stale one is refused,
    and only the winner's key works."""
    table = table_name(dynamodb)
    workspaces = DynamoWorkspaceStore(dynamodb, table)
    workspaces.create(Workspace(A, "Acme", WorkspaceSettings(), 10), "hash-a")
    stale = dynamodb.get_item(TableName=table, Key={"pk": {"S": workspace_pk(A)}, "sk": {"S": WORKSPACE_SK}})
    workspaces.replace_key(A, "hash-winner")
    monkeypatch.setattr(workspaces, "_read", lambda pk, sk: stale["Item"])

    with pytest.raises(ConflictingState):
        workspaces.replace_key(A, "hash-loser")

    monkeypatch.undo()
    assert workspaces.by_key_hash("hash-loser") is None
    assert workspaces.by_key_hash("hash-winner") == workspaces.get(A)
