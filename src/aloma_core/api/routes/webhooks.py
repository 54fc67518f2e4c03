"""Webhooks: managed with the workspace key; deliveries come in without one, the key in the URL."""

from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response

from ...idempotency import REPLAYED_HEADER
from ...model import SigningScheme
from ..auth import PlatformDep, WorkspaceDep
from ..errors import documented
from ..schemas import HookAccepted, WebhookCreate, WebhookCreated, WebhookList, WebhookOut

router = APIRouter(prefix="/v1/webhooks", tags=["webhooks"], responses=documented(401))
hooks = APIRouter(tags=["webhooks"])


@router.post("", status_code=201, summary="Create a webhook", responses=documented(409, 422))
def create_webhook(body: WebhookCreate, platform: PlatformDep, workspace: WorkspaceDep) -> WebhookCreated:
    signing = body.signing
    webhook, key = platform.create_webhook(
        workspace,
        body.name,
        signing_scheme=None if signing is None else SigningScheme(signing.scheme),
        signing_secret="" if signing is None else signing.secret,
        signature_header=None if signing is None else signing.header,
        keep_headers=body.keep_headers,
        rate_limit_per_minute=body.rate_limit_per_minute,
    )
    return WebhookCreated(id=webhook.id, name=webhook.name, key=key, url=f"/v1/hooks/{key}")


@router.get("", summary="List webhooks (never their keys)")
def list_webhooks(platform: PlatformDep, workspace: WorkspaceDep) -> WebhookList:
    return WebhookList(webhooks=[WebhookOut.of(w) for w in platform.list_webhooks(workspace)])


@router.delete("/{name}", status_code=204, summary="Delete a webhook", responses=documented(404, 422))
def delete_webhook(name: str, platform: PlatformDep, workspace: WorkspaceDep) -> None:
    platform.delete_webhook(workspace, name)


async def _raw_body(request: Request) -> bytes:
    """The bytes as sent: a signature covers exactly these."""
    return await request.body()


@hooks.post(
    "/v1/hooks/{key}",
    status_code=202,
    summary="Deliver to a webhook",
    description="No auth header: the unguessable key is the credential. The body, a JSON object, "
    "becomes the task data with `$via` added (a `$via` in the body is replaced). 202 once the task "
    "is stored. A delivery id (`Idempotency-Key`, GitHub's `X-GitHub-Delivery`, a Stripe event's `id` "
    "on a Stripe-signed webhook) seen before answers with the task it created and the header "
    "`Idempotent-Replayed: true`.",
    responses=documented(401, 404, 413, 422, 429),
    openapi_extra={
        "requestBody": {"required": True, "content": {"application/json": {"schema": {"type": "object"}}}}
    },
)
def deliver_hook(
    key: str,
    request: Request,
    response: Response,
    body: Annotated[bytes, Depends(_raw_body)],
    platform: PlatformDep,
) -> HookAccepted:
    headers = {name: ", ".join(request.headers.getlist(name)) for name in request.headers}
    task, replayed = platform.receive_webhook(key, headers, body)
    if replayed:
        response.headers[REPLAYED_HEADER] = "true"
    return HookAccepted(task_id=task.id)
