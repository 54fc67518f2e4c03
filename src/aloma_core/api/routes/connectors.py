"""Connectors: what `connectors.NS.METHOD()` reaches in the workspace's steps. Secrets never leave."""

from fastapi import APIRouter

from ..auth import PlatformDep, WorkspaceDep
from ..errors import documented
from ..schemas import ConnectorList, ConnectorOut, ConnectorPut

router = APIRouter(prefix="/v1/connectors", tags=["connectors"], responses=documented(401))


@router.put("/{namespace}", summary="Configure a connector", responses=documented(422))
def put_connector(
    namespace: str, body: ConnectorPut, platform: PlatformDep, workspace: WorkspaceDep
) -> ConnectorOut:
    return ConnectorOut.of(platform.put_connector(workspace, namespace, body.type, body.config))


@router.get("", summary="List connectors")
def list_connectors(platform: PlatformDep, workspace: WorkspaceDep) -> ConnectorList:
    return ConnectorList(connectors=[ConnectorOut.of(c) for c in platform.list_connectors(workspace)])


@router.get("/{namespace}", summary="Show a connector", responses=documented(404, 422))
def get_connector(namespace: str, platform: PlatformDep, workspace: WorkspaceDep) -> ConnectorOut:
    return ConnectorOut.of(platform.get_connector(workspace, namespace))


@router.delete(
    "/{namespace}",
    status_code=204,
    summary="Remove a connector",
    description="The secrets a PUT stored for it (`connector.NS.FIELD`) are removed with it.",
    responses=documented(404, 422),
)
def delete_connector(namespace: str, platform: PlatformDep, workspace: WorkspaceDep) -> None:
    platform.delete_connector(workspace, namespace)
