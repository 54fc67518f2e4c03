"""`remote`: any HTTP service implementing connector methods, by the protocol of api.md.

`POST {url}/{METHOD}` with `{"args", "task": {"id", "workspace"}}`; a 2xx JSON body is the result.
The URL comes from the workspace's configuration, not from step code, so it may point at a
private in-house service. Loopback is the machine running the step: on the local home that is the
user's laptop and reachable; on AWS it is where the Lambda runtime API listens, so there it needs
the workspace's `egress_allow`, as link-local addresses do everywhere. Metadata never.
"""

import json
from urllib.parse import quote

from pydantic import BaseModel, ConfigDict, SecretStr, field_validator

from ..json_types import JsonValue
from .base import Connector, ConnectorContext
from .call import Call
from .errors import ConnectorError
from .http import parse_json


class RemoteConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    url: str
    secret: SecretStr | None = None
    """The value of the workspace secret the stored config names; sent as a bearer token."""

    @field_validator("url")
    @classmethod
    def _http_url(cls, url: str) -> str:
        if not url.startswith(("http://", "https://")):
            raise ValueError("an http:// or https:// URL")
        return url.rstrip("/")


class RemoteConnector(Connector[RemoteConfig]):
    config_model = RemoteConfig
    secret_name_fields = ("secret",)

    def __init__(self, config: RemoteConfig, context: ConnectorContext) -> None:
        super().__init__(config, context)
        self._http = context.http(private_network=True)

    def call_method(self, method: str, args: JsonValue, call: Call) -> JsonValue:
        """Every method name is the service's to answer: it becomes the last segment of the URL."""
        if not method:
            raise ConnectorError("name one of the service's methods: connectors.NS.METHOD(args)")
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        if self.config.secret is not None:
            headers["Authorization"] = f"Bearer {self.config.secret.get_secret_value()}"
        task = {"id": self.context.task_id, "workspace": self.context.workspace_id}
        body = json.dumps({"args": args, "task": task}, separators=(",", ":")).encode()
        url = f"{self.config.url}/{quote(method, safe='')}"
        response = self._http.request("POST", url, call=call, headers=headers, content=body)
        if not response.ok:
            raise ConnectorError(response.failure())
        if not response.content.strip():
            return None
        try:
            return parse_json(response.text)
        except ValueError:
            raise ConnectorError(f"HTTP {response.status} with a body that is not JSON") from None
