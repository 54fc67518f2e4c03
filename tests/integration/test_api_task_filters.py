"""`GET /v1/tasks` filters and `GET /v1/tasks/counts` over HTTP, and their errors."""

from typing import Any

import pytest
from api_support import Tenant, assert_error, force_state

from aloma_core.model import TaskState
from aloma_core.services import Platform


def create(tenant: Tenant, data: dict[str, Any], name: str | None = None) -> str:
    response = tenant.http.post("/v1/tasks", json={"name": name, "data": data})
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def ids(tenant: Tenant, **params: Any) -> list[str]:
    response = tenant.http.get("/v1/tasks", params=params)
    assert response.status_code == 200, response.text
    return [task["id"] for task in response.json()["tasks"]]


def test_list_filters_by_name_tag_step_search_and_time(tenant_a: Tenant, platform: Platform) -> None:
    first = create(tenant_a, {"city": "Bern"}, "order")
    second = create(tenant_a, {"city": "Basel"}, "refund")
    force_state(platform, tenant_a.workspace, second, TaskState.ERROR, tags=("vip",), ran=("charge",))
    created = {t: platform.get_task(tenant_a.workspace, t).created_at for t in (first, second)}

    assert ids(tenant_a, name="order") == [first]
    assert ids(tenant_a, name="ord") == []
    assert ids(tenant_a, tag="vip") == [second]
    assert ids(tenant_a, step="charge") == [second]
    assert ids(tenant_a, step="ship") == []
    assert ids(tenant_a, q='"city":"Bern"') == [first]
    assert ids(tenant_a, q="bern") == []
    assert ids(tenant_a, created_after=created[second]) == [second]
    assert ids(tenant_a, created_before=created[second]) == [first]
    assert ids(tenant_a, state="error", step="charge") == [second]
    assert ids(tenant_a, state="running", step="charge") == []


def test_counts_give_every_state_and_the_total(tenant_a: Tenant, platform: Platform) -> None:
    create(tenant_a, {}, "order")
    failed = create(tenant_a, {}, "order")
    create(tenant_a, {}, "other")
    force_state(platform, tenant_a.workspace, failed, TaskState.ERROR)

    body = tenant_a.http.get("/v1/tasks/counts").json()
    assert body["counts"] == {
        "running": 2,
        "waiting": 0,
        "done": 0,
        "ignored": 0,
        "error": 1,
        "incomplete": 0,
        "cancelled": 0,
    }
    assert body["total"] == 3
    assert body["exact"] is True
    filtered = tenant_a.http.get("/v1/tasks/counts", params={"name": "order"}).json()
    assert (filtered["counts"]["running"], filtered["counts"]["error"], filtered["total"]) == (1, 1, 2)


def test_counts_of_another_workspace_see_none_of_these_tasks(tenant_a: Tenant, tenant_b: Tenant) -> None:
    create(tenant_a, {}, "order")
    assert tenant_b.http.get("/v1/tasks/counts").json()["total"] == 0
    assert ids(tenant_b, name="order") == []


@pytest.mark.parametrize("path", ["/v1/tasks", "/v1/tasks/counts"])
@pytest.mark.parametrize(
    ("params", "where"),
    [
        ({"created_after": "yesterday"}, "query.created_after"),
        ({"created_before": -1}, "query.created_before"),
        ({"q": ""}, "query.q"),
    ],
)
def test_bad_filters_are_422(tenant_a: Tenant, path: str, params: dict[str, Any], where: str) -> None:
    message = assert_error(tenant_a.http.get(path, params=params), 422, "invalid_input")
    assert where in message
