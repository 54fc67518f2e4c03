"""The bounds of a connector's HTTP calls, apart from the client so that code which only configures
connectors (the API, the matcher) does not import the HTTP stack on a cold start."""

from dataclasses import dataclass

MiB = 1024 * 1024


@dataclass(frozen=True)
class HttpLimits:
    connect_timeout_s: float = 10.0
    dns_timeout_s: float = 5.0
    max_response_bytes: int = 10 * MiB
    max_redirects: int = 5
    max_attempts: int = 5
    backoff_s: float = 0.5


DEFAULT_LIMITS = HttpLimits()
