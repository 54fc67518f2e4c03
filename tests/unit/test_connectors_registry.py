"""Connector types by name, and a PUT's configuration made ready to store: secrets out, masks in."""

from typing import Any

import pytest
from pydantic import BaseModel

from aloma_core.connectors import Call, Connector, connector_method
from aloma_core.connectors.registry import ConnectorTypeError, answer, connector_type, known_types, prepare
from aloma_core.errors import InvalidInput
from aloma_core.json_types import JsonValue


def test_the_built_in_types_are_found_through_their_entry_points() -> None:
    assert {"fetch", "remote", "slack", "http"} <= set(known_types())
    assert connector_type("slack").methods == frozenset({"send"})
    assert connector_type("fetch").default_method == "request"


def test_an_unknown_type_is_named_with_the_known_ones() -> None:
    with pytest.raises(ConnectorTypeError, match=r"unknown connector type 'nope'; known types: ") as raised:
        connector_type("nope")
    listed = str(raised.value).split("known types: ")[1].split(", ")
    assert listed == sorted(listed)
    assert {"fetch", "http", "remote", "slack"} <= set(listed)
    with pytest.raises(InvalidInput, match="type: unknown connector type 'nope'"):
        prepare("crm", "nope", {})


def test_a_literal_secret_moves_to_the_secret_store() -> None:
    prepared = prepare("alerts", "slack", {"token": "xoxb-secret", "channel": "#ops"})
    assert prepared.stored == {"token": {"secret": "connector.alerts.token"}, "channel": "#ops"}
    assert prepared.new_secrets == {"connector.alerts.token": "xoxb-secret"}
    assert prepared.secret_names == ["connector.alerts.token"]
    assert prepared.answer == prepared.stored
    assert "xoxb-secret" not in repr(prepared.stored) + repr(prepared.answer)


def test_a_secret_can_name_an_existing_workspace_secret() -> None:
    prepared = prepare("alerts", "slack", {"webhook_url": {"secret": "SLACK_HOOK"}})
    assert prepared.stored == {"webhook_url": {"secret": "SLACK_HOOK"}}
    assert prepared.new_secrets == {}
    assert prepared.secret_names == ["SLACK_HOOK"]


def test_remote_names_its_secret_as_api_md_says() -> None:
    prepared = prepare("crm", "remote", {"url": "http://crm.internal:8080", "secret": "CRM_TOKEN"})
    assert prepared.stored == {"url": "http://crm.internal:8080", "secret": "CRM_TOKEN"}
    assert (prepared.new_secrets, prepared.secret_names) == ({}, ["CRM_TOKEN"])


def test_http_keeps_each_auth_kinds_secret() -> None:
    config: JsonValue = {
        "base_url": "https://api.example.com",
        "auth": "basic",
        "username": "me",
        "password": "pw",
    }
    prepared = prepare("api", "http", config)
    assert prepared.stored["password"] == {"secret": "connector.api.password"}
    assert prepared.stored["username"] == "me"


@pytest.mark.parametrize(
    ("type_name", "config", "problem"),
    [
        ("slack", {}, "config: value: Value error, give exactly one of webhook_url"),
        ("slack", {"token": 42}, 'config.token: a secret, given as a non-empty string or {"secret": "NAME"}'),
        ("slack", {"token": "t", "colour": "red"}, "config: colour: Extra inputs are not permitted"),
        ("remote", {"url": "ftp://x"}, "config: url: Value error, an http:// or https:// URL"),
        (
            "remote",
            {"url": "http://x", "secret": {"secret": "A"}},
            "config.secret: the name of a workspace secret",
        ),
        ("http", {"base_url": "https://x", "auth": "header", "token": "t"}, "auth header needs header"),
        (
            "http",
            {"base_url": "https://x", "auth": "oauth"},
            "config: auth: Input should be 'none', 'bearer'",
        ),
        ("fetch", [], "config: an object"),
    ],
)
def test_an_invalid_config_says_what_is_wrong(type_name: str, config: JsonValue, problem: str) -> None:
    with pytest.raises(InvalidInput) as raised:
        prepare("ns", type_name, config)
    assert problem in str(raised.value)


def test_a_secret_value_is_never_echoed_by_a_validation_error() -> None:
    with pytest.raises(InvalidInput) as raised:
        prepare("ns", "http", {"base_url": "nope", "token": "sk-live-123"})
    assert "sk-live-123" not in str(raised.value)


@pytest.mark.parametrize(
    ("namespace", "problem"),
    [
        ("fetch", "fetch is built in and always present"),
        ("then", "cannot be reached as connectors.then"),
        ("my-crm", "letters, digits and '_'"),
        ("", "letters, digits and '_'"),
        ("x" * 65, "at most 64"),
    ],
)
def test_a_namespace_must_be_reachable_from_a_step(namespace: str, problem: str) -> None:
    with pytest.raises(InvalidInput, match=problem):
        prepare(namespace, "remote", {"url": "http://x"})


def test_an_answer_masks_whatever_is_not_a_reference() -> None:
    assert answer("slack", {"token": "leaked", "channel": "#ops"}) == {"token": "***", "channel": "#ops"}
    assert answer("gone", {"token": {"secret": "T"}, "url": "http://x"}) == {
        "token": {"secret": "T"},
        "url": "***",
    }


def test_a_connector_method_must_be_public() -> None:
    with pytest.raises(TypeError, match="connector methods must be public, not _hidden"):

        class Sneaky(Connector[BaseModel]):
            config_model = BaseModel

            @connector_method
            def _hidden(self, args: JsonValue, call: Call) -> JsonValue:
                return None


def test_only_declared_methods_are_collected() -> None:
    class Plain(Connector[BaseModel]):
        config_model = BaseModel

        @connector_method
        def ping(self, args: JsonValue, call: Call) -> JsonValue:
            return "pong"

        def helper(self, *args: Any) -> None:
            return None

    assert Plain.methods == frozenset({"ping"})
