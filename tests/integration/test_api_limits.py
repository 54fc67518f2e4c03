"""413: request bodies over the API's limit (declared or streamed), and task data over the workspace's."""

from collections.abc import Iterator
from typing import Any

import pytest
from api_support import Tenant, assert_error
from fastapi.testclient import TestClient

from aloma_core.api import create_app
from aloma_core.services import Platform

LIMIT = 2048


@pytest.fixture
def small(platform: Platform, tenant_a: Tenant) -> Iterator[TestClient]:
    """Workspace A on an app whose body limit is 2 KiB."""
    app = create_app(platform, admin_token=None, max_body_bytes=LIMIT)
    with TestClient(app, headers={"Authorization": f"Bearer {tenant_a.key}"}) as client:
        yield client


def task_body(size: int) -> bytes:
    """A task creation body of exactly `size` bytes."""
    frame = b'{"data": {"pad": ""}}'
    return frame[:-3] + b"x" * (size - len(frame)) + frame[-3:]


def post(client: TestClient, content: Any, **headers: str) -> Any:
    return client.post("/v1/tasks", content=content, headers={"Content-Type": "application/json", **headers})


def test_a_body_at_the_limit_is_accepted(small: TestClient) -> None:
    assert post(small, task_body(LIMIT)).status_code == 201


def test_a_body_over_the_limit_is_413_by_content_length(small: TestClient) -> None:
    response = post(small, task_body(LIMIT + 1))
    message = assert_error(response, 413, "too_large")
    assert str(LIMIT) in message
    assert response.headers["X-Request-Id"]
    assert small.get("/v1/tasks").json()["tasks"] == []


def test_a_declared_length_over_the_limit_is_refused_before_reading(small: TestClient) -> None:
    response = post(small, b"{}", **{"Content-Length": str(LIMIT * 1000)})
    assert_error(response, 413, "too_large")


def chunks(body: bytes, size: int = 500) -> Iterator[bytes]:
    for start in range(0, len(body), size):
        yield body[start : start + size]


def test_a_chunked_body_over_the_limit_is_413(small: TestClient) -> None:
    response = post(small, chunks(task_body(LIMIT + 1)))
    assert response.request.headers.get("transfer-encoding") == "chunked"
    assert "content-length" not in response.request.headers
    assert_error(response, 413, "too_large")
    assert small.get("/v1/tasks").json()["tasks"] == []


def test_a_chunked_body_under_the_limit_is_accepted(small: TestClient) -> None:
    response = post(small, chunks(task_body(LIMIT)))
    assert response.status_code == 201
    assert response.json()["data"]["pad"] == "x" * (LIMIT - len(b'{"data": {"pad": ""}}'))


def test_the_default_limit_is_one_mebibyte(tenant_a: Tenant) -> None:
    assert_error(post(tenant_a.http, task_body(1024 * 1024 + 1)), 413, "too_large")


def test_the_limit_applies_to_every_route(small: TestClient) -> None:
    response = small.put(
        "/v1/secrets/BIG", content=task_body(LIMIT + 1), headers={"Content-Type": "application/json"}
    )
    assert_error(response, 413, "too_large")
    assert small.get("/v1/secrets").json()["secrets"] == []


@pytest.fixture
def one_kib_tasks(tenant_a: Tenant) -> Tenant:
    response = tenant_a.http.patch("/v1/workspace", json={"settings": {"limits": {"task_data_bytes": 1024}}})
    assert response.status_code == 200
    return tenant_a


def test_task_data_over_the_workspace_limit_is_413(one_kib_tasks: Tenant) -> None:
    message = assert_error(
        one_kib_tasks.http.post("/v1/tasks", json={"data": {"pad": "x" * 1100}}), 413, "too_large"
    )
    assert "task size limit" in message


def test_task_data_within_the_workspace_limit_is_accepted(one_kib_tasks: Tenant) -> None:
    assert one_kib_tasks.http.post("/v1/tasks", json={"data": {"pad": "x" * 900}}).status_code == 201


def test_a_patch_growing_data_over_the_limit_is_413(one_kib_tasks: Tenant) -> None:
    task = one_kib_tasks.http.post("/v1/tasks", json={"data": {"a": 1}}).json()
    response = one_kib_tasks.http.patch(f"/v1/tasks/{task['id']}", json={"data": {"pad": "x" * 1100}})
    assert_error(response, 413, "too_large")
    assert one_kib_tasks.http.get(f"/v1/tasks/{task['id']}").json()["data"] == {"a": 1}
