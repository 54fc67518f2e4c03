"""Sending one message to a workspace's notification target: a webhook URL or a connector.

A webhook URL is reached through the same egress guard as `connectors.fetch` (the workspace's
`egress_allow` lets a private host through); a connector is called as a step would call it, with
the workspace's connector configuration and secrets. Every text leaving here is masked with the
workspace's secret values first, so a secret that slipped into an error message stays home.
"""

import json
from collections.abc import Mapping
from dataclasses import dataclass

from ..connectors.call import Call
from ..connectors.egress import EgressPolicy
from ..json_types import JsonObject, JsonValue
from ..model import ConnectorConfig, WorkspaceSettings
from ..sandbox.redact import Redactor
from ..sandbox.types import ConnectorCall, ConnectorFailed
from .policy import Message

SEND_TIMEOUT_S = 10.0
SLACK_TYPE = "slack"


class DeliveryFailed(Exception):
    """The target refused the message or could not be reached; the text is safe to log."""


@dataclass(frozen=True)
class Destination:
    """Everything one workspace's delivery needs, read once per delivery round."""

    workspace_id: str
    settings: WorkspaceSettings
    secrets: Mapping[str, str]
    connectors: Mapping[str, ConnectorConfig]
    own_machine: bool = False
    """A connector is called as the home's runs call it: on the local home `remote` reaches loopback."""


def masked(message: Message, redact: Redactor) -> Message:
    payload = json.loads(redact(json.dumps(message.payload)))
    return Message(redact(message.subject), redact(message.text), payload)


def send(destination: Destination, message: Message, idempotency_key: str, task_id: str) -> None:
    """Deliver once (the HTTP client itself retries a 429 or 503 within the timeout). `task_id`
    (the first task the message names) is what a connector is told it works for."""
    notify = destination.settings.notify
    assert notify is not None, "only a workspace with settings.notify has notices to send"
    redact = Redactor(destination.secrets.values())
    safe = masked(message, redact)
    try:
        if notify.to.webhook is not None:
            _post(notify.to.webhook, safe, destination, idempotency_key)
        else:
            assert notify.to.connector is not None
            _call(
                safe,
                destination,
                idempotency_key,
                namespace=notify.to.connector,
                method=notify.to.connector_method,
                task_id=task_id,
            )
    except DeliveryFailed as exc:
        raise DeliveryFailed(redact(str(exc))) from None
    except Exception as exc:  # any failure of the target is a failed delivery, never the pipeline's
        raise DeliveryFailed(redact(f"{type(exc).__name__}: {exc}")) from None


def _post(url: str, message: Message, destination: Destination, idempotency_key: str) -> None:
    from ..connectors.http import HttpClient  # noqa: PLC0415 - httpx only where a message goes out

    client = HttpClient(EgressPolicy.of(destination.settings.egress_allow))
    body = json.dumps(message.payload, separators=(",", ":")).encode()
    response = client.request(
        "POST",
        url,
        call=Call.starting_now(idempotency_key, SEND_TIMEOUT_S),
        headers={"Content-Type": "application/json"},
        content=body,
    )
    if not response.ok:
        raise DeliveryFailed(f"the webhook answered {response.failure()}")


def connector_args(type_name: str, message: Message) -> JsonObject:
    """Slack's `send` takes `{text}` and nothing else; any other connector (an email service behind
    `remote`, an in-house one) gets a subject, the text and the structured notification."""
    if type_name == SLACK_TYPE:
        return {"text": message.text}
    notification: JsonValue = message.payload
    return {"subject": message.subject, "text": message.text, "notification": notification}


def _call(
    message: Message,
    destination: Destination,
    idempotency_key: str,
    *,
    namespace: str,
    method: str,
    task_id: str,
) -> None:
    from ..connectors.host import WorkspaceConnectorHost  # noqa: PLC0415 - see _post

    configured = destination.connectors.get(namespace)
    if configured is None:
        raise DeliveryFailed(f"no connector is configured under the namespace {namespace} any more")
    host = WorkspaceConnectorHost(
        {namespace: (configured.type, configured.config)},
        destination.secrets,
        destination.settings.egress_allow,
        destination.workspace_id,
        task_id,
        own_machine=destination.own_machine,
    )
    call = ConnectorCall(
        namespace, method, connector_args(configured.type, message), idempotency_key, SEND_TIMEOUT_S
    )
    try:
        host.call(call)
    except ConnectorFailed as exc:
        raise DeliveryFailed(str(exc)) from None
