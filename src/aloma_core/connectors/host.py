"""`WorkspaceConnectorHost`: the ConnectorHost of one run, serving a workspace's configured connectors.

It is built in the process that claims the run and pickled to the worker that executes it, so it
holds plain data only; instances are created there, on a namespace's first call.
"""

from collections.abc import Mapping, Sequence
from typing import Any

from pydantic import ValidationError

from ..json_types import JsonObject, JsonValue
from ..sandbox.redact import Redactor
from ..sandbox.types import ConnectorCall, ConnectorFailed
from .base import Connector, ConnectorContext, validation_message
from .call import Call
from .errors import ConnectorError, UnknownMethod
from .limits import DEFAULT_LIMITS, HttpLimits
from .registry import BUILT_IN_NAMESPACE, connector_type
from .stored import resolve


class WorkspaceConnectorHost:
    """`connectors` is {namespace: (type name, stored config)}; `fetch` is added when absent."""

    def __init__(
        self,
        connectors: Mapping[str, tuple[str, JsonObject]],
        secrets: Mapping[str, str],
        egress_allow: Sequence[str],
        workspace_id: str,
        task_id: str,
        http_limits: HttpLimits = DEFAULT_LIMITS,
        *,
        own_machine: bool = False,
    ) -> None:
        self._configured = {BUILT_IN_NAMESPACE: ("fetch", {}), **connectors}
        self._secrets = dict(secrets)
        self._redact = Redactor(self._secrets.values())
        self._context = ConnectorContext(
            workspace_id, task_id, tuple(egress_allow), http_limits, own_machine=own_machine
        )
        self._instances: dict[str, Connector[Any]] = {}

    def __getstate__(self) -> dict[str, Any]:
        """Instances stay behind: the receiving process builds its own on first use."""
        return {**self.__dict__, "_instances": {}}

    def call(self, call: ConnectorCall) -> JsonValue:
        label = f"connectors.{call.namespace}" + (f".{call.method}" if call.method else "")
        budget = Call.starting_now(call.idempotency_key, call.timeout_s)  # before a first import eats into it
        try:
            return self._instance(call.namespace).call_method(call.method, call.args, budget)
        except ConnectorFailed as exc:
            raise ConnectorFailed(self._redact(str(exc))) from None
        except UnknownMethod as exc:
            raise ConnectorFailed(self._unknown_method(call.namespace, exc)) from None
        except ConnectorError as exc:
            raise ConnectorFailed(self._redact(f"{label}: {exc}")) from None
        except Exception as exc:  # a connector's bug must still reach the step as a plain message
            raise ConnectorFailed(self._redact(f"{label} failed: {type(exc).__name__}: {exc}")) from None

    def _instance(self, namespace: str) -> Connector[Any]:
        found = self._instances.get(namespace)
        if found is not None:
            return found
        if namespace not in self._configured:
            configured = ", ".join(sorted(self._configured))
            raise ConnectorFailed(
                f"no connector is configured under the namespace {namespace}; configured: {configured}"
            )
        type_name, stored = self._configured[namespace]
        connector = connector_type(type_name)
        try:
            config = connector.config_model.model_validate(resolve(connector, stored, self._secrets))
        except ValidationError as exc:
            raise ConnectorError(f"its configuration is invalid: {validation_message(exc)}") from None
        # Two threads may build one at the same time; either instance serves, one is kept.
        return self._instances.setdefault(namespace, connector(config, self._context))

    def _unknown_method(self, namespace: str, exc: UnknownMethod) -> str:
        type_name = self._configured[namespace][0]
        known = ", ".join(sorted(exc.known)) or "none"
        connector = f"connector {namespace} (type {type_name})"
        if not exc.method:
            return f"{connector} cannot be called as connectors.{namespace}(...); it has: {known}"
        return f"{connector} has no method {exc.method}; it has: {known}"
