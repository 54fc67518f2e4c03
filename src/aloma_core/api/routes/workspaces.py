"""Workspaces: created, listed and re-keyed with the admin token; read, tuned and re-keyed with
their own key."""

from fastapi import APIRouter

from ..auth import AdminOnly, PlatformDep, WorkspaceDep
from ..errors import documented
from ..schemas import (
    SettingsPatch,
    WorkspaceCreate,
    WorkspaceCreated,
    WorkspaceKeyRotated,
    WorkspaceList,
    WorkspaceOut,
    WorkspaceSummary,
)

admin = APIRouter(
    prefix="/v1/workspaces", tags=["workspaces (admin)"], dependencies=[AdminOnly], responses=documented(401)
)


@admin.post("", status_code=201, summary="Create a workspace and its API key", responses=documented(422))
def create_workspace(body: WorkspaceCreate, platform: PlatformDep) -> WorkspaceCreated:
    workspace, key = platform.create_workspace(body.name)
    return WorkspaceCreated(id=workspace.id, name=workspace.name, api_key=key)


@admin.get("", summary="List workspaces")
def list_workspaces(platform: PlatformDep) -> WorkspaceList:
    return WorkspaceList(workspaces=[WorkspaceSummary.of(w) for w in platform.list_workspaces()])


@admin.post(
    "/{workspace_id}/rotate-key",
    summary="Give a workspace a new API key (for a lost or leaked key)",
    responses=documented(404, 422),
)
def rotate_workspace_key(workspace_id: str, platform: PlatformDep) -> WorkspaceKeyRotated:
    workspace, key = platform.rotate_key(workspace_id)
    return WorkspaceKeyRotated(id=workspace.id, name=workspace.name, api_key=key)


own = APIRouter(prefix="/v1/workspace", tags=["workspace"], responses=documented(401))


@own.get("", summary="The caller's workspace and its settings")
def get_workspace(workspace: WorkspaceDep) -> WorkspaceOut:
    return WorkspaceOut.of(workspace)


@own.patch("", summary="Change some settings", responses=documented(422))
def patch_workspace(body: SettingsPatch, platform: PlatformDep, workspace: WorkspaceDep) -> WorkspaceOut:
    return WorkspaceOut.of(platform.update_settings(workspace, body.settings))


@own.post("/rotate-key", summary="Replace the caller's API key with a new one")
def rotate_own_key(platform: PlatformDep, workspace: WorkspaceDep) -> WorkspaceKeyRotated:
    rotated, key = platform.rotate_key(workspace.id)
    return WorkspaceKeyRotated(id=rotated.id, name=rotated.name, api_key=key)
