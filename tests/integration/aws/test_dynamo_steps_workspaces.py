"""The DynamoDB step and workspace stores on moto: the contract the SQLite stores are held to."""

from dataclasses import replace

import pytest
from aws_support import A, B, make_step, run_threads
from conftest import TABLE
from mypy_boto3_dynamodb.client import DynamoDBClient

from aloma_core.adapters.aws.dynamodb import DynamoStepStore, DynamoWorkspaceStore
from aloma_core.errors import ConflictingState, InvalidInput, NotFound, TooLarge
from aloma_core.model import Workspace, WorkspaceSettings


@pytest.fixture
def steps(dynamodb: DynamoDBClient) -> DynamoStepStore:
    return DynamoStepStore(dynamodb, TABLE)


@pytest.fixture
def workspaces(dynamodb: DynamoDBClient) -> DynamoWorkspaceStore:
    return DynamoWorkspaceStore(dynamodb, TABLE)


# Steps


def test_put_creates_only_when_absent(steps: DynamoStepStore) -> None:
    step = make_step(A, "mail")

    assert steps.put(step, None)
    assert not steps.put(make_step(A, "mail", 9), None)

    assert steps.get(A, "mail") == replace(step, created_seq=1)


def test_put_replaces_only_the_expected_version_and_keeps_creation_order(steps: DynamoStepStore) -> None:
    steps.put(make_step(A, "mail"), None)
    steps.put(make_step(A, "charge"), None)

    assert steps.put(make_step(A, "mail", 2), 1)
    assert not steps.put(make_step(A, "mail", 3), 1)
    assert not steps.put(make_step(A, "absent", 2), 1)

    assert [(step.name, step.version, step.created_seq) for step in steps.list(A)] == [
        ("mail", 2, 1),
        ("charge", 1, 2),
    ]
    with pytest.raises(NotFound):
        steps.get(A, "absent")


def test_steps_list_in_creation_order_not_name_order(steps: DynamoStepStore) -> None:
    for name in ["zeta", "alpha", "mid"]:
        steps.put(make_step(A, name), None)
    steps.delete(A, "zeta")
    steps.put(make_step(A, "zeta"), None)

    assert [step.name for step in steps.list(A)] == ["alpha", "mid", "zeta"]
    assert [step.created_seq for step in steps.list(A)] == [2, 3, 4]


def test_delete_removes_or_is_not_found(steps: DynamoStepStore) -> None:
    steps.put(make_step(A, "mail"), None)

    steps.delete(A, "mail")

    with pytest.raises(NotFound):
        steps.get(A, "mail")
    with pytest.raises(NotFound):
        steps.delete(A, "mail")


def test_revision_moves_on_every_change_only(steps: DynamoStepStore) -> None:
    assert steps.revision(A) == 0
    steps.put(make_step(A, "mail"), None)
    after_create = steps.revision(A)
    steps.put(make_step(A, "mail", 2), 1)
    after_replace = steps.revision(A)
    steps.put(make_step(A, "mail", 3), 1)
    steps.put(make_step(A, "mail", 9), None)
    with pytest.raises(NotFound):
        steps.delete(A, "absent")
    after_refusals = steps.revision(A)
    steps.delete(A, "mail")

    assert len({0, after_create, after_replace, steps.revision(A)}) == 4
    assert after_refusals == after_replace


def test_steps_are_isolated_by_workspace(steps: DynamoStepStore) -> None:
    steps.put(make_step(A, "mail"), None)

    assert steps.list(B) == []
    assert steps.revision(B) == 0
    with pytest.raises(NotFound):
        steps.get(B, "mail")
    with pytest.raises(NotFound):
        steps.delete(B, "mail")
    assert not steps.put(make_step(B, "mail", 2), 1)

    assert steps.put(make_step(B, "mail"), None)
    steps.delete(B, "mail")
    assert [step.name for step in steps.list(A)] == ["mail"]
    assert steps.get(A, "mail").created_seq == 1


def test_concurrent_creations_get_distinct_creation_numbers(steps: DynamoStepStore) -> None:
    """Each new step takes the next counter value under contention; every change counts once."""

    def create_four(worker: int) -> None:
        for i in range(4):
            assert steps.put(make_step(A, f"s{worker}-{i}"), None)

    run_threads(6, create_four)

    stored = steps.list(A)
    assert sorted(step.created_seq for step in stored) == list(range(1, 25))
    assert steps.revision(A) == 24


def test_concurrent_replacements_of_one_step_let_exactly_one_win(steps: DynamoStepStore) -> None:
    steps.put(make_step(A, "mail"), None)
    wins: list[int] = []

    def replace_it(worker: int) -> None:
        if steps.put(replace(make_step(A, "mail", 2), content=str(worker)), 1):
            wins.append(worker)

    run_threads(6, replace_it)

    assert len(wins) == 1
    assert steps.get(A, "mail").content == str(wins[0])
    assert steps.revision(A) == 2


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


# Workspaces


def test_workspaces_are_created_found_by_key_and_listed(workspaces: DynamoWorkspaceStore) -> None:
    first = Workspace(A, "Acme", WorkspaceSettings(), 10)
    second = Workspace(B, "Beta", WorkspaceSettings(execution="sequential"), 20)
    workspaces.create(second, "hash-b")
    workspaces.create(first, "hash-a")

    assert workspaces.get(A) == first
    assert workspaces.by_key_hash("hash-b") == second
    assert workspaces.by_key_hash("hash-unknown") is None
    assert workspaces.by_key_hash("h" * 3000) is None
    assert workspaces.list() == [first, second]


def test_workspace_ids_and_keys_are_unique(workspaces: DynamoWorkspaceStore) -> None:
    workspaces.create(Workspace(A, "Acme", WorkspaceSettings(), 10), "hash-a")

    with pytest.raises(ConflictingState):
        workspaces.create(Workspace(B, "Beta", WorkspaceSettings(), 20), "hash-a")
    with pytest.raises(ConflictingState):
        workspaces.create(Workspace(A, "Again", WorkspaceSettings(), 30), "hash-other")

    assert [workspace.name for workspace in workspaces.list()] == ["Acme"]
    assert workspaces.by_key_hash("hash-other") is None
    with pytest.raises(NotFound):
        workspaces.get(B)


def test_save_settings_changes_only_settings(workspaces: DynamoWorkspaceStore) -> None:
    workspaces.create(Workspace(A, "Acme", WorkspaceSettings(), 10), "hash-a")
    workspaces.create(Workspace(B, "Beta", WorkspaceSettings(), 20), "hash-b")
    wanted = WorkspaceSettings(execution="sequential", max_runs_per_task=7, egress_allow=("api.example",))

    returned = workspaces.save_settings(A, wanted)

    assert returned == Workspace(A, "Acme", wanted, 10)
    assert workspaces.get(A) == returned
    assert workspaces.by_key_hash("hash-a") == returned
    assert workspaces.list() == [returned, Workspace(B, "Beta", WorkspaceSettings(), 20)]
    assert workspaces.get(B).settings == WorkspaceSettings()


def test_unknown_workspace_is_not_found(workspaces: DynamoWorkspaceStore) -> None:
    with pytest.raises(NotFound):
        workspaces.get("ws_unknown")
    with pytest.raises(NotFound):
        workspaces.save_settings("ws_unknown", WorkspaceSettings())
    assert workspaces.list() == []
