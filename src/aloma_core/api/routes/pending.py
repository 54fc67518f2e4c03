"""Connectors and webhooks: part of the contract and of the OpenAPI document already, so clients
can be written against them, but answered 501 until their implementation lands."""

from typing import NoReturn

from fastapi import APIRouter, HTTPException

from ..auth import WorkspaceDep
from ..errors import documented
from ..schemas import (
    ConnectorList,
    ConnectorOut,
    ConnectorPut,
    HookAccepted,
    JsonObjectIn,
    WebhookCreate,
    WebhookCreated,
)

connectors = APIRouter(prefix="/v1/connectors", tags=["connectors"], responses=documented(401, 501))
webhooks = APIRouter(tags=["webhooks"], responses=documented(501))


def _not_yet(what: str) -> NoReturn:
    raise HTTPException(501, f"{what} are not implemented yet")


@connectors.put("/{namespace}", summary="Configure a connector", responses=documented(422))
def put_connector(namespace: str, body: ConnectorPut, workspace: WorkspaceDep) -> ConnectorOut:
    _not_yet("connectors")


@connectors.get("", summary="List connectors")
def list_connectors(workspace: WorkspaceDep) -> ConnectorList:
    _not_yet("connectors")


@connectors.delete(
    "/{namespace}", status_code=204, summary="Remove a connector", responses=documented(404, 422)
)
def delete_connector(namespace: str, workspace: WorkspaceDep) -> None:
    _not_yet("connectors")


@webhooks.post("/v1/webhooks", status_code=201, summary="Create a webhook", responses=documented(401, 422))
def create_webhook(body: WebhookCreate, workspace: WorkspaceDep) -> WebhookCreated:
    _not_yet("webhooks")


@webhooks.post(
    "/v1/hooks/{key}",
    status_code=202,
    summary="Deliver to a webhook",
    description="No auth header: the unguessable key is the credential. The body becomes the task data.",
    responses=documented(404, 413, 422),
)
def deliver_hook(key: str, body: JsonObjectIn) -> HookAccepted:
    _not_yet("webhooks")
