"""Rotating workspace keys over HTTP: by the workspace itself, or by the admin for a lost key.
The new key is shown once; the old one is refused from that answer on."""

from api_support import Tenant, assert_error
from fastapi import FastAPI
from fastapi.testclient import TestClient

from aloma_core.services import Platform


def as_key(app: FastAPI, key: str) -> TestClient:
    return TestClient(app, headers={"Authorization": f"Bearer {key}"}, raise_server_exceptions=False)


def test_a_workspace_rotates_its_own_key(api_app: FastAPI, tenant_a: Tenant) -> None:
    tenant_a.http.post("/v1/tasks", json={"data": {"kept": True}})

    response = tenant_a.http.post("/v1/workspace/rotate-key")

    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"id", "name", "api_key"}
    assert (body["id"], body["name"]) == (tenant_a.workspace.id, "workspace A")
    assert body["api_key"].startswith("alk_") and body["api_key"] != tenant_a.key
    assert_error(tenant_a.http.get("/v1/workspace"), 401, "unauthorized")
    assert_error(tenant_a.http.post("/v1/workspace/rotate-key"), 401, "unauthorized")
    with as_key(api_app, body["api_key"]) as renewed:
        assert renewed.get("/v1/workspace").json()["id"] == tenant_a.workspace.id
        assert [t["data"] for t in renewed.get("/v1/tasks").json()["tasks"]] == [{"kept": True}]


def test_only_the_hash_of_the_new_key_is_stored(platform: Platform, tenant_a: Tenant) -> None:
    new_key = tenant_a.http.post("/v1/workspace/rotate-key").json()["api_key"]
    assert platform.authenticate(new_key).id == tenant_a.workspace.id
    database = platform.workspaces._db  # type: ignore[attr-defined]
    rows = database.read().execute("SELECT key_hash, record FROM workspaces").fetchall()
    assert not any(new_key in column for row in rows for column in row)


def test_rotating_one_workspace_leaves_the_other_s_key_alone(tenant_a: Tenant, tenant_b: Tenant) -> None:
    tenant_a.http.post("/v1/workspace/rotate-key")
    assert tenant_b.http.get("/v1/workspace").status_code == 200


def test_the_admin_rotates_a_lost_key(api_app: FastAPI, admin: TestClient, tenant_a: Tenant) -> None:
    response = admin.post(f"/v1/workspaces/{tenant_a.workspace.id}/rotate-key")

    assert response.status_code == 200
    new_key = response.json()["api_key"]
    assert_error(tenant_a.http.get("/v1/workspace"), 401, "unauthorized")
    with as_key(api_app, new_key) as renewed:
        assert renewed.get("/v1/workspace").json()["id"] == tenant_a.workspace.id


def test_the_admin_rotating_an_unknown_workspace_gets_404(admin: TestClient, tenant_a: Tenant) -> None:
    assert_error(admin.post("/v1/workspaces/ws_unknown/rotate-key"), 404, "not_found")
    assert tenant_a.http.get("/v1/workspace").status_code == 200


def test_a_workspace_key_cannot_use_the_admin_rotation(tenant_a: Tenant, tenant_b: Tenant) -> None:
    assert_error(
        tenant_b.http.post(f"/v1/workspaces/{tenant_a.workspace.id}/rotate-key"), 401, "unauthorized"
    )
    assert_error(
        tenant_a.http.post(f"/v1/workspaces/{tenant_a.workspace.id}/rotate-key"), 401, "unauthorized"
    )
    assert tenant_a.http.get("/v1/workspace").status_code == 200


def test_the_admin_token_is_no_workspace_key(admin: TestClient, anon: TestClient) -> None:
    assert_error(admin.post("/v1/workspace/rotate-key"), 401, "unauthorized")
    assert_error(anon.post("/v1/workspace/rotate-key"), 401, "unauthorized")
    assert admin.get("/v1/workspaces").status_code == 200
