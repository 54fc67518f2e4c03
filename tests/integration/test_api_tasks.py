"""Tasks over HTTP: representation, listing, history, merge patches, resume, and their errors."""

import re
from typing import Any

import pytest
from api_support import Tenant, assert_error, force_state

from aloma_core.model import TaskError, TaskState
from aloma_core.services import Platform

TASK_KEYS = {"id", "name", "state", "data", "result", "tags", "created_at", "updated_at", "runs", "error"} | {
    "wake_at",
    "timeout",
    "waiting_for",
    "parent",
    "children",
}
ISO_MS = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z")


def create(tenant: Tenant, data: dict[str, Any], name: str | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"data": data} if name is None else {"name": name, "data": data}
    response = tenant.http.post("/v1/tasks", json=body)
    assert response.status_code == 201, response.text
    task: dict[str, Any] = response.json()
    return task


def test_created_task_has_exactly_the_public_fields(tenant_a: Tenant) -> None:
    task = create(tenant_a, {"customer": {"email": "a@b.c"}}, name="signup")

    assert set(task) == TASK_KEYS
    assert task["name"] == "signup"
    assert task["state"] == "running"
    assert task["data"] == {"customer": {"email": "a@b.c"}}
    assert (task["wake_at"], task["timeout"], task["waiting_for"], task["parent"], task["children"]) == (
        None,
        None,
        None,
        None,
        [],
    )
    assert (task["result"], task["tags"], task["runs"], task["error"]) == (None, [], 0, None)
    assert ISO_MS.fullmatch(task["created_at"])
    assert task["created_at"].startswith("2025-01-01T00:00:00.")


def test_name_is_optional(tenant_a: Tenant) -> None:
    assert create(tenant_a, {})["name"] is None


def test_a_task_reads_back_as_created(tenant_a: Tenant) -> None:
    task = create(tenant_a, {"n": 1.5, "list": [1, "two", None], "unicode": "é€😀"})
    response = tenant_a.http.get(f"/v1/tasks/{task['id']}")
    assert response.status_code == 200
    assert response.json() == task


def test_unknown_task_is_404(tenant_a: Tenant) -> None:
    for path in ("/v1/tasks/nope", "/v1/tasks/nope/history"):
        assert_error(tenant_a.http.get(path), 404, "not_found")
    assert_error(tenant_a.http.patch("/v1/tasks/nope", json={"data": {}}), 404, "not_found")
    assert_error(tenant_a.http.post("/v1/tasks/nope/resume"), 404, "not_found")


def test_error_shows_step_message_and_line_only_in_error_state(tenant_a: Tenant, platform: Platform) -> None:
    task = create(tenant_a, {"a": 1})
    failure = TaskError(step="validate email", message="TypeError: boom", line=3)
    force_state(platform, tenant_a.workspace, task["id"], TaskState.ERROR, error=failure)

    shown = tenant_a.http.get(f"/v1/tasks/{task['id']}").json()
    assert shown["state"] == "error"
    assert shown["error"] == {"step": "validate email", "message": "TypeError: boom", "line": 3}


# Listing


def test_list_is_newest_first_and_pages_with_a_cursor(tenant_a: Tenant) -> None:
    ids = [create(tenant_a, {"i": i})["id"] for i in range(5)]

    first = tenant_a.http.get("/v1/tasks", params={"limit": 2}).json()
    assert [t["id"] for t in first["tasks"]] == ids[::-1][:2]
    assert first["next"]
    second = tenant_a.http.get("/v1/tasks", params={"limit": 2, "cursor": first["next"]}).json()
    third = tenant_a.http.get("/v1/tasks", params={"limit": 2, "cursor": second["next"]}).json()
    assert [t["id"] for t in second["tasks"] + third["tasks"]] == ids[::-1][2:]
    assert third["next"] is None


def test_list_defaults_to_50(tenant_a: Tenant) -> None:
    for i in range(51):
        create(tenant_a, {"i": i})
    page = tenant_a.http.get("/v1/tasks").json()
    assert len(page["tasks"]) == 50
    assert page["next"] is not None


def test_list_filters_by_state(tenant_a: Tenant, platform: Platform) -> None:
    running = create(tenant_a, {})
    done = create(tenant_a, {})
    force_state(platform, tenant_a.workspace, done["id"], TaskState.DONE)

    only_done = tenant_a.http.get("/v1/tasks", params={"state": "done"}).json()["tasks"]
    assert [t["id"] for t in only_done] == [done["id"]]
    only_running = tenant_a.http.get("/v1/tasks", params={"state": "running"}).json()["tasks"]
    assert [t["id"] for t in only_running] == [running["id"]]


@pytest.mark.parametrize(
    ("params", "where"),
    [
        ({"state": "finished"}, "query.state"),
        ({"limit": 0}, "query.limit"),
        ({"limit": 201}, "query.limit"),
        ({"limit": "many"}, "query.limit"),
    ],
)
def test_bad_list_parameters_are_422(tenant_a: Tenant, params: dict[str, Any], where: str) -> None:
    message = assert_error(tenant_a.http.get("/v1/tasks", params=params), 422, "invalid_input")
    assert where in message


# History


def test_history_is_oldest_first_with_iso_times(tenant_a: Tenant) -> None:
    task = create(tenant_a, {"a": 1}, name="n")
    tenant_a.http.patch(f"/v1/tasks/{task['id']}", json={"data": {"b": 2}})

    response = tenant_a.http.get(f"/v1/tasks/{task['id']}/history")
    assert response.status_code == 200
    events = response.json()["events"]
    assert [(e["seq"], e["type"]) for e in events] == [(1, "created"), (2, "patched")]
    assert all(ISO_MS.fullmatch(e["at"]) for e in events)
    assert events[1]["changes"] == [{"op": "set", "path": ["b"], "value": 2}]


# Patch and resume


def test_patch_merges_rfc_7396(tenant_a: Tenant) -> None:
    task = create(tenant_a, {"keep": 1, "drop": 2, "nested": {"a": 1, "b": 2}})
    response = tenant_a.http.patch(
        f"/v1/tasks/{task['id']}", json={"data": {"drop": None, "nested": {"b": None, "c": 3}, "new": [1]}}
    )
    assert response.status_code == 200
    assert response.json()["data"] == {"keep": 1, "nested": {"a": 1, "c": 3}, "new": [1]}


def test_patch_of_a_done_task_is_409(tenant_a: Tenant, platform: Platform) -> None:
    task = create(tenant_a, {"a": 1})
    force_state(platform, tenant_a.workspace, task["id"], TaskState.DONE)
    response = tenant_a.http.patch(f"/v1/tasks/{task['id']}", json={"data": {"a": 2}})
    assert_error(response, 409, "conflict")
    assert tenant_a.http.get(f"/v1/tasks/{task['id']}").json()["data"] == {"a": 1}


def test_patch_wakes_an_incomplete_task(tenant_a: Tenant, platform: Platform) -> None:
    task = create(tenant_a, {"a": 1})
    force_state(platform, tenant_a.workspace, task["id"], TaskState.INCOMPLETE)
    response = tenant_a.http.patch(f"/v1/tasks/{task['id']}", json={"data": {"a": 2}})
    assert response.status_code == 200
    assert response.json()["state"] == "running"


def test_resume_of_a_running_task_is_409(tenant_a: Tenant) -> None:
    task = create(tenant_a, {})
    assert_error(tenant_a.http.post(f"/v1/tasks/{task['id']}/resume"), 409, "conflict")


@pytest.mark.parametrize("state", [TaskState.INCOMPLETE, TaskState.ERROR])
def test_resume_of_an_incomplete_or_failed_task_is_202(
    tenant_a: Tenant, platform: Platform, state: TaskState
) -> None:
    task = create(tenant_a, {})
    error = TaskError(step="s", message="m", line=1) if state is TaskState.ERROR else None
    force_state(platform, tenant_a.workspace, task["id"], state, error=error)

    response = tenant_a.http.post(f"/v1/tasks/{task['id']}/resume")
    assert response.status_code == 202
    assert response.json()["state"] == "running"
    assert response.json()["error"] is None


# Invalid input


@pytest.mark.parametrize(
    ("body", "where"),
    [
        ({"data": [1, 2]}, "body.data"),
        ({"data": "text"}, "body.data"),
        ({"data": None}, "body.data"),
        ({}, "body.data"),
        ({"data": {}, "name": 5}, "body.name"),
        ({"data": {}, "nmae": "typo"}, "body.nmae"),
    ],
)
def test_invalid_task_bodies_are_422_naming_the_field(tenant_a: Tenant, body: Any, where: str) -> None:
    message = assert_error(tenant_a.http.post("/v1/tasks", json=body), 422, "invalid_input")
    assert where in message
    assert tenant_a.http.get("/v1/tasks").json()["tasks"] == []


def test_malformed_json_is_422_with_its_position(tenant_a: Tenant) -> None:
    response = tenant_a.http.post(
        "/v1/tasks", content=b'{"data": {\n  "a": 1,\n}}', headers={"Content-Type": "application/json"}
    )
    message = assert_error(response, 422, "invalid_json")
    assert "line 3, column 1" in message


@pytest.mark.parametrize("number", [b"NaN", b"Infinity", b"-Infinity"])
def test_non_json_numbers_are_422(tenant_a: Tenant, number: bytes) -> None:
    body = b'{"data": {"deep": [1, {"x": ' + number + b"}]}}"
    response = tenant_a.http.post("/v1/tasks", content=body, headers={"Content-Type": "application/json"})
    message = assert_error(response, 422, "invalid_input")
    assert "deep.1.x" in message


def test_a_body_that_is_not_json_is_422(tenant_a: Tenant) -> None:
    response = tenant_a.http.post("/v1/tasks", content=b"data=1", headers={"Content-Type": "text/plain"})
    message = assert_error(response, 422, "invalid_input")
    assert "application/json" in message


def test_a_missing_body_is_422(tenant_a: Tenant) -> None:
    assert_error(tenant_a.http.post("/v1/tasks"), 422, "invalid_input")


def test_patch_data_must_be_an_object(tenant_a: Tenant) -> None:
    task = create(tenant_a, {"a": 1})
    message = assert_error(
        tenant_a.http.patch(f"/v1/tasks/{task['id']}", json={"data": 3}), 422, "invalid_input"
    )
    assert "body.data" in message
