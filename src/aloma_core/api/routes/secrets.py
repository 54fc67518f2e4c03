"""Workspace secrets: written and deleted by name, listed by name; a value never leaves."""

from fastapi import APIRouter

from ..auth import PlatformDep, WorkspaceDep
from ..errors import documented
from ..schemas import SecretNames, SecretPut

router = APIRouter(prefix="/v1/secrets", tags=["secrets"], responses=documented(401))


@router.put("/{name}", status_code=204, summary="Set a secret", responses=documented(422))
def put_secret(name: str, body: SecretPut, platform: PlatformDep, workspace: WorkspaceDep) -> None:
    platform.put_secret(workspace, name, body.value)


@router.get("", summary="List secret names")
def list_secrets(platform: PlatformDep, workspace: WorkspaceDep) -> SecretNames:
    return SecretNames(secrets=platform.secret_names(workspace))


@router.delete("/{name}", status_code=204, summary="Delete a secret", responses=documented(404, 422))
def delete_secret(name: str, platform: PlatformDep, workspace: WorkspaceDep) -> None:
    platform.delete_secret(workspace, name)
