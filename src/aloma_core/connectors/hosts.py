"""The `ConnectorHosts` of a home that stores connector configurations: one host per run.

Read when the run starts, so a connector set a moment ago is there; what the host holds is plain
data (configurations, secret values, the allow list), which the local home pickles to the worker
process that runs the step.
"""

from collections.abc import Mapping

from ..model import WorkspaceSettings
from ..ports import ConnectorStore
from .host import WorkspaceConnectorHost


class StoredConnectorHosts:
    """`own_machine`: `remote` connectors may reach loopback without the allow list (local home only)."""

    def __init__(self, store: ConnectorStore, *, own_machine: bool = False) -> None:
        self._store = store
        self._own_machine = own_machine

    def for_run(
        self, workspace_id: str, task_id: str, settings: WorkspaceSettings, secrets: Mapping[str, str]
    ) -> WorkspaceConnectorHost:
        configured = {c.namespace: (c.type, c.config) for c in self._store.list(workspace_id)}
        return WorkspaceConnectorHost(
            configured, secrets, settings.egress_allow, workspace_id, task_id, own_machine=self._own_machine
        )
