"""Connectors over HTTP: configured per namespace, secrets kept in the secret store and never answered."""

from typing import Any

import pytest
from api_support import Tenant, assert_error
from fastapi.testclient import TestClient

from aloma_core.services import Platform

TOKEN = "crm-token-never-shown"
REMOTE = {"type": "remote", "config": {"url": "https://crm.example.com/aloma", "secret": "CRM_TOKEN"}}
HTTP_WITH_LITERAL = {
    "type": "http",
    "config": {"base_url": "https://api.example.com", "auth": "bearer", "token": TOKEN},
}


def put(tenant: Tenant, namespace: str, body: Any) -> Any:
    return tenant.http.put(f"/v1/connectors/{namespace}", json=body)


def test_put_answers_the_connector_and_get_list_show_it(tenant_a: Tenant) -> None:
    tenant_a.http.put("/v1/secrets/CRM_TOKEN", json={"value": TOKEN})

    response = put(tenant_a, "crm", REMOTE)

    assert response.status_code == 200, response.text
    answer = response.json()
    assert answer == {"namespace": "crm", **REMOTE, "updated_at": answer["updated_at"]}
    assert tenant_a.http.get("/v1/connectors/crm").json() == answer
    assert tenant_a.http.get("/v1/connectors").json() == {"connectors": [answer]}


def test_a_literal_secret_moves_to_the_secret_store_and_is_answered_as_a_reference(
    tenant_a: Tenant, platform: Platform
) -> None:
    answers = [put(tenant_a, "api", HTTP_WITH_LITERAL)]
    answers += [tenant_a.http.get(path) for path in ("/v1/connectors", "/v1/connectors/api", "/v1/secrets")]

    assert answers[0].status_code == 200, answers[0].text
    assert answers[0].json()["config"]["token"] == {"secret": "connector.api.token"}
    assert platform.secrets.values(tenant_a.workspace.id) == {"connector.api.token": TOKEN}
    stored = platform.get_connector(tenant_a.workspace, "api").config
    assert stored["token"] == {"secret": "connector.api.token"}
    assert "connector.api.token" in answers[3].json()["secrets"]
    for response in answers:
        assert TOKEN not in response.text


def test_a_secret_reference_names_an_existing_workspace_secret(tenant_a: Tenant) -> None:
    tenant_a.http.put("/v1/secrets/SLACK_HOOK", json={"value": "https://hooks.slack.com/services/T/B/x"})
    body = {"type": "slack", "config": {"webhook_url": {"secret": "SLACK_HOOK"}}}

    response = put(tenant_a, "slack", body)

    assert response.status_code == 200, response.text
    assert response.json()["config"] == {"webhook_url": {"secret": "SLACK_HOOK"}}
    assert "hooks.slack.com" not in response.text


@pytest.mark.parametrize(
    "body",
    [
        REMOTE,
        {"type": "slack", "config": {"webhook_url": {"secret": "CRM_TOKEN"}}},
    ],
)
def test_naming_a_secret_that_is_not_set_is_422_naming_it(tenant_a: Tenant, body: Any) -> None:
    message = assert_error(put(tenant_a, "crm", body), 422, "invalid_input")
    assert "CRM_TOKEN" in message
    assert "not set" in message
    assert_error(tenant_a.http.get("/v1/connectors/crm"), 404, "not_found")


@pytest.mark.parametrize(
    ("namespace", "body", "named"),
    [
        ("crm", {"type": "carrier-pigeon", "config": {}}, "type"),
        ("crm", {"type": "remote", "config": {}}, "config: url"),
        ("crm", {"type": "remote", "config": {"url": "ftp://x"}}, "config: url"),
        ("crm", {"type": "remote", "config": {"url": "https://x", "colour": "red"}}, "config: colour"),
        ("crm", {"type": "http", "config": {"base_url": "https://x", "auth": "bearer"}}, "token"),
        ("crm", {"type": "remote", "config": "https://x"}, "config"),
        ("crm", {"type": "remote"}, "config"),
        ("fetch", REMOTE, "namespace"),
        ("then", REMOTE, "namespace"),
        ("1crm", REMOTE, "namespace"),
    ],
)
def test_an_unknown_type_or_bad_config_is_422_naming_what(
    tenant_a: Tenant, namespace: str, body: Any, named: str
) -> None:
    tenant_a.http.put("/v1/secrets/CRM_TOKEN", json={"value": TOKEN})
    message = assert_error(put(tenant_a, namespace, body), 422, "invalid_input")
    assert named in message


def test_a_refused_put_stores_nothing(tenant_a: Tenant, platform: Platform) -> None:
    body = {"type": "http", "config": {"base_url": "not a url", "auth": "bearer", "token": TOKEN}}

    assert_error(put(tenant_a, "api", body), 422, "invalid_input")

    assert tenant_a.http.get("/v1/connectors").json() == {"connectors": []}
    assert platform.secrets.values(tenant_a.workspace.id) == {}


def test_delete_is_204_then_404_and_takes_the_secrets_it_stored(tenant_a: Tenant, platform: Platform) -> None:
    tenant_a.http.put("/v1/secrets/CRM_TOKEN", json={"value": TOKEN})
    put(tenant_a, "api", HTTP_WITH_LITERAL)
    put(tenant_a, "crm", REMOTE)

    assert tenant_a.http.delete("/v1/connectors/api").status_code == 204
    assert tenant_a.http.delete("/v1/connectors/crm").status_code == 204

    assert_error(tenant_a.http.delete("/v1/connectors/api"), 404, "not_found")
    assert tenant_a.http.get("/v1/connectors").json() == {"connectors": []}
    # The workspace's own secret, which the connector only named, stays.
    assert platform.secrets.values(tenant_a.workspace.id) == {"CRM_TOKEN": TOKEN}


def test_replacing_a_literal_by_a_reference_removes_the_stored_literal(
    tenant_a: Tenant, platform: Platform
) -> None:
    put(tenant_a, "api", HTTP_WITH_LITERAL)
    tenant_a.http.put("/v1/secrets/API_TOKEN", json={"value": "another"})
    config = {**HTTP_WITH_LITERAL["config"], "token": {"secret": "API_TOKEN"}}

    response = put(tenant_a, "api", {"type": "http", "config": config})

    assert response.json()["config"]["token"] == {"secret": "API_TOKEN"}
    assert platform.secrets.names(tenant_a.workspace.id) == ["API_TOKEN"]


def test_another_workspaces_connector_is_404_and_namespaces_are_per_workspace(
    tenant_a: Tenant, tenant_b: Tenant
) -> None:
    tenant_a.http.put("/v1/secrets/CRM_TOKEN", json={"value": TOKEN})
    put(tenant_a, "crm", REMOTE)

    assert_error(tenant_b.http.get("/v1/connectors/crm"), 404, "not_found")
    assert_error(tenant_b.http.delete("/v1/connectors/crm"), 404, "not_found")
    assert tenant_b.http.get("/v1/connectors").json() == {"connectors": []}
    # B cannot use A's secret either: the name is looked up in B's own store.
    assert_error(put(tenant_b, "crm", REMOTE), 422, "invalid_input")

    assert tenant_a.http.get("/v1/connectors/crm").status_code == 200


@pytest.mark.parametrize(
    ("method", "path"),
    [("PUT", "/v1/connectors/crm"), ("GET", "/v1/connectors"), ("DELETE", "/v1/connectors/crm")],
)
def test_connectors_need_a_workspace_key(anon: TestClient, method: str, path: str) -> None:
    assert_error(anon.request(method, path, json=REMOTE), 401, "unauthorized")
