"""`PATCH /v1/workspace` with `settings.notify`: what is accepted, and the 422 answers that name
the field of a target that could never be reached."""

from typing import Any

import pytest
from api_support import Tenant, assert_error

HOOK = "https://hooks.example.com/aloma"


def patch(tenant: Tenant, settings: dict[str, Any]) -> Any:
    return tenant.http.patch("/v1/workspace", json={"settings": settings})


def put_connector(tenant: Tenant, namespace: str, type_name: str, config: dict[str, Any]) -> None:
    answer = tenant.http.put(f"/v1/connectors/{namespace}", json={"type": type_name, "config": config})
    assert answer.status_code == 200, answer.text


def test_a_webhook_target_is_stored_with_the_defaults_filled_in(tenant_a: Tenant) -> None:
    answer = patch(tenant_a, {"notify": {"to": {"webhook": HOOK}, "digest": {"after": 3}}})

    assert answer.status_code == 200, answer.text
    assert answer.json()["settings"]["notify"] == {
        "on": ["error", "incomplete"],
        "to": {"webhook": HOOK, "connector": None, "method": None},
        "digest": {"after": 3, "window_s": 60, "show": 10},
    }
    assert tenant_a.http.get("/v1/workspace").json()["settings"]["notify"]["to"]["webhook"] == HOOK


def test_null_turns_notifications_off(tenant_a: Tenant) -> None:
    patch(tenant_a, {"notify": {"to": {"webhook": HOOK}}})

    answer = patch(tenant_a, {"notify": None})

    assert answer.status_code == 200
    assert answer.json()["settings"]["notify"] is None


@pytest.mark.parametrize(
    ("notify", "named"),
    [
        ({"to": {"webhook": HOOK}, "when": ["error"]}, "settings.notify.when"),
        ({"to": {"webhook": HOOK, "headers": {}}}, "settings.notify.to.headers"),
        ({"to": {"webhook": HOOK}, "on": ["done"]}, "settings.notify.on.0"),
        ({"to": {"webhook": HOOK, "connector": "alerts"}}, "settings.notify.to"),
        ({"to": {"webhook": "mailto:ops@example.com"}}, "settings.notify.to.webhook"),
        ({"to": {"webhook": HOOK}, "digest": {"after": 0}}, "settings.notify.digest.after"),
    ],
)
def test_a_malformed_setting_is_refused_naming_the_field_and_changes_nothing(
    tenant_a: Tenant, notify: dict[str, Any], named: str
) -> None:
    answer = patch(tenant_a, {"notify": notify, "execution": "sequential"})
    message = assert_error(answer, 422, "invalid_input")

    assert named in message
    assert tenant_a.http.get("/v1/workspace").json()["settings"]["execution"] == "parallel"


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:9/hook",
        "http://localhost:8080/hook",
        "http://api.LOCALHOST./hook",
        "http://[::1]/h",
        "http://10.1.2.3/h",
    ],
)
def test_a_webhook_the_egress_guard_refuses_is_refused(tenant_a: Tenant, url: str) -> None:
    message = assert_error(patch(tenant_a, {"notify": {"to": {"webhook": url}}}), 422, "invalid_input")

    assert "settings.notify.to.webhook" in message and "egress guard" in message


@pytest.mark.parametrize("url", ["https://mylocalhost.example.com/hook", "https://93.184.215.14/hook"])
def test_a_host_name_or_public_address_is_left_to_the_guard_at_delivery(tenant_a: Tenant, url: str) -> None:
    assert patch(tenant_a, {"notify": {"to": {"webhook": url}}}).status_code == 200


def test_a_private_webhook_the_workspace_allows_is_accepted(tenant_a: Tenant) -> None:
    settings = {"egress_allow": ["127.0.0.1"], "notify": {"to": {"webhook": "http://127.0.0.1:9/hook"}}}

    assert patch(tenant_a, settings).status_code == 200
    refused = patch(tenant_a, {"egress_allow": []})
    assert "settings.notify.to.webhook" in assert_error(refused, 422, "invalid_input")


def test_the_metadata_address_is_refused_even_when_allowed(tenant_a: Tenant) -> None:
    settings = {"egress_allow": ["169.254.169.254"], "notify": {"to": {"webhook": "http://169.254.169.254/"}}}

    assert "cloud metadata" in assert_error(patch(tenant_a, settings), 422, "invalid_input")


def test_a_connector_target_must_be_configured(tenant_a: Tenant) -> None:
    message = assert_error(patch(tenant_a, {"notify": {"to": {"connector": "alerts"}}}), 422, "invalid_input")

    assert "settings.notify.to.connector" in message and "alerts" in message


def test_a_slack_connector_can_send_and_nothing_else(tenant_a: Tenant) -> None:
    put_connector(tenant_a, "alerts", "slack", {"webhook_url": "https://hooks.slack.com/services/T/B/x"})

    assert patch(tenant_a, {"notify": {"to": {"connector": "alerts"}}}).status_code == 200
    refused = patch(tenant_a, {"notify": {"to": {"connector": "alerts", "method": "email"}}})
    message = assert_error(refused, 422, "invalid_input")
    assert "settings.notify.to.method" in message and "send" in message


def test_a_remote_connector_answers_whatever_method_is_named(tenant_a: Tenant) -> None:
    put_connector(tenant_a, "mailer", "remote", {"url": "https://mail.example.com"})

    answer = patch(tenant_a, {"notify": {"to": {"connector": "mailer", "method": "email"}}})

    assert answer.status_code == 200, answer.text
    assert answer.json()["settings"]["notify"]["to"]["method"] == "email"
