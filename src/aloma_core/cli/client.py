"""A small client of the HTTP API: base URL, bearer key, and every failure turned into a CliError.

Commands and `aloma dev` (which syncs step files through its own API) share it, so they see the
server exactly as any other client does.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from types import TracebackType
from typing import Self
from urllib.parse import quote

import httpx

from ..json_types import JsonObject, JsonValue
from .errors import ApiError, Unreachable

DEFAULT_TIMEOUT_S = 60.0


@dataclass(frozen=True)
class Reply:
    status: int
    body: JsonValue

    def object(self) -> JsonObject:
        """The body as a JSON object; anything else means the server broke the contract."""
        if not isinstance(self.body, dict):
            raise ApiError(
                self.status, "bad_answer", "the server answered with something other than a JSON object"
            )
        return self.body


def objects(answer: JsonObject, key: str) -> list[JsonObject]:
    """The list under `key` in an answer such as `{"steps": [...]}`."""
    items = answer.get(key)
    if not isinstance(items, list):
        raise ApiError(200, "bad_answer", f"the answer has no list of {key}")
    return [item for item in items if isinstance(item, dict)]


def api_path(*segments: str) -> str:
    """`/v1/...` with each segment escaped: step names hold spaces, and may hold `?` or `#`."""
    return "/v1/" + "/".join(quote(segment, safe="") for segment in segments)


class ApiClient:
    def __init__(self, url: str, api_key: str, *, timeout: float = DEFAULT_TIMEOUT_S) -> None:
        self.url = url
        self._http = httpx.Client(
            base_url=url,
            headers={"Authorization": f"Bearer {api_key}", "User-Agent": "aloma-cli"},
            timeout=timeout,
        )

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    def request(
        self,
        method: str,
        path: str,
        *,
        body: JsonObject | None = None,
        params: Mapping[str, str | int] | None = None,
    ) -> Reply:
        try:
            response = self._http.request(method, path, json=body, params=params)
        except httpx.HTTPError as error:
            raise Unreachable(self.url, _reason(error)) from None
        if response.is_success:
            return Reply(response.status_code, _success_body(response))
        raise _api_error(response)

    def get(self, path: str, params: Mapping[str, str | int] | None = None) -> JsonObject:
        return self.request("GET", path, params=params).object()

    def put(self, path: str, body: JsonObject) -> Reply:
        return self.request("PUT", path, body=body)

    def post(self, path: str, body: JsonObject | None = None) -> Reply:
        return self.request("POST", path, body=body)

    def delete(self, path: str) -> None:
        self.request("DELETE", path)


def _success_body(response: httpx.Response) -> JsonValue:
    if not response.content:
        return None
    try:
        body: JsonValue = response.json()
    except ValueError:
        raise ApiError(
            response.status_code, "bad_answer", "the server answered with something other than JSON"
        ) from None
    return body


def _api_error(response: httpx.Response) -> ApiError:
    """The api.md envelope when present; otherwise whatever a proxy or framework said, still one line."""
    status = response.status_code
    try:
        body = response.json()
    except ValueError:
        body = None
    if isinstance(body, dict):
        envelope = body.get("error")
        if isinstance(envelope, dict) and isinstance(envelope.get("message"), str):
            return ApiError(status, str(envelope.get("code") or f"http_{status}"), envelope["message"])
        detail = body.get("detail") or body.get("message")
        if isinstance(detail, str):
            return ApiError(status, f"http_{status}", detail)
    text = response.text.strip().splitlines()
    message = text[0][:200] if text else (response.reason_phrase or "no message")
    return ApiError(status, f"http_{status}", message)


def _reason(error: httpx.HTTPError) -> str:
    if isinstance(error, httpx.TimeoutException):
        return "no answer in time"
    reason = str(error) or type(error).__name__
    if isinstance(error, httpx.ConnectError):
        return f"{reason} (is the server running? `aloma dev` starts one)"
    return reason
