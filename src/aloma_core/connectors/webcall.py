"""The fetch-style call steps write, shared by `fetch` and `http`.

`{url: "https://..." | "GET https://...", options: {method, headers, body}, bodyOnly}` in, and
`{status, headers, body}` (or just the body with `bodyOnly`) out.
"""

import json
from collections.abc import Mapping

import httpx
from pydantic import BaseModel, ConfigDict, Field
from pydantic import JsonValue as PydanticJson

from ..json_types import JsonValue
from .call import Call
from .errors import ConnectorError
from .http import HttpClient, HttpResponse

_STRICT = ConfigDict(strict=True, extra="forbid")


class Options(BaseModel):
    model_config = _STRICT

    method: str | None = None
    headers: dict[str, str] = Field(default_factory=dict)
    body: PydanticJson = None


class WebCall(BaseModel):
    model_config = _STRICT

    url: str
    options: Options = Field(default_factory=Options)
    body_only: bool = Field(default=False, alias="bodyOnly")

    def method_and_target(self) -> tuple[str, str]:
        """The method (from "GET /x" or options.method, GET by default) and the URL or path."""
        parts = self.url.split(None, 1)
        named = parts[0].upper() if len(parts) == 2 else None
        target = parts[1].strip() if len(parts) == 2 else self.url.strip()
        given = self.options.method.upper() if self.options.method is not None else None
        if named is not None and given is not None and named != given:
            raise ConnectorError(f"url names the method {named} but options.method is {given}")
        method = named or given or "GET"
        if not method.isalpha():
            raise ConnectorError(f"invalid HTTP method {method!r}")
        return method, target

    def encoded_body(self) -> tuple[bytes | None, str | None]:
        """The body's bytes and the content type it implies: text as is, any other JSON as JSON."""
        body = self.options.body
        if body is None:
            return None, None
        if isinstance(body, str):
            return body.encode(), "text/plain; charset=utf-8"
        return json.dumps(body, separators=(",", ":")).encode(), "application/json"


def perform(
    client: HttpClient,
    request: WebCall,
    method: str,
    url: str,
    call: Call,
    auth_headers: Mapping[str, str] | None = None,
) -> JsonValue:
    """Send `request` to `url` (redirects followed) and answer as fetch does.

    `auth_headers` are set over the step's own headers and never follow a redirect to another origin.
    """
    content, content_type = request.encoded_body()
    headers = httpx.Headers(request.options.headers)
    if content_type is not None and "content-type" not in headers:
        headers["Content-Type"] = content_type
    for name, value in (auth_headers or {}).items():
        headers[name] = value
    response = client.request(
        method,
        url,
        call=call,
        headers=headers,
        content=content,
        follow_redirects=True,
        private_headers=tuple(auth_headers or ()),
    )
    return answer(response, request.body_only)


def answer(response: HttpResponse, body_only: bool) -> JsonValue:
    """With `bodyOnly` the caller cannot see the status, so an error status rejects instead."""
    if body_only:
        if not response.ok:
            raise ConnectorError(response.failure())
        return response.body()
    return {"status": response.status, "headers": dict(response.headers.items()), "body": response.body()}
