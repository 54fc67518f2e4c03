"""Checks of `settings.notify` that need more than its own shape: the workspace's connectors and
its egress guard. Run on PATCH, so a target that could never be reached is refused up front."""

from urllib.parse import urlsplit

from ..connectors.base import Connector
from ..connectors.egress import EgressPolicy, parse_address
from ..connectors.registry import ConnectorTypeError, connector_type
from ..errors import InvalidInput, NotFound
from ..model import WorkspaceSettings
from ..ports import ConnectorStore


def check_notify(workspace_id: str, settings: WorkspaceSettings, connectors: ConnectorStore) -> None:
    notify = settings.notify
    if notify is None:
        return
    if notify.to.webhook is not None:
        _check_webhook(notify.to.webhook, settings)
    if notify.to.connector is not None:
        _check_connector(workspace_id, notify.to.connector, notify.to.connector_method, connectors)


def _check_webhook(url: str, settings: WorkspaceSettings) -> None:
    """What the guard can tell without DNS: an address (or `localhost`) it would refuse. A host
    name is resolved and checked again on every delivery, as `fetch` does."""
    host = urlsplit(url).hostname or ""
    literal = parse_address(host)
    if literal is None and _is_localhost(host):
        literal = parse_address("127.0.0.1")
    if literal is None:
        return
    refusal = EgressPolicy.of(settings.egress_allow).refusal(host, literal)
    if refusal is not None:
        raise InvalidInput(f"settings.notify.to.webhook: refused by the egress guard: {host} is {refusal}")


def _check_connector(workspace_id: str, namespace: str, method: str, connectors: ConnectorStore) -> None:
    where = "settings.notify.to.connector"
    try:
        configured = connectors.get(workspace_id, namespace)
    except NotFound:
        raise InvalidInput(f"{where}: no connector is configured under the namespace {namespace}") from None
    try:
        kind = connector_type(configured.type)
    except ConnectorTypeError as exc:
        raise InvalidInput(f"{where}: {exc}") from None
    any_method = kind.call_method is not Connector.call_method
    if method not in kind.methods and not any_method:
        known = ", ".join(sorted(kind.methods)) or "none"
        raise InvalidInput(
            f"settings.notify.to.method: connector {namespace} (type {configured.type}) cannot {method}; "
            f"it has: {known}"
        )


def _is_localhost(host: str) -> bool:
    """`localhost` and its subdomains, which resolvers answer with a loopback address (RFC 6761)."""
    name = host.lower().rstrip(".")
    return name == "localhost" or name.endswith(".localhost")
