"""Who may call what: workspace keys, the admin token, and the 401 every other caller gets."""

from typing import Any

import pytest
from api_support import ADMIN_TOKEN, Tenant, assert_error
from fastapi.testclient import TestClient

from aloma_core.api import create_app
from aloma_core.services import Platform

# Every workspace route with a valid body, so that a 401 can only come from the credentials.
WORKSPACE_ROUTES: list[tuple[str, str, dict[str, Any] | None]] = [
    ("GET", "/v1/workspace", None),
    ("PATCH", "/v1/workspace", {"settings": {}}),
    ("PUT", "/v1/steps/s", {"source": "export const condition = {};"}),
    ("GET", "/v1/steps", None),
    ("GET", "/v1/steps/s", None),
    ("DELETE", "/v1/steps/s", None),
    ("POST", "/v1/tasks", {"data": {}}),
    ("GET", "/v1/tasks", None),
    ("GET", "/v1/tasks/t", None),
    ("GET", "/v1/tasks/t/history", None),
    ("PATCH", "/v1/tasks/t", {"data": {}}),
    ("POST", "/v1/tasks/t/resume", None),
    ("PUT", "/v1/secrets/S", {"value": "v"}),
    ("GET", "/v1/secrets", None),
    ("DELETE", "/v1/secrets/S", None),
    ("PUT", "/v1/connectors/ns", {"type": "remote", "config": {}}),
    ("GET", "/v1/connectors", None),
    ("DELETE", "/v1/connectors/ns", None),
    ("POST", "/v1/webhooks", {"name": "w"}),
]
ADMIN_ROUTES: list[tuple[str, str, dict[str, Any] | None]] = [
    ("POST", "/v1/workspaces", {"name": "new"}),
    ("GET", "/v1/workspaces", None),
]

ids = [f"{method} {path}" for method, path, _ in WORKSPACE_ROUTES]


def call(client: TestClient, route: tuple[str, str, dict[str, Any] | None], **headers: str) -> Any:
    method, path, body = route
    return client.request(method, path, json=body, headers=headers)


def assert_unauthorized(response: Any) -> None:
    assert_error(response, 401, "unauthorized")
    assert response.headers["www-authenticate"] == "Bearer"


@pytest.mark.parametrize("route", WORKSPACE_ROUTES, ids=ids)
def test_workspace_route_without_a_key_is_401(anon: TestClient, route: tuple[str, str, Any]) -> None:
    assert_unauthorized(call(anon, route))


@pytest.mark.parametrize("route", WORKSPACE_ROUTES, ids=ids)
def test_workspace_route_with_an_unknown_key_is_401(anon: TestClient, route: tuple[str, str, Any]) -> None:
    assert_unauthorized(call(anon, route, Authorization="Bearer alk_not-a-real-key"))


@pytest.mark.parametrize("route", WORKSPACE_ROUTES, ids=ids)
def test_workspace_route_refuses_the_admin_token(admin: TestClient, route: tuple[str, str, Any]) -> None:
    assert_unauthorized(call(admin, route))


@pytest.mark.parametrize("route", WORKSPACE_ROUTES, ids=ids)
def test_workspace_route_accepts_its_key(tenant_a: Tenant, route: tuple[str, str, Any]) -> None:
    assert call(tenant_a.http, route).status_code != 401


@pytest.mark.parametrize(
    "authorization", ["", "Bearer", "Bearer ", "Basic dXNlcjpwYXNz", "bearer-ish alk_x", "Token abc"]
)
def test_malformed_authorization_headers_are_401(anon: TestClient, authorization: str) -> None:
    assert_unauthorized(anon.get("/v1/tasks", headers={"Authorization": authorization}))


def test_the_bearer_scheme_is_case_insensitive(tenant_a: Tenant, anon: TestClient) -> None:
    response = anon.get("/v1/tasks", headers={"Authorization": f"bearer {tenant_a.key}"})
    assert response.status_code == 200


# Admin routes


def test_admin_creates_a_workspace_whose_key_works(admin: TestClient, anon: TestClient) -> None:
    response = admin.post("/v1/workspaces", json={"name": "acme"})
    assert response.status_code == 201
    created = response.json()
    assert set(created) == {"id", "name", "api_key"}
    assert created["name"] == "acme"

    own = anon.get("/v1/workspace", headers={"Authorization": f"Bearer {created['api_key']}"})
    assert own.status_code == 200
    assert own.json()["id"] == created["id"]


def test_admin_lists_workspaces_without_keys(admin: TestClient, tenant_a: Tenant, tenant_b: Tenant) -> None:
    response = admin.get("/v1/workspaces")
    assert response.status_code == 200
    listed = response.json()["workspaces"]
    assert {"id": tenant_a.workspace.id, "name": "workspace A"} in listed
    assert {"id": tenant_b.workspace.id, "name": "workspace B"} in listed
    assert all(set(item) == {"id", "name"} for item in listed)
    assert tenant_a.key not in response.text


@pytest.mark.parametrize("route", ADMIN_ROUTES, ids=["create", "list"])
def test_admin_route_refuses_a_workspace_key(tenant_a: Tenant, route: tuple[str, str, Any]) -> None:
    assert_unauthorized(call(tenant_a.http, route))


@pytest.mark.parametrize("route", ADMIN_ROUTES, ids=["create", "list"])
def test_admin_route_without_a_token_is_401(anon: TestClient, route: tuple[str, str, Any]) -> None:
    assert_unauthorized(call(anon, route))


@pytest.mark.parametrize("route", ADMIN_ROUTES, ids=["create", "list"])
def test_admin_route_with_a_wrong_token_is_401(anon: TestClient, route: tuple[str, str, Any]) -> None:
    assert_unauthorized(call(anon, route, Authorization=f"Bearer {ADMIN_TOKEN}x"))


@pytest.mark.parametrize("route", ADMIN_ROUTES, ids=["create", "list"])
@pytest.mark.parametrize("token", [ADMIN_TOKEN, "", "None"])
def test_without_an_admin_token_configured_admin_routes_are_closed(
    platform: Platform, route: tuple[str, str, Any], token: str
) -> None:
    with TestClient(create_app(platform, admin_token=None)) as client:
        assert_unauthorized(call(client, route, Authorization=f"Bearer {token}"))


def test_an_empty_admin_token_opens_nothing(platform: Platform) -> None:
    with TestClient(create_app(platform, admin_token="")) as client:
        assert_unauthorized(client.get("/v1/workspaces", headers={"Authorization": "Bearer "}))


@pytest.mark.parametrize("name", ["", "   ", "x" * 201])
def test_workspace_name_is_checked(admin: TestClient, name: str) -> None:
    assert_error(admin.post("/v1/workspaces", json={"name": name}), 422, "invalid_input")


def test_workspace_name_must_be_a_string(admin: TestClient) -> None:
    message = assert_error(admin.post("/v1/workspaces", json={"name": 7}), 422, "invalid_input")
    assert "body.name" in message
