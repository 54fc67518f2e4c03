"""`slack`: `send({text, channel})` through an incoming webhook or a bot token's chat.postMessage.

Both the webhook URL and the token are credentials, so both are secret fields. `api_url` exists
for Slack's other clouds (e.g. GovSlack) and for test doubles; like `fetch`, it is guarded.
"""

import json

from pydantic import BaseModel, ConfigDict, SecretStr, model_validator

from ..json_types import JsonValue
from .base import Connector, ConnectorContext, connector_method, parse_args
from .call import Call
from .errors import ConnectorError
from .http import HttpResponse


class SlackConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    webhook_url: SecretStr | None = None
    token: SecretStr | None = None
    channel: str | None = None
    """The bot's default channel when `send` names none."""
    api_url: str = "https://slack.com/api"

    @model_validator(mode="after")
    def _one_way_in(self) -> "SlackConfig":
        if (self.webhook_url is None) == (self.token is None):
            raise ValueError("give exactly one of webhook_url (an incoming webhook) and token (a bot token)")
        return self


class SendArgs(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid")

    text: str
    channel: str | None = None


class SlackConnector(Connector[SlackConfig]):
    config_model = SlackConfig
    secret_fields = ("webhook_url", "token")

    def __init__(self, config: SlackConfig, context: ConnectorContext) -> None:
        super().__init__(config, context)
        self._http = context.http()

    @connector_method
    def send(self, args: JsonValue, call: Call) -> JsonValue:
        message = parse_args(SendArgs, args)
        if self.config.webhook_url is not None:
            return self._by_webhook(self.config.webhook_url.get_secret_value(), message, call)
        assert self.config.token is not None  # the config allows no third way
        return self._by_token(self.config.token.get_secret_value(), message, call)

    def _by_webhook(self, url: str, message: SendArgs, call: Call) -> JsonValue:
        """Slack answers a webhook with the text `ok`, or an error status and a reason such as `no_text`."""
        payload = message.model_dump(exclude_none=True)
        response = self._post(url, payload, {}, call)
        if not response.ok:
            raise ConnectorError(f"Slack refused the message: {response.failure()}")
        return {"ok": True}

    def _by_token(self, token: str, message: SendArgs, call: Call) -> JsonValue:
        """chat.postMessage answers 200 even when it fails: `ok` in the JSON body tells."""
        channel = message.channel or self.config.channel
        if channel is None:
            raise ConnectorError("send needs a channel: pass one, or set channel in the connector's config")
        headers = {"Authorization": f"Bearer {token}"}
        url = f"{self.config.api_url.rstrip('/')}/chat.postMessage"
        response = self._post(url, {"channel": channel, "text": message.text}, headers, call)
        answer = response.body() if response.ok else None
        if not isinstance(answer, dict) or answer.get("ok") is not True:
            reason = answer.get("error") if isinstance(answer, dict) else response.failure()
            raise ConnectorError(f"Slack refused the message: {reason}")
        return {"ok": True, "channel": answer.get("channel"), "ts": answer.get("ts")}

    def _post(self, url: str, payload: JsonValue, headers: dict[str, str], call: Call) -> HttpResponse:
        body = json.dumps(payload, separators=(",", ":")).encode()
        headers = {**headers, "Content-Type": "application/json; charset=utf-8"}
        return self._http.request("POST", url, call=call, headers=headers, content=body)
