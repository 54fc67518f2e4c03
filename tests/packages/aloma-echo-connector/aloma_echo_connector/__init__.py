"""A connector type shipped by a package other than aloma: `connectors.NS.say({text})`."""

from pydantic import BaseModel, ConfigDict

from aloma_core.connectors import Call, Connector, connector_method, parse_args
from aloma_core.json_types import JsonValue


class EchoConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")
    prefix: str


class SayArgs(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: str


class EchoConnector(Connector[EchoConfig]):
    config_model = EchoConfig

    @connector_method
    def say(self, args: JsonValue, call: Call) -> JsonValue:
        return {"said": f"{self.config.prefix} {parse_args(SayArgs, args).text}", "key": call.idempotency_key}
