"""Nothing crosses workspaces: B's key sees A's objects as absent (404, never 403), and B's
lists never show them."""

from typing import Any

import pytest
from api_support import STEP_FILE, Tenant, assert_error, force_state, store_step

from aloma_core.model import TaskState
from aloma_core.services import Platform

STEP = "validate email"
SECRET = "A_ONLY"


@pytest.fixture
def a_task(tenant_a: Tenant, platform: Platform) -> dict[str, Any]:
    """A's task, incomplete: resumable and patchable by A, so a 404 for B can only be isolation."""
    task: dict[str, Any] = tenant_a.http.post("/v1/tasks", json={"name": "a's", "data": {"x": 1}}).json()
    force_state(platform, tenant_a.workspace, task["id"], TaskState.INCOMPLETE)
    store_step(platform, tenant_a.workspace, STEP)
    tenant_a.http.put(f"/v1/secrets/{SECRET}", json={"value": "a-secret"})
    return task


@pytest.mark.parametrize(
    "route",
    [
        ("GET", "/v1/tasks/{id}", None),
        ("GET", "/v1/tasks/{id}/history", None),
        ("PATCH", "/v1/tasks/{id}", {"data": {"x": 2}}),
        ("POST", "/v1/tasks/{id}/resume", None),
        ("GET", "/v1/steps/{step}", None),
        ("DELETE", "/v1/steps/{step}", None),
        ("DELETE", "/v1/secrets/{secret}", None),
    ],
    ids=lambda route: f"{route[0]} {route[1]}",
)
def test_b_gets_404_on_a_s_objects_where_a_succeeds(
    tenant_a: Tenant, tenant_b: Tenant, a_task: dict[str, Any], route: tuple[str, str, Any]
) -> None:
    method, path, body = route
    url = path.format(id=a_task["id"], step=STEP, secret=SECRET)

    assert_error(tenant_b.http.request(method, url, json=body), 404, "not_found")
    assert tenant_a.http.request(method, url, json=body).status_code in {200, 202, 204}


def test_b_s_failed_attempts_leave_a_s_objects_alone(
    tenant_a: Tenant, tenant_b: Tenant, a_task: dict[str, Any]
) -> None:
    before = tenant_a.http.get(f"/v1/tasks/{a_task['id']}").json()
    tenant_b.http.patch(f"/v1/tasks/{a_task['id']}", json={"data": {"x": 2}})
    tenant_b.http.post(f"/v1/tasks/{a_task['id']}/resume")
    tenant_b.http.delete(f"/v1/steps/{STEP}")
    tenant_b.http.delete(f"/v1/secrets/{SECRET}")

    assert tenant_a.http.get(f"/v1/tasks/{a_task['id']}").json() == before
    assert tenant_a.http.get(f"/v1/steps/{STEP}").status_code == 200
    assert tenant_a.http.get("/v1/secrets").json() == {"secrets": [SECRET]}


def test_b_s_lists_never_show_a_s_objects(tenant_a: Tenant, tenant_b: Tenant, a_task: dict[str, Any]) -> None:
    assert tenant_b.http.get("/v1/tasks").json() == {"tasks": [], "next": None}
    assert tenant_b.http.get("/v1/tasks", params={"state": "incomplete"}).json()["tasks"] == []
    assert tenant_b.http.get("/v1/steps").json() == {"steps": []}
    assert tenant_b.http.get("/v1/secrets").json() == {"secrets": []}
    assert [t["id"] for t in tenant_a.http.get("/v1/tasks").json()["tasks"]] == [a_task["id"]]


def test_a_s_cursor_pages_nothing_of_a_for_b(
    tenant_a: Tenant, tenant_b: Tenant, a_task: dict[str, Any]
) -> None:
    tenant_a.http.post("/v1/tasks", json={"data": {}})
    cursor = tenant_a.http.get("/v1/tasks", params={"limit": 1}).json()["next"]
    assert tenant_b.http.get("/v1/tasks", params={"cursor": cursor}).json()["tasks"] == []


def test_b_putting_a_step_of_the_same_name_creates_its_own(
    tenant_a: Tenant, tenant_b: Tenant, a_task: dict[str, Any]
) -> None:
    a_before = tenant_a.http.get(f"/v1/steps/{STEP}").json()
    response = tenant_b.http.put(f"/v1/steps/{STEP}", json={"source": STEP_FILE})
    assert response.status_code == 201
    assert response.json()["version"] == 1
    assert tenant_a.http.get(f"/v1/steps/{STEP}").json() == a_before
