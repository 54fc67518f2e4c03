"""The host of one run: namespaces to instances, clear failures, no secrets, picklable; third-party types.

The third-party type lives in a tmp directory with a `*.dist-info` holding its `entry_points.txt`,
put on sys.path: importlib.metadata finds it for real, as it would an installed package.
"""

import pickle
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from aloma_core.connectors import WorkspaceConnectorHost, registry
from aloma_core.json_types import JsonObject, JsonValue
from aloma_core.sandbox.types import ConnectorCall, ConnectorFailed

PLUGIN = """
from pydantic import BaseModel, ConfigDict, SecretStr

from aloma_core.connectors import Call, Connector, ConnectorError, connector_method, parse_args


class WeatherConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")
    city: str
    api_key: SecretStr


class TodayArgs(BaseModel):
    unit: str = "C"


class Weather(Connector[WeatherConfig]):
    config_model = WeatherConfig
    secret_fields = ("api_key",)

    @connector_method
    def today(self, args, call: Call):
        unit = parse_args(TodayArgs, args).unit
        key = self.config.api_key.get_secret_value()
        return {"city": self.config.city, "unit": unit, "key_chars": len(key), "task": self.context.task_id,
                "call": call.idempotency_key}

    @connector_method
    def refuse(self, args, call: Call):
        raise ConnectorError("the weather service is closed")

    @connector_method
    def crash(self, args, call: Call):
        raise RuntimeError("bad key " + self.config.api_key.get_secret_value())


class NotAConnector:
    pass
"""

ENTRY_POINTS = """
[aloma.connectors]
weather = weather_plugin:Weather
not_a_connector = weather_plugin:NotAConnector
missing = weather_plugin_gone:Nothing
"""

API_KEY = "wk-9f8e7d6c5b4a"
WEATHER: JsonObject = {"city": "Lisbon", "api_key": {"secret": "WEATHER_KEY"}}


@pytest.fixture(autouse=True)
def weather_package(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    (tmp_path / "weather_plugin.py").write_text(PLUGIN)
    dist_info = tmp_path / "aloma_weather-1.0.dist-info"
    dist_info.mkdir()
    (dist_info / "METADATA").write_text("Metadata-Version: 2.1\nName: aloma-weather\nVersion: 1.0\n")
    (dist_info / "entry_points.txt").write_text(textwrap.dedent(ENTRY_POINTS))
    monkeypatch.syspath_prepend(str(tmp_path))
    registry.refresh()
    yield
    sys.modules.pop("weather_plugin", None)
    registry.refresh()


def host(connectors: dict[str, tuple[str, JsonObject]] | None = None) -> WorkspaceConnectorHost:
    configured = {"weather": ("weather", WEATHER), **(connectors or {})}
    return WorkspaceConnectorHost(configured, {"WEATHER_KEY": API_KEY}, (), "ws-1", "task-1")


def call(on: WorkspaceConnectorHost, namespace: str, method: str, args: JsonValue = None) -> JsonValue:
    return on.call(ConnectorCall(namespace, method, args, "key-1", 5.0))


def failure(on: WorkspaceConnectorHost, namespace: str, method: str, args: JsonValue = None) -> str:
    with pytest.raises(ConnectorFailed) as raised:
        call(on, namespace, method, args)
    return str(raised.value)


def test_a_third_party_type_is_found_through_its_entry_point() -> None:
    assert "weather" in registry.known_types()
    assert registry.connector_type("weather").methods == frozenset({"today", "refuse", "crash"})


def test_a_call_reaches_the_method_with_the_secret_resolved_and_the_call_identity() -> None:
    result = call(host(), "weather", "today", {"unit": "F"})
    assert result == {
        "city": "Lisbon",
        "unit": "F",
        "key_chars": len(API_KEY),
        "task": "task-1",
        "call": "key-1",
    }


def test_a_put_of_a_third_party_type_moves_its_secret() -> None:
    prepared = registry.prepare("weather", "weather", {"city": "Porto", "api_key": API_KEY})
    assert prepared.stored == {"city": "Porto", "api_key": {"secret": "connector.weather.api_key"}}


def test_an_unknown_namespace_names_the_configured_ones() -> None:
    message = failure(host(), "crm", "find")
    assert message == "no connector is configured under the namespace crm; configured: fetch, weather"


def test_an_unknown_method_names_the_connector_its_type_and_its_methods() -> None:
    assert failure(host(), "weather", "tomorrow") == (
        "connector weather (type weather) has no method tomorrow; it has: crash, refuse, today"
    )
    assert failure(host(), "weather", "__init__").startswith(
        "connector weather (type weather) has no method __init__"
    )
    assert failure(host(), "weather", "") == (
        "connector weather (type weather) cannot be called as connectors.weather(...); "
        "it has: crash, refuse, today"
    )


def test_a_connector_error_is_prefixed_with_the_call() -> None:
    assert failure(host(), "weather", "refuse") == "connectors.weather.refuse: the weather service is closed"
    assert failure(host(), "weather", "today", {"unit": 1}) == (
        "connectors.weather.today: bad arguments: unit: Input should be a valid string"
    )


def test_any_other_exception_becomes_a_plain_message_without_the_secret() -> None:
    message = failure(host(), "weather", "crash")
    assert message == "connectors.weather.crash failed: RuntimeError: bad key ***"
    assert "Traceback" not in message


def test_a_missing_secret_is_named_but_no_value_is_shown() -> None:
    on = WorkspaceConnectorHost({"weather": ("weather", WEATHER)}, {}, (), "ws-1", "task-1")
    assert failure(on, "weather", "today") == (
        "connectors.weather.today: its config field api_key names the secret WEATHER_KEY, which is not set"
    )


def test_a_stored_config_that_no_longer_validates_says_why() -> None:
    on = host({"old": ("weather", {"town": "Faro", "api_key": {"secret": "WEATHER_KEY"}})})
    message = failure(on, "old", "today")
    assert message.startswith("connectors.old.today: its configuration is invalid: city: Field required")


@pytest.mark.parametrize(
    ("type_name", "problem"),
    [
        ("nope", "unknown connector type 'nope'; known types: "),
        ("not_a_connector", "connector type 'not_a_connector' is not a Connector subclass"),
        ("missing", "connector type 'missing' cannot be loaded: ModuleNotFoundError"),
    ],
)
def test_a_type_that_is_unknown_or_broken_fails_its_namespace_only(type_name: str, problem: str) -> None:
    on = host({"broken": (type_name, {})})
    assert problem in failure(on, "broken", "go")
    assert call(on, "weather", "today", {})


def test_fetch_is_there_without_configuration() -> None:
    on = WorkspaceConnectorHost({}, {}, (), "ws-1", "task-1")
    assert failure(on, "fetch", "", {"url": "http://10.0.0.1/"}).startswith(
        "connectors.fetch: refused by the egress guard: 10.0.0.1 is a private address"
    )


def test_the_host_pickles_before_and_after_use() -> None:
    on = host()
    fresh = pickle.loads(pickle.dumps(on))
    assert call(fresh, "weather", "today", {})["city"] == "Lisbon"
    used = pickle.loads(pickle.dumps(fresh))
    assert failure(used, "weather", "crash") == "connectors.weather.crash failed: RuntimeError: bad key ***"
