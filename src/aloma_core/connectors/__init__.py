"""Connectors: what `connectors.NS.METHOD(args)` in a step reaches.

A package adds a type by subclassing `Connector` and registering it under the entry-point group
`aloma.connectors` (see base.py for the contract). Built in: fetch, remote, slack, http.
"""

from .base import Connector, ConnectorContext, connector_method, parse_args
from .call import Call
from .errors import ConnectorError
from .host import WorkspaceConnectorHost
from .http import HttpClient, HttpLimits, HttpResponse

__all__ = [
    "Call",
    "Connector",
    "ConnectorContext",
    "ConnectorError",
    "HttpClient",
    "HttpLimits",
    "HttpResponse",
    "WorkspaceConnectorHost",
    "connector_method",
    "parse_args",
]
