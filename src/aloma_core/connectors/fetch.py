"""`connectors.fetch({url, options, bodyOnly})`: outbound HTTP to any public address (api.md)."""

from pydantic import BaseModel, ConfigDict

from ..json_types import JsonValue
from .base import Connector, ConnectorContext, connector_method, parse_args
from .call import Call
from .webcall import WebCall, perform


class FetchConfig(BaseModel):
    """Nothing to configure: the workspace's `egress_allow` is what widens its reach."""

    model_config = ConfigDict(extra="forbid")


class FetchConnector(Connector[FetchConfig]):
    config_model = FetchConfig
    default_method = "request"

    def __init__(self, config: FetchConfig, context: ConnectorContext) -> None:
        super().__init__(config, context)
        self._http = context.http()

    @connector_method
    def request(self, args: JsonValue, call: Call) -> JsonValue:
        """`connectors.fetch(args)` itself; also reachable as `connectors.fetch.request(args)`."""
        request = parse_args(WebCall, args)
        method, url = request.method_and_target()
        return perform(self._http, request, method, url, call)
