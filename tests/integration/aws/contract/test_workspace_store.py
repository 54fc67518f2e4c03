"""The `WorkspaceStore` contract, run against both homes (see `contract_homes.py`)."""

import pytest
from contract_homes import HOMES, workspace_store
from store_support import A, B

from aloma_core.errors import ConflictingState, NotFound
from aloma_core.model import Workspace, WorkspaceSettings
from aloma_core.ports import WorkspaceStore


@pytest.fixture(params=HOMES)
def home(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def workspaces(home: str, request: pytest.FixtureRequest) -> WorkspaceStore:
    return workspace_store(home, request)


def test_workspaces_are_created_found_by_key_and_listed(workspaces: WorkspaceStore) -> None:
    first = Workspace(A, "Acme", WorkspaceSettings(), 10)
    second = Workspace(B, "Beta", WorkspaceSettings(execution="sequential"), 20)
    workspaces.create(second, "hash-b")
    workspaces.create(first, "hash-a")

    assert workspaces.get(A) == first
    assert workspaces.by_key_hash("hash-b") == second
    assert workspaces.by_key_hash("hash-unknown") is None
    assert workspaces.by_key_hash("h" * 3000) is None
    assert workspaces.list() == [first, second]


def test_workspace_ids_and_keys_are_unique(workspaces: WorkspaceStore) -> None:
    """A refused create leaves nothing behind: neither its workspace nor its key."""
    workspaces.create(Workspace(A, "Acme", WorkspaceSettings(), 10), "hash-a")

    with pytest.raises(ConflictingState):
        workspaces.create(Workspace(B, "Beta", WorkspaceSettings(), 20), "hash-a")
    with pytest.raises(ConflictingState):
        workspaces.create(Workspace(A, "Again", WorkspaceSettings(), 30), "hash-other")

    assert [workspace.name for workspace in workspaces.list()] == ["Acme"]
    assert workspaces.by_key_hash("hash-other") is None
    with pytest.raises(NotFound):
        workspaces.get(B)


def test_save_settings_changes_only_settings(workspaces: WorkspaceStore) -> None:
    workspaces.create(Workspace(A, "Acme", WorkspaceSettings(), 10), "hash-a")
    workspaces.create(Workspace(B, "Beta", WorkspaceSettings(), 20), "hash-b")
    wanted = WorkspaceSettings(execution="sequential", max_runs_per_task=7, egress_allow=("api.example",))

    returned = workspaces.save_settings(A, wanted)

    assert returned == Workspace(A, "Acme", wanted, 10)
    assert workspaces.get(A) == returned
    assert workspaces.by_key_hash("hash-a") == returned
    assert workspaces.list() == [returned, Workspace(B, "Beta", WorkspaceSettings(), 20)]
    assert workspaces.get(B).settings == WorkspaceSettings()


def test_unknown_workspace_is_not_found(workspaces: WorkspaceStore) -> None:
    with pytest.raises(NotFound):
        workspaces.get("ws_unknown")
    with pytest.raises(NotFound):
        workspaces.save_settings("ws_unknown", WorkspaceSettings())
    assert workspaces.list() == []


def test_replace_key_makes_the_new_hash_the_only_one(workspaces: WorkspaceStore) -> None:
    workspaces.create(Workspace(A, "Acme", WorkspaceSettings(), 10), "hash-a")
    workspaces.create(Workspace(B, "Beta", WorkspaceSettings(), 20), "hash-b")

    workspaces.replace_key(A, "hash-a2")

    assert workspaces.by_key_hash("hash-a") is None
    assert workspaces.by_key_hash("hash-a2") == workspaces.get(A)
    assert workspaces.by_key_hash("hash-b") == workspaces.get(B)
    workspaces.replace_key(A, "hash-a3")
    assert workspaces.by_key_hash("hash-a2") is None
    assert workspaces.by_key_hash("hash-a3") == workspaces.get(A)


def test_settings_saved_after_a_rotation_keep_the_new_key(workspaces: WorkspaceStore) -> None:
    workspaces.create(Workspace(A, "Acme", WorkspaceSettings(), 10), "hash-a")
    workspaces.replace_key(A, "hash-a2")
    workspaces.save_settings(A, WorkspaceSettings(execution="sequential"))

    workspaces.replace_key(A, "hash-a3")

    assert workspaces.by_key_hash("hash-a2") is None
    assert workspaces.by_key_hash("hash-a3") == Workspace(
        A, "Acme", WorkspaceSettings(execution="sequential"), 10
    )


def test_replace_key_refuses_a_hash_in_use_and_changes_nothing(workspaces: WorkspaceStore) -> None:
    workspaces.create(Workspace(A, "Acme", WorkspaceSettings(), 10), "hash-a")
    workspaces.create(Workspace(B, "Beta", WorkspaceSettings(), 20), "hash-b")

    with pytest.raises(ConflictingState):
        workspaces.replace_key(A, "hash-b")

    assert workspaces.by_key_hash("hash-a") == workspaces.get(A)
    assert workspaces.by_key_hash("hash-b") == workspaces.get(B)


def test_replace_key_of_an_unknown_workspace_is_not_found(workspaces: WorkspaceStore) -> None:
    workspaces.create(Workspace(A, "Acme", WorkspaceSettings(), 10), "hash-a")
    with pytest.raises(NotFound):
        workspaces.replace_key("ws_unknown", "hash-new")
    assert workspaces.by_key_hash("hash-new") is None
    assert workspaces.by_key_hash("hash-a") == workspaces.get(A)
