"""The outbound HTTP client every connector uses: guarded, bounded in time and size, retrying politely.

Each request goes to an address the egress policy has just checked: the URL's host is resolved
once, and httpx is handed the checked IP itself, with the `Host` header and the TLS server name
(the `sni_hostname` extension, which certificate checks use too) kept as the name. Redirects are
followed here, not by httpx, so every hop is resolved and checked again.
"""

import email.utils
import functools
import json
import ssl
import time
from collections.abc import Collection, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime

import httpx

from ..json_types import JsonValue
from .call import Call
from .egress import EgressPolicy
from .errors import ConnectorError
from .limits import DEFAULT_LIMITS, HttpLimits

USER_AGENT = "aloma-connectors/1"

_RETRY_STATUSES = frozenset({429, 503})
_REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
# Dropped when a redirect leaves the origin, with any header the caller names as private.
_CREDENTIAL_HEADERS = frozenset({"authorization", "cookie", "proxy-authorization"})
_MESSAGE_CHARS = 300


@dataclass(frozen=True)
class HttpResponse:
    status: int
    headers: httpx.Headers
    content: bytes
    encoding: str
    attempts: int = 1

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    @property
    def text(self) -> str:
        return self.content.decode(self.encoding, errors="replace")

    def declares_json(self) -> bool:
        media_type = str(self.headers.get("content-type", "")).split(";", 1)[0].strip().lower()
        return media_type == "application/json" or media_type.endswith("+json")

    def body(self) -> JsonValue:
        """The body as JSON when the content type says so (and it parses), else as text."""
        if not self.declares_json():
            return self.text
        if not self.content.strip():
            return None
        try:
            return parse_json(self.text)
        except ValueError:
            return self.text

    def failure(self) -> str:
        """`HTTP 404: <the body's message field, or its text>` for an error message."""
        detail = self.text.strip()
        try:
            parsed = parse_json(detail)
        except ValueError:
            parsed = None
        if isinstance(parsed, dict) and isinstance(parsed.get("message"), str):
            detail = str(parsed["message"])
        if len(detail) > _MESSAGE_CHARS:
            detail = detail[:_MESSAGE_CHARS] + "..."
        retried = f" after {self.attempts} attempts" if self.attempts > 1 else ""
        return f"HTTP {self.status}{retried}: {detail}" if detail else f"HTTP {self.status}{retried}"


def parse_json(text: str) -> JsonValue:
    """JSON as the sandbox can take it back: NaN and Infinity are refused like any invalid text."""

    def refuse(constant: str) -> JsonValue:
        raise ValueError(f"{constant} is not JSON")

    value: JsonValue = json.loads(text, parse_constant=refuse)
    return value


def retry_delay(retry_after: str | None, attempt: int, backoff_s: float) -> float:
    """Seconds to wait before attempt `attempt + 1`: `Retry-After` (seconds or an HTTP date) if given."""
    if retry_after is not None:
        value = retry_after.strip()
        if value.isdigit():
            return float(value)
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            when = None
        if when is not None and when.tzinfo is not None:
            return max(0.0, (when - datetime.now(UTC)).total_seconds())
    return backoff_s * 2.0 ** (attempt - 1)


@functools.cache
def _tls() -> ssl.SSLContext:
    """Built once per process: loading the CA bundle is the slow part of creating a client."""
    return httpx.create_ssl_context()


@dataclass(frozen=True)
class _Request:
    method: str
    url: httpx.URL
    headers: httpx.Headers
    content: bytes | None


class HttpClient:
    """Blocking and thread-safe: each request opens its own short-lived httpx client."""

    def __init__(self, policy: EgressPolicy, limits: HttpLimits = DEFAULT_LIMITS) -> None:
        self._policy = policy
        self._limits = limits

    def request(
        self,
        method: str,
        url: str,
        *,
        call: Call,
        headers: Mapping[str, str] | None = None,
        content: bytes | None = None,
        follow_redirects: bool = False,
        private_headers: Collection[str] = (),
    ) -> HttpResponse:
        """Send one request (retried on 429/503, redirects followed if asked) within `call`'s deadline.

        `private_headers` names headers (beyond Authorization and Cookie) that carry credentials:
        they are not sent on to another origin by a redirect.
        """
        all_headers = httpx.Headers({"User-Agent": USER_AGENT})
        all_headers.update(headers or {})
        all_headers["Idempotency-Key"] = call.idempotency_key
        request = _Request(method.upper(), _parse_url(url), all_headers, content)
        private = _CREDENTIAL_HEADERS | {name.lower() for name in private_headers}
        for _ in range(self._limits.max_redirects + 1):
            response = self._with_retries(request, call)
            location = response.headers.get("location")
            if not follow_redirects or response.status not in _REDIRECT_STATUSES or location is None:
                return response
            request = _redirected(request, response.status, location, private)
        raise ConnectorError(
            f"more than {self._limits.max_redirects} redirects, the last to {_host(request.url)}"
        )

    def _with_retries(self, request: _Request, call: Call) -> HttpResponse:
        attempt = 1
        while True:
            response = self._exchange(request, call)
            if response.status not in _RETRY_STATUSES or attempt >= self._limits.max_attempts:
                return replace(response, attempts=attempt)
            wait = retry_delay(response.headers.get("retry-after"), attempt, self._limits.backoff_s)
            if wait >= call.remaining():
                return replace(response, attempts=attempt)
            time.sleep(wait)
            attempt += 1

    def _exchange(self, request: _Request, call: Call) -> HttpResponse:
        """Resolve and check the host, then try its allowed addresses until one accepts a connection."""
        host = _host(request.url)
        port = request.url.port or (443 if request.url.scheme == "https" else 80)
        refused: httpx.ConnectError | None = None
        remaining = call.remaining()
        if remaining <= 0:
            raise ConnectorError(f"the wall time limit was reached before {host} answered")
        for address in self._policy.addresses(host, port, remaining):
            try:
                return self._send_to(address, request, call)
            except httpx.ConnectError as exc:
                refused = exc
        raise ConnectorError(f"cannot connect to {host}: {refused}")

    def _send_to(self, address: str, request: _Request, call: Call) -> HttpResponse:
        host = _host(request.url)
        remaining = call.remaining()
        if remaining <= 0:
            raise ConnectorError(f"the wall time limit was reached before {host} answered")
        connect_s = min(self._limits.connect_timeout_s, remaining)
        headers = request.headers.copy()
        headers["Host"] = request.url.netloc.decode("ascii")
        extensions = {"sni_hostname": host} if request.url.scheme == "https" else {}
        timeout = httpx.Timeout(remaining, connect=connect_s)
        try:
            with (
                httpx.Client(verify=_tls(), trust_env=False, timeout=timeout) as client,
                client.stream(
                    request.method,
                    request.url.copy_with(host=address),
                    headers=headers,
                    content=request.content,
                    extensions=extensions,
                ) as response,
            ):
                return self._read(response, host, call)
        except httpx.ConnectTimeout:
            raise ConnectorError(f"connecting to {host} timed out after {connect_s:.1f} s") from None
        except httpx.TimeoutException:
            raise ConnectorError(
                f"{host} did not answer within {remaining:.1f} s, before the wall time limit"
            ) from None
        except httpx.ConnectError:
            raise
        except httpx.HTTPError as exc:
            raise ConnectorError(f"the request to {host} failed: {exc}") from None

    def _read(self, response: httpx.Response, host: str, call: Call) -> HttpResponse:
        """The body, streamed: refused as soon as it passes the size cap or the deadline."""
        cap = self._limits.max_response_bytes
        too_large = ConnectorError(f"the response of {host} is larger than the limit of {cap} bytes")
        declared = response.headers.get("content-length", "")
        if response.request.method != "HEAD" and declared.isdigit() and int(declared) > cap:
            raise too_large
        chunks: list[bytes] = []
        size = 0
        for chunk in response.iter_bytes():
            size += len(chunk)
            if size > cap:
                raise too_large
            if call.remaining() <= 0:
                raise ConnectorError(f"{host} was still sending at the wall time limit")
            chunks.append(chunk)
        encoding = response.charset_encoding or "utf-8"
        return HttpResponse(response.status_code, response.headers, b"".join(chunks), encoding)


def _parse_url(url: str) -> httpx.URL:
    try:
        parsed = httpx.URL(url)
    except httpx.InvalidURL as exc:
        raise ConnectorError(f"invalid URL: {exc}") from None
    if parsed.scheme not in {"http", "https"} or not parsed.host:
        raise ConnectorError("only absolute http:// and https:// URLs can be requested")
    return parsed


def _host(url: httpx.URL) -> str:
    return url.raw_host.decode("ascii")


def _redirected(request: _Request, status: int, location: str, private: Collection[str]) -> _Request:
    """The next hop, as browsers do it: 303 (and 301/302 after a POST) become a GET without a body."""
    try:
        url = _parse_url(str(request.url.join(location)))
    except httpx.InvalidURL as exc:
        raise ConnectorError(f"invalid redirect location: {exc}") from None
    headers = request.headers.copy()
    method, content = request.method, request.content
    if (status == 303 and method != "HEAD") or (status in {301, 302} and method == "POST"):
        method, content = "GET", None
        for name in ("content-type", "content-length", "content-encoding"):
            headers.pop(name, None)
    if (url.scheme, url.raw_host, url.port) != (request.url.scheme, request.url.raw_host, request.url.port):
        for name in private:
            headers.pop(name, None)
    return _Request(method, url, headers, content)
