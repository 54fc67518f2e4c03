"""Calls as steps make them, on a run's connector host; the fake services are in tests/fake_service.py."""

from aloma_core.connectors import WorkspaceConnectorHost
from aloma_core.json_types import JsonObject, JsonValue
from aloma_core.sandbox.types import ConnectorCall, ConnectorFailed

KEY = "idem-key-1"


def make_host(
    connectors: dict[str, tuple[str, JsonObject]] | None = None,
    secrets: dict[str, str] | None = None,
    allow: tuple[str, ...] = ("127.0.0.1",),
    *,
    own_machine: bool = False,
) -> WorkspaceConnectorHost:
    """A run's host; the fake services live on 127.0.0.1, so that is allow-listed unless a test says not.

    `own_machine` is the local home's host, whose `remote` connectors reach loopback without the list.
    """
    return WorkspaceConnectorHost(
        connectors or {}, secrets or {}, allow, "ws-1", "task-1", own_machine=own_machine
    )


def failure(
    host: WorkspaceConnectorHost, namespace: str, method: str, args: JsonValue, timeout_s: float = 5.0
) -> str:
    """The message a step would see in its rejected promise."""
    try:
        call(host, namespace, method, args, timeout_s)
    except ConnectorFailed as exc:
        return str(exc)
    raise AssertionError(f"connectors.{namespace}.{method} did not fail")


def call(
    host: WorkspaceConnectorHost, namespace: str, method: str, args: JsonValue, timeout_s: float = 5.0
) -> JsonValue:
    return host.call(ConnectorCall(namespace, method, args, KEY, timeout_s))
