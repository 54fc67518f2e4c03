"""`StoredConnectorHosts`: each run's host is built from the workspace's configurations as they are
when the run starts, with the run's secrets and the workspace's egress_allow."""

import pickle

import pytest

from aloma_core.connectors.hosts import StoredConnectorHosts
from aloma_core.errors import NotFound
from aloma_core.json_types import JsonValue
from aloma_core.model import ConnectorConfig, WorkspaceSettings
from aloma_core.sandbox.types import ConnectorCall, ConnectorFailed, ConnectorHost


class MemoryConnectorStore:
    def __init__(self) -> None:
        self.stored: dict[tuple[str, str], ConnectorConfig] = {}

    def put(self, connector: ConnectorConfig) -> None:
        self.stored[connector.workspace_id, connector.namespace] = connector

    def get(self, workspace_id: str, namespace: str) -> ConnectorConfig:
        try:
            return self.stored[workspace_id, namespace]
        except KeyError:
            raise NotFound(namespace) from None

    def list(self, workspace_id: str) -> list[ConnectorConfig]:
        return [c for (ws, _), c in sorted(self.stored.items()) if ws == workspace_id]

    def delete(self, workspace_id: str, namespace: str) -> None:
        self.get(workspace_id, namespace)
        del self.stored[workspace_id, namespace]


def failure(host: ConnectorHost, namespace: str, method: str, args: JsonValue = None) -> str:
    with pytest.raises(ConnectorFailed) as raised:
        host.call(ConnectorCall(namespace, method, args, "key", 5.0))
    return str(raised.value)


def test_a_runs_host_has_the_workspaces_namespaces_as_configured_when_it_starts() -> None:
    store = MemoryConnectorStore()
    store.put(ConnectorConfig("ws-a", "crm", "remote", {"url": "https://crm.example"}, 1))
    store.put(ConnectorConfig("ws-b", "billing", "remote", {"url": "https://billing.example"}, 1))
    hosts = StoredConnectorHosts(store)

    before = hosts.for_run("ws-a", "t1", WorkspaceSettings(), {})
    store.put(ConnectorConfig("ws-a", "slack", "slack", {"webhook_url": {"secret": "HOOK"}}, 2))
    after = hosts.for_run("ws-a", "t2", WorkspaceSettings(), {})

    assert failure(before, "nope", "x").endswith("configured: crm, fetch")
    assert failure(after, "nope", "x").endswith("configured: crm, fetch, slack")


def test_the_host_guards_with_the_workspaces_egress_allow_and_crosses_processes() -> None:
    hosts = StoredConnectorHosts(MemoryConnectorStore())
    allowed = WorkspaceSettings(egress_allow=("127.0.0.1",))

    refused = hosts.for_run("ws-a", "t1", WorkspaceSettings(), {})
    unpickled = pickle.loads(pickle.dumps(hosts.for_run("ws-a", "t1", allowed, {"TOKEN": "v"})))

    assert "egress guard" in failure(refused, "fetch", "", {"url": "http://127.0.0.1:9/x"})
    assert "egress guard" not in failure(unpickled, "fetch", "", {"url": "http://127.0.0.1:9/x"})


@pytest.mark.parametrize(("own_machine", "refused"), [(False, True), (True, False)])
def test_only_a_local_homes_hosts_let_remote_reach_loopback_also_across_processes(
    own_machine: bool, refused: bool
) -> None:
    """The AWS home builds its hosts without `own_machine`: loopback is the Lambda runtime API there."""
    store = MemoryConnectorStore()
    store.put(ConnectorConfig("ws-a", "svc", "remote", {"url": "http://127.0.0.1:9"}, 1))
    host = StoredConnectorHosts(store, own_machine=own_machine).for_run("ws-a", "t1", WorkspaceSettings(), {})

    message = failure(pickle.loads(pickle.dumps(host)), "svc", "ping", {})

    assert ("127.0.0.1 is a loopback address" in message) is refused
    assert ("egress guard" in message) is refused
