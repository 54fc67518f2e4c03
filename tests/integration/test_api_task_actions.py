"""The dashboard's task routes over HTTP: data at a point, rerun, clone, bulk, and which steps match."""

from typing import Any

import pytest
from api_support import STEP_FILE, Tenant, assert_error, force_state

from aloma_core.model import Claim, ClaimStatus, Event, TaskState
from aloma_core.services import Platform


def create(tenant: Tenant, data: dict[str, Any], name: str | None = "order") -> str:
    response = tenant.http.post("/v1/tasks", json={"name": name, "data": data})
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def failed_after_a_run(platform: Platform, tenant: Tenant, data: dict[str, Any] | None = None) -> str:
    """A task on which step `a` ran (setting `paid`), then step `b` failed: as the pipeline leaves it."""
    task_id = create(tenant, data or {"n": 1})
    task = platform.tasks.get(tenant.workspace.id, task_id)
    done = Claim("c1", "a", ClaimStatus.DONE, 1, 1)
    after_a = task.with_changes(
        version=task.version + 1,
        data={**task.data, "paid": True},
        data_seq=2,
        claims={"a": done},
        runs=2,
        ran=("a", "b"),
        state=TaskState.ERROR,
    )
    events = [
        Event("dispatched", 1, {"step": "a", "version": 1, "claim": "c1"}),
        Event(
            "run",
            2,
            {
                "step": "a",
                "claim": "c1",
                "changes": [{"op": "set", "path": ["paid"], "value": True}],
                "error": None,
            },
        ),
        Event("dispatched", 3, {"step": "b", "version": 1, "claim": "c2"}),
        Event(
            "run", 4, {"step": "b", "claim": "c2", "changes": [], "error": {"step": "b", "message": "boom"}}
        ),
    ]
    assert platform.tasks.save(after_a, task.version, events)
    return task_id


# Data at a point


def test_data_at_each_event_is_replayed_from_the_history(tenant_a: Tenant, platform: Platform) -> None:
    task_id = failed_after_a_run(platform, tenant_a)
    at_created = tenant_a.http.get(f"/v1/tasks/{task_id}/data", params={"at": 1})
    assert at_created.status_code == 200
    assert at_created.json() == {"seq": 1, "data": {"n": 1}}
    assert tenant_a.http.get(f"/v1/tasks/{task_id}/data", params={"at": 3}).json()["data"] == {
        "n": 1,
        "paid": True,
    }
    assert tenant_a.http.get(f"/v1/tasks/{task_id}/data", params={"at": 5}).json()["data"] == {
        "n": 1,
        "paid": True,
    }


def test_data_at_an_unknown_event_is_404_and_a_bad_seq_422(tenant_a: Tenant) -> None:
    task_id = create(tenant_a, {})
    assert_error(tenant_a.http.get(f"/v1/tasks/{task_id}/data", params={"at": 7}), 404, "not_found")
    assert "query.at" in assert_error(
        tenant_a.http.get(f"/v1/tasks/{task_id}/data", params={"at": 0}), 422, "invalid_input"
    )
    assert_error(tenant_a.http.get(f"/v1/tasks/{task_id}/data"), 422, "invalid_input")


# Rerun


def test_rerun_from_a_run_resets_the_data_and_rematches(tenant_a: Tenant, platform: Platform) -> None:
    task_id = failed_after_a_run(platform, tenant_a)

    response = tenant_a.http.post(f"/v1/tasks/{task_id}/rerun", json={"from": 5})

    assert response.status_code == 202, response.text
    task = response.json()
    assert (task["state"], task["data"], task["error"]) == ("running", {"n": 1, "paid": True}, None)
    stored = platform.tasks.get(tenant_a.workspace.id, task_id)
    assert set(stored.claims) == {"a"}
    rerun = tenant_a.http.get(f"/v1/tasks/{task_id}/history").json()["events"][-2]
    assert (rerun["type"], rerun["from"], rerun["edited"]) == ("rerun", 5, False)


def test_rerun_from_the_start_with_edited_data(tenant_a: Tenant, platform: Platform) -> None:
    task_id = failed_after_a_run(platform, tenant_a)
    response = tenant_a.http.post(f"/v1/tasks/{task_id}/rerun", json={"from": None, "data": {"n": 2}})
    assert response.status_code == 202
    assert response.json()["data"] == {"n": 2}
    assert platform.tasks.get(tenant_a.workspace.id, task_id).claims == {}


def test_rerun_of_a_running_task_is_409_suggesting_clone(tenant_a: Tenant) -> None:
    task_id = create(tenant_a, {})
    message = assert_error(tenant_a.http.post(f"/v1/tasks/{task_id}/rerun", json={}), 409, "conflict")
    assert "running" in message and "clone" in message


@pytest.mark.parametrize(
    ("body", "where"),
    [
        ({"from": 1}, "from"),
        ({"from": "2"}, "body.from"),
        ({"from": 0}, "body.from"),
        ({"start": 1}, "body.start"),
    ],
)
def test_bad_rerun_bodies_are_422(
    tenant_a: Tenant, platform: Platform, body: dict[str, Any], where: str
) -> None:
    task_id = failed_after_a_run(platform, tenant_a)
    message = assert_error(tenant_a.http.post(f"/v1/tasks/{task_id}/rerun", json=body), 422, "invalid_input")
    assert where in message


# Clone


def test_clone_makes_a_new_task_from_the_current_data(tenant_a: Tenant, platform: Platform) -> None:
    task_id = failed_after_a_run(platform, tenant_a)

    response = tenant_a.http.post(f"/v1/tasks/{task_id}/clone", json={})

    assert response.status_code == 201, response.text
    clone = response.json()
    assert clone["id"] != task_id
    assert (clone["name"], clone["data"], clone["state"], clone["runs"]) == (
        "order",
        {"n": 1, "paid": True},
        "running",
        0,
    )
    created = tenant_a.http.get(f"/v1/tasks/{clone['id']}/history").json()["events"][0]
    assert created["cloned_from"] == task_id


def test_clone_of_a_done_task_with_new_data_and_name(tenant_a: Tenant, platform: Platform) -> None:
    task_id = create(tenant_a, {"a": 1})
    force_state(platform, tenant_a.workspace, task_id, TaskState.DONE)
    clone = tenant_a.http.post(f"/v1/tasks/{task_id}/clone", json={"data": {"b": 2}, "name": "copy"}).json()
    assert (clone["name"], clone["data"]) == ("copy", {"b": 2})


def test_bad_clone_bodies_are_422(tenant_a: Tenant) -> None:
    task_id = create(tenant_a, {})
    for body, where in [
        ({"data": [1]}, "body.data"),
        ({"name": 3}, "body.name"),
        ({"tags": []}, "body.tags"),
    ]:
        assert where in assert_error(
            tenant_a.http.post(f"/v1/tasks/{task_id}/clone", json=body), 422, "invalid_input"
        )


# Bulk


def test_bulk_resume_pages_through_the_filter(tenant_a: Tenant, platform: Platform) -> None:
    failed = [create(tenant_a, {"i": i}) for i in range(3)]
    for task_id in failed:
        force_state(platform, tenant_a.workspace, task_id, TaskState.ERROR)
    create(tenant_a, {"i": 9})
    body: dict[str, Any] = {"action": "resume", "filter": {"state": "error"}, "limit": 2}

    first = tenant_a.http.post("/v1/tasks/bulk", json=body).json()
    second = tenant_a.http.post("/v1/tasks/bulk", json={**body, "cursor": first["next"]}).json()

    assert (first["matched"], first["changed"], first["skipped"]) == (2, failed[:0:-1], [])
    assert first["next"] is not None
    assert (second["matched"], second["changed"], second["next"]) == (1, [failed[0]], None)
    assert {platform.tasks.get(tenant_a.workspace.id, t).state for t in failed} == {TaskState.RUNNING}


def test_bulk_skips_a_task_that_refuses_with_the_reason(tenant_a: Tenant) -> None:
    running = create(tenant_a, {})
    answer = tenant_a.http.post("/v1/tasks/bulk", json={"action": "resume"}).json()
    assert answer["changed"] == []
    assert [skip["id"] for skip in answer["skipped"]] == [running]
    assert "running" in answer["skipped"][0]["reason"]


def test_bulk_rerun_from_the_first_run_of_the_step(tenant_a: Tenant, platform: Platform) -> None:
    ran = failed_after_a_run(platform, tenant_a)
    other = create(tenant_a, {})
    force_state(platform, tenant_a.workspace, other, TaskState.ERROR)

    answer = tenant_a.http.post(
        "/v1/tasks/bulk", json={"action": "rerun", "filter": {"state": "error", "step": "b"}}
    ).json()

    assert (answer["matched"], answer["changed"], answer["skipped"]) == (1, [ran], [])
    assert platform.tasks.get(tenant_a.workspace.id, ran).claims.keys() == {"a"}
    assert platform.tasks.get(tenant_a.workspace.id, other).state is TaskState.ERROR


@pytest.mark.parametrize(
    ("body", "where"),
    [
        ({"action": "delete"}, "body.action"),
        ({"action": "resume", "limit": 101}, "body.limit"),
        ({"action": "resume", "filter": {"colour": "red"}}, "body.filter.colour"),
        ({"action": "resume", "filter": {"state": "finished"}}, "body.filter.state"),
        ({"action": "resume", "extra": 1}, "body.extra"),
        ({"action": "resume", "cursor": "nope"}, "cursor"),
    ],
)
def test_bad_bulk_bodies_are_422(tenant_a: Tenant, body: dict[str, Any], where: str) -> None:
    assert where in assert_error(tenant_a.http.post("/v1/tasks/bulk", json=body), 422, "invalid_input")


# Which steps match


def test_match_lists_enabled_matches_then_disabled_ones(tenant_a: Tenant) -> None:
    assert tenant_a.http.put("/v1/steps/validate", json={"source": STEP_FILE}).status_code == 201
    assert tenant_a.http.put("/v1/steps/off", json={"source": STEP_FILE, "enabled": False}).status_code == 201
    other = "export const condition = { order: Object };\nexport const content = async () => {};\n"
    assert tenant_a.http.put("/v1/steps/other", json={"source": other}).status_code == 201

    answer = tenant_a.http.post("/v1/steps/match", json={"data": {"customer": {"email": "a@b"}}})

    assert answer.status_code == 200
    assert answer.json() == {
        "steps": [
            {"name": "validate", "version": 1, "enabled": True},
            {"name": "off", "version": 1, "enabled": False},
        ]
    }
    assert tenant_a.http.post("/v1/steps/match", json={"data": {"nothing": 1}}).json() == {"steps": []}


def test_match_needs_a_data_object(tenant_a: Tenant) -> None:
    assert "body.data" in assert_error(
        tenant_a.http.post("/v1/steps/match", json={"data": 1}), 422, "invalid_input"
    )


# Isolation


def test_another_workspace_gets_404_on_every_task_route_and_changes_nothing(
    tenant_a: Tenant, tenant_b: Tenant, platform: Platform
) -> None:
    task_id = failed_after_a_run(platform, tenant_a)
    before = platform.tasks.get(tenant_a.workspace.id, task_id)
    http = tenant_b.http
    for response in [
        http.get(f"/v1/tasks/{task_id}/data", params={"at": 1}),
        http.post(f"/v1/tasks/{task_id}/rerun", json={"from": 5}),
        http.post(f"/v1/tasks/{task_id}/clone", json={}),
    ]:
        assert_error(response, 404, "not_found")
    bulk = http.post("/v1/tasks/bulk", json={"action": "rerun", "filter": {"state": "error"}}).json()
    assert (bulk["matched"], bulk["changed"]) == (0, [])
    assert http.get("/v1/tasks/counts").json()["total"] == 0
    assert http.post("/v1/steps/match", json={"data": {}}).json() == {"steps": []}
    assert platform.tasks.get(tenant_a.workspace.id, task_id) == before
    assert len(platform.tasks.history(tenant_a.workspace.id, task_id)) == 5
