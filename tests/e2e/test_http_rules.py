"""api.md's status rules over real HTTP: isolation, auth, size and shape errors, secrets."""

import json
from typing import Any

import httpx
import pytest
from e2e_support import Server, Workspace

STEP = "only step"
SOURCE = "export const condition = {a: 1};\nexport const content = async () => { data.b = 2; };\n"


@pytest.fixture(scope="module")
def tenants(server: Server) -> tuple[Workspace, Workspace, dict[str, Any]]:
    a, b = server.workspace("a"), server.workspace("b")
    a.put_step(STEP, SOURCE)
    assert a.client.put("/v1/secrets/A_ONLY", json={"value": "a-secret-value"}).status_code == 204
    task_id = a.new_task({"a": 1})
    return a, b, a.settle(task_id)


ROUTES = [
    ("GET", "/v1/tasks/{id}", None),
    ("GET", "/v1/tasks/{id}/history", None),
    ("PATCH", "/v1/tasks/{id}", {"data": {"x": 2}}),
    ("POST", "/v1/tasks/{id}/resume", None),
    ("GET", "/v1/steps/{step}", None),
    ("DELETE", "/v1/steps/{step}", None),
    ("DELETE", "/v1/secrets/A_ONLY", None),
]


@pytest.mark.parametrize(("method", "path", "body"), ROUTES)
def test_another_workspace_gets_404_on_every_route(
    tenants: tuple[Workspace, Workspace, dict[str, Any]], method: str, path: str, body: Any
) -> None:
    _a, b, task = tenants
    answer = b.client.request(method, path.format(id=task["id"], step=STEP), json=body)
    assert answer.status_code == 404
    assert answer.json()["error"]["code"] == "not_found"


def test_another_workspace_lists_nothing_of_a(tenants: tuple[Workspace, Workspace, dict[str, Any]]) -> None:
    _a, b, _task = tenants
    assert b.client.get("/v1/tasks").json() == {"tasks": [], "next": None}
    assert b.client.get("/v1/steps").json() == {"steps": []}
    assert b.client.get("/v1/secrets").json() == {"secrets": []}


@pytest.mark.parametrize("header", [None, "Bearer nope", "Basic abc"])
def test_missing_or_bad_keys_get_401(server: Server, header: str | None) -> None:
    headers = {} if header is None else {"Authorization": header}
    answer = httpx.get(f"{server.url}/v1/tasks", headers=headers)
    assert answer.status_code == 401
    assert answer.json()["error"]["code"] == "unauthorized"
    assert answer.headers["x-request-id"]


def test_health_needs_no_key(server: Server) -> None:
    assert httpx.get(f"{server.url}/v1/health").json() == {"status": "ok"}


def test_a_body_over_1_mib_gets_413_by_length_and_when_chunked(server: Server) -> None:
    ws = server.workspace()
    big = json.dumps({"data": {"x": "y" * (1024 * 1024)}}).encode()
    assert ws.client.post("/v1/tasks", content=big).status_code == 413

    def chunks() -> Any:
        for start in range(0, len(big), 65536):
            yield big[start : start + 65536]

    chunked = ws.client.post("/v1/tasks", content=chunks())
    assert chunked.status_code == 413
    assert chunked.json()["error"]["code"] == "too_large"


def test_task_data_over_the_task_size_limit_gets_413(server: Server) -> None:
    ws = server.workspace()
    answer = ws.client.post("/v1/tasks", json={"data": {"x": "y" * (300 * 1024)}})
    assert answer.status_code == 413
    assert "task size limit" in answer.json()["error"]["message"]


@pytest.mark.parametrize(
    ("body", "fragment"),
    [(b"{not json", "JSON"), (b'{"data": [1]}', "data"), (b'{"data": {"a": 1}, "name": 5}', "name")],
)
def test_malformed_or_wrongly_typed_bodies_get_422(server: Server, body: bytes, fragment: str) -> None:
    ws = server.workspace()
    answer = ws.client.post("/v1/tasks", content=body, headers={"Content-Type": "application/json"})
    assert answer.status_code == 422
    assert fragment in answer.json()["error"]["message"]


def test_a_step_with_a_syntax_error_is_refused_with_its_line(server: Server) -> None:
    ws = server.workspace()
    source = "export const condition = {a: 1};\nexport const content = async () => {\n  data.b = ;\n};\n"
    answer = ws.client.put("/v1/steps/broken", json={"source": source})
    assert answer.status_code == 422
    assert "line 3" in answer.json()["error"]["message"]
    assert ws.client.get("/v1/steps/broken").status_code == 404


def test_unknown_ids_get_404(server: Server) -> None:
    ws = server.workspace()
    assert ws.client.get("/v1/tasks/nope").status_code == 404
    assert ws.client.post("/v1/tasks/nope/resume").status_code == 404


def test_secret_values_are_never_answered(tenants: tuple[Workspace, Workspace, dict[str, Any]]) -> None:
    a, _b, task = tenants
    paths = ("/v1/secrets", f"/v1/tasks/{task['id']}/history", "/v1/tasks")
    answers = [a.client.get(path).text for path in paths]
    assert all("a-secret-value" not in text for text in answers)
