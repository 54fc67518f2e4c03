"""Health, the OpenAPI document, request ids, routing errors and the 500 answer."""

import re

import pytest
from api_support import ADMIN_TOKEN, Tenant, assert_error
from fastapi.testclient import TestClient

from aloma_core.api import create_app
from aloma_core.services import Platform

# Every route of the api.md table, as (method, path template) the OpenAPI document must list.
API_MD_ROUTES = {
    ("get", "/v1/health"),
    ("post", "/v1/workspaces"),
    ("get", "/v1/workspaces"),
    ("get", "/v1/workspace"),
    ("patch", "/v1/workspace"),
    ("put", "/v1/steps/{name}"),
    ("get", "/v1/steps"),
    ("get", "/v1/steps/{name}"),
    ("delete", "/v1/steps/{name}"),
    ("post", "/v1/tasks"),
    ("get", "/v1/tasks/{task_id}"),
    ("get", "/v1/tasks"),
    ("get", "/v1/tasks/{task_id}/history"),
    ("patch", "/v1/tasks/{task_id}"),
    ("post", "/v1/tasks/{task_id}/resume"),
    ("put", "/v1/secrets/{name}"),
    ("get", "/v1/secrets"),
    ("delete", "/v1/secrets/{name}"),
    ("put", "/v1/connectors/{namespace}"),
    ("get", "/v1/connectors"),
    ("delete", "/v1/connectors/{namespace}"),
    ("post", "/v1/webhooks"),
    ("post", "/v1/hooks/{key}"),
}
# Routes the README adds to the contract: one connector, webhooks listed and deleted, cancelling a
# task, and schedules.
ADDED_ROUTES = {
    ("get", "/v1/connectors/{namespace}"),
    ("get", "/v1/webhooks"),
    ("delete", "/v1/webhooks/{name}"),
    ("post", "/v1/tasks/{task_id}/cancel"),
    ("put", "/v1/schedules/{name}"),
    ("get", "/v1/schedules"),
    ("get", "/v1/schedules/{name}"),
    ("delete", "/v1/schedules/{name}"),
}
# Routes the dashboard (issue 11) needs: filters' counts, data at a point, rerun, clone, bulk actions
# and which steps match some data.
DASHBOARD_ROUTES = {
    ("get", "/v1/tasks/counts"),
    ("get", "/v1/tasks/{task_id}/data"),
    ("post", "/v1/tasks/{task_id}/rerun"),
    ("post", "/v1/tasks/{task_id}/clone"),
    ("post", "/v1/tasks/bulk"),
    ("post", "/v1/steps/match"),
}
# Shared libraries, and replacing a workspace's key (by the workspace, or by the admin for a lost key).
LIBRARY_ROUTES = {
    ("put", "/v1/libraries/{name}"),
    ("get", "/v1/libraries"),
    ("get", "/v1/libraries/{name}"),
    ("delete", "/v1/libraries/{name}"),
}
KEY_ROUTES = {("post", "/v1/workspace/rotate-key"), ("post", "/v1/workspaces/{workspace_id}/rotate-key")}


def test_health_answers_without_auth(anon: TestClient) -> None:
    response = anon.get("/v1/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_health_ignores_a_bad_key(anon: TestClient) -> None:
    assert anon.get("/v1/health", headers={"Authorization": "Bearer nope"}).status_code == 200


def test_openapi_lists_every_route_of_the_contract(anon: TestClient) -> None:
    spec = anon.get("/openapi.json").json()
    listed = {(method, path) for path, operations in spec["paths"].items() for method in operations}
    assert listed == API_MD_ROUTES | ADDED_ROUTES | DASHBOARD_ROUTES | LIBRARY_ROUTES | KEY_ROUTES


def test_openapi_documents_error_bodies_and_tags(anon: TestClient) -> None:
    spec = anon.get("/openapi.json").json()
    create = spec["paths"]["/v1/tasks"]["post"]
    assert create["tags"] == ["tasks"]
    for status in ("401", "413", "422"):
        schema = create["responses"][status]["content"]["application/json"]["schema"]
        assert schema == {"$ref": "#/components/schemas/ErrorBody"}
    assert "201" in create["responses"]
    put_step = spec["paths"]["/v1/steps/{name}"]["put"]["responses"]
    assert {"200", "201"} <= set(put_step)
    # FastAPI's own validation error shape is never what the API answers, so it is never documented.
    assert "HTTPValidationError" not in spec["components"]["schemas"]


def test_docs_page_is_served(anon: TestClient) -> None:
    response = anon.get("/docs")
    assert response.status_code == 200
    assert "text/html" in response.headers["content-type"]


def test_unknown_route_is_404_with_the_error_body(anon: TestClient) -> None:
    message = assert_error(anon.get("/v1/nothing-here"), 404, "not_found")
    assert "/v1/nothing-here" in message


def test_wrong_method_is_405_with_the_error_body(anon: TestClient) -> None:
    response = anon.delete("/v1/health")
    assert_error(response, 405, "method_not_allowed")
    assert response.headers["allow"] == "GET"


def test_known_route_with_its_method_is_not_405(tenant_a: Tenant) -> None:
    assert tenant_a.http.get("/v1/tasks").status_code == 200


REQUEST_ID = "X-Request-Id"


def test_a_request_id_is_generated_when_none_is_sent(anon: TestClient) -> None:
    first = anon.get("/v1/health").headers[REQUEST_ID]
    second = anon.get("/v1/health").headers[REQUEST_ID]
    assert re.fullmatch(r"[0-9a-f]{32}", first)
    assert first != second


def test_a_valid_incoming_request_id_is_echoed(anon: TestClient) -> None:
    response = anon.get("/v1/health", headers={REQUEST_ID: "client-42.a:b"})
    assert response.headers[REQUEST_ID] == "client-42.a:b"


@pytest.mark.parametrize("bad", ["has space", "x" * 200, "<script>", "-leading-dash"])
def test_an_invalid_incoming_request_id_is_replaced(anon: TestClient, bad: str) -> None:
    response = anon.get("/v1/health", headers={REQUEST_ID: bad})
    assert re.fullmatch(r"[0-9a-f]{32}", response.headers[REQUEST_ID])


def test_error_answers_carry_a_request_id_too(anon: TestClient) -> None:
    for response in (anon.get("/v1/tasks"), anon.get("/nowhere"), anon.delete("/v1/health")):
        assert response.status_code >= 400
        assert response.headers[REQUEST_ID]


def test_an_unexpected_error_is_a_bare_500(
    tenant_a: Tenant, platform: Platform, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(*_args: object) -> None:
        raise RuntimeError("db password is hunter2")

    monkeypatch.setattr(platform, "get_task", broken)
    response = tenant_a.http.get("/v1/tasks/some-id", headers={REQUEST_ID: "trace-me"})

    message = assert_error(response, 500, "internal_error")
    assert "hunter2" not in response.text
    assert "Traceback" not in response.text
    assert "trace-me" in message
    assert response.headers[REQUEST_ID] == "trace-me"
    assert any("hunter2" in str(record.exc_info) for record in caplog.records)


class Overloaded(Exception):
    """What a home names transient: a backing service over capacity for a moment."""


def test_an_error_the_home_calls_transient_is_a_503_to_retry(
    tenant_a: Tenant, platform: Platform, monkeypatch: pytest.MonkeyPatch
) -> None:
    def overloaded(*_args: object) -> None:
        raise Overloaded("throttled")

    app = create_app(platform, admin_token=ADMIN_TOKEN, is_transient=lambda e: isinstance(e, Overloaded))
    monkeypatch.setattr(platform, "get_task", overloaded)
    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.get(
            "/v1/tasks/some-id", headers={"Authorization": f"Bearer {tenant_a.key}", REQUEST_ID: "busy-1"}
        )

    message = assert_error(response, 503, "unavailable")
    assert "try again" in message
    assert "busy-1" in message
    assert response.headers["Retry-After"] == "1"
    assert response.headers[REQUEST_ID] == "busy-1"


def test_an_error_the_home_does_not_call_transient_stays_a_500(
    tenant_a: Tenant, platform: Platform, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_args: object) -> None:
        raise RuntimeError("a bug")

    app = create_app(platform, admin_token=ADMIN_TOKEN, is_transient=lambda e: isinstance(e, Overloaded))
    monkeypatch.setattr(platform, "get_task", broken)
    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.get("/v1/tasks/some-id", headers={"Authorization": f"Bearer {tenant_a.key}"})

    assert_error(response, 500, "internal_error")
    assert "Retry-After" not in response.headers
