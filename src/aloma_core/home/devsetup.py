"""`aloma.dev.json` beside the step files: what `aloma dev` sets up for them when it starts.

```json
{
  "example_services": true,
  "egress_allow": ["127.0.0.1"],
  "secrets": {"CRM_TOKEN": "dev-crm-token"},
  "connectors": {
    "crm": {"type": "remote", "config": {"url": "${ALOMA_URL}/examples/crm", "secret": "CRM_TOKEN"}}
  }
}
```

`example_services` serves the stand-ins of `example_services.py` under `/examples/`. `${ALOMA_URL}`
stands for the dev server's URL. A secret or an `egress_allow` host is set when the workspace
lacks it. A connector is set when missing, and set again at each start for as long as nobody else
has changed it since (so it follows a new `--port`); once you configure the namespace yourself
(`aloma connector set`), your configuration stays. Everything goes through the HTTP API, as any
client's would.
"""

import json
import logging
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from pydantic import JsonValue as PydanticJson

from ..cli.client import ApiClient, api_path, objects
from ..cli.errors import ApiError, UsageProblem
from ..json_types import JsonObject, JsonValue
from ..services import validation_message

logger = logging.getLogger("aloma.dev")

SETUP_FILE = "aloma.dev.json"
URL_PLACEHOLDER = "${ALOMA_URL}"


class ConnectorSetup(BaseModel):
    model_config = ConfigDict(extra="forbid")

    type: str
    config: dict[str, PydanticJson]


class DevSetup(BaseModel):
    model_config = ConfigDict(extra="forbid")

    example_services: bool = False
    egress_allow: list[str] = Field(default_factory=list)
    secrets: dict[str, str] = Field(default_factory=dict)
    connectors: dict[str, ConnectorSetup] = Field(default_factory=dict)


def load_setup(directory: Path | None, url: str) -> DevSetup:
    """The directory's setup, with the URL filled in; none when there is no file."""
    path = None if directory is None else directory / SETUP_FILE
    if path is None or not path.is_file():
        return DevSetup()
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise UsageProblem(f"cannot read {path}: {error}") from None
    try:
        return DevSetup.model_validate(_with_url(raw, url))
    except ValidationError as error:
        raise UsageProblem(f"{path}: {validation_message(error, SETUP_FILE)}") from None


def apply_setup(client: ApiClient, setup: DevSetup, managed: Mapping[str, str]) -> dict[str, str]:
    """Set what the workspace lacks (a refusal is logged and the rest still goes on).

    `managed` maps each namespace aloma dev set earlier to the `updated_at` it was answered then:
    a connector still at that time is aloma dev's to set again. Returns the new map.
    """
    existing = set(_strings(client.get(api_path("secrets")).get("secrets")))
    for name, value in setup.secrets.items():
        if name not in existing:
            with _reported(f"secret {name}"):
                client.put(api_path("secrets", name), {"value": value})
    allowed = _strings(_settings(client).get("egress_allow"))
    missing = [host for host in setup.egress_allow if host not in allowed]
    if missing:
        with _reported(f"egress_allow {', '.join(missing)}"):
            patch: JsonObject = {"settings": {"egress_allow": [*allowed, *missing]}}
            client.request("PATCH", api_path("workspace"), body=patch)
    configured = {
        str(c.get("namespace")): c.get("updated_at")
        for c in objects(client.get(api_path("connectors")), "connectors")
    }
    now_managed: dict[str, str] = {}
    for namespace, connector in setup.connectors.items():
        if namespace in configured and configured[namespace] != managed.get(namespace):
            logger.info("%s: connector %s was configured otherwise; left as it is", SETUP_FILE, namespace)
            continue
        with _reported(f"connector {namespace}"):
            body = connector.model_dump(mode="json")
            answer = client.put(api_path("connectors", namespace), body).object()
            now_managed[namespace] = str(answer.get("updated_at"))
    return now_managed


@contextmanager
def _reported(what: str) -> Iterator[None]:
    try:
        yield
    except ApiError as error:
        logger.error("%s: %s refused: %s", SETUP_FILE, what, error)
    else:
        logger.info("%s: %s set", SETUP_FILE, what)


def _settings(client: ApiClient) -> JsonObject:
    settings = client.get(api_path("workspace")).get("settings")
    return settings if isinstance(settings, dict) else {}


def _strings(value: JsonValue) -> list[str]:
    return [item for item in value if isinstance(item, str)] if isinstance(value, list) else []


def _with_url(value: JsonValue, url: str) -> JsonValue:
    if isinstance(value, str):
        return value.replace(URL_PLACEHOLDER, url)
    if isinstance(value, list):
        return [_with_url(item, url) for item in value]
    if isinstance(value, dict):
        return {key: _with_url(item, url) for key, item in value.items()}
    return value
