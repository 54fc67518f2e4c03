"""`http`: a REST client bound to a base URL, authenticating with a secret (api.md).

`request({url: "/path" | "GET /path", options: {method, headers, body}, bodyOnly})`. Paths stay
under the base URL, so the credential only ever goes where the workspace configured it; the base
URL itself is guarded like `fetch`, since a workspace can point it anywhere.
"""

import base64
from typing import Literal

from pydantic import BaseModel, ConfigDict, SecretStr, field_validator, model_validator

from ..json_types import JsonValue
from .base import Connector, ConnectorContext, connector_method, parse_args
from .call import Call
from .errors import ConnectorError
from .webcall import WebCall, perform


class HttpConfig(BaseModel):
    """`auth`: `bearer` (token), `header` (header + token), `basic` (username + password) or `none`."""

    model_config = ConfigDict(extra="forbid")

    base_url: str
    auth: Literal["none", "bearer", "header", "basic"] = "none"
    token: SecretStr | None = None
    header: str | None = None
    username: str | None = None
    password: SecretStr | None = None

    @field_validator("base_url")
    @classmethod
    def _http_url(cls, url: str) -> str:
        if not url.startswith(("http://", "https://")):
            raise ValueError("an http:// or https:// URL")
        return url.rstrip("/")

    @model_validator(mode="after")
    def _auth_complete(self) -> "HttpConfig":
        needed = {
            "none": (),
            "bearer": ("token",),
            "header": ("header", "token"),
            "basic": ("username", "password"),
        }
        missing = [name for name in needed[self.auth] if getattr(self, name) is None]
        if missing:
            raise ValueError(f"auth {self.auth} needs {' and '.join(missing)}")
        return self

    def auth_headers(self) -> dict[str, str]:
        token = self.token.get_secret_value() if self.token is not None else ""
        if self.auth == "bearer":
            return {"Authorization": f"Bearer {token}"}
        if self.auth == "header" and self.header is not None:
            return {self.header: token}
        if self.auth == "basic" and self.password is not None:
            pair = f"{self.username}:{self.password.get_secret_value()}".encode()
            return {"Authorization": f"Basic {base64.b64encode(pair).decode('ascii')}"}
        return {}


class HttpConnector(Connector[HttpConfig]):
    config_model = HttpConfig
    secret_fields = ("token", "password")
    default_method = "request"

    def __init__(self, config: HttpConfig, context: ConnectorContext) -> None:
        super().__init__(config, context)
        self._http = context.http()

    @connector_method
    def request(self, args: JsonValue, call: Call) -> JsonValue:
        request = parse_args(WebCall, args)
        method, path = request.method_and_target()
        if not path.startswith("/") or path.startswith("//"):
            raise ConnectorError(f"url must be a path under the base URL, like /items, not {path!r}")
        url = self.config.base_url + path
        return perform(self._http, request, method, url, call, self.config.auth_headers())
