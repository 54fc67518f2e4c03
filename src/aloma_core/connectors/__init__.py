"""Connectors: what `connectors.NS.METHOD(args)` in a step reaches.

A package adds a type by subclassing `Connector` and registering it under the entry-point group
`aloma.connectors` (see base.py for the contract). Built in: fetch, remote, slack, http.
"""

from typing import TYPE_CHECKING, Any

from .base import Connector, ConnectorContext, connector_method, parse_args
from .call import Call
from .errors import ConnectorError
from .host import WorkspaceConnectorHost
from .limits import HttpLimits

if TYPE_CHECKING:
    from .http import HttpClient, HttpResponse

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


def __getattr__(name: str) -> Any:
    """`HttpClient` and `HttpResponse` import the HTTP stack only when a connector asks for them."""
    if name in ("HttpClient", "HttpResponse"):
        from . import http  # noqa: PLC0415 - httpx only when a connector needs it

        return getattr(http, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
