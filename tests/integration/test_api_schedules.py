"""Schedules over HTTP: set, replace, list, show and delete; what is refused and how; and a firing's
task as the API shows it."""

from typing import Any
from urllib.parse import quote

import pytest
from api_support import Tenant, assert_error
from fastapi.testclient import TestClient

from aloma_core.schedules import definition
from aloma_core.schedules.firing import ScheduleFirer
from aloma_core.services import Platform

SCHEDULE_KEYS = {
    "name",
    "cron",
    "timezone",
    "data",
    "task_name",
    "next_fire_at",
    "last_fired_at",
    "last_task_id",
    "created_at",
    "updated_at",
}
BODY = {"cron": "*/5 * * * *", "data": {"report": "sales"}}


def put(tenant: Tenant, schedule: str = "report", **body: Any) -> Any:
    """PUT the schedule named `schedule`: BODY with the fields of `body` (`name` the tasks' name)."""
    return tenant.http.put(f"/v1/schedules/{schedule}", json={**BODY, **body})


def made(tenant: Tenant, schedule: str = "report", **body: Any) -> dict[str, Any]:
    response = put(tenant, schedule, **body)
    assert response.status_code in (200, 201), response.text
    answer: dict[str, Any] = response.json()
    return answer


# Setting, replacing, reading, deleting


def test_put_creates_a_schedule_whose_first_firing_is_the_next_slot(tenant_a: Tenant) -> None:
    response = put(tenant_a)

    assert response.status_code == 201
    assert response.json() == {
        "name": "report",
        "cron": "*/5 * * * *",
        "timezone": "UTC",
        "data": {"report": "sales"},
        "task_name": "report",
        "next_fire_at": "2025-01-01T00:05:00.000Z",
        "last_fired_at": None,
        "last_task_id": None,
        "created_at": response.json()["created_at"],
        "updated_at": response.json()["created_at"],
    }


def test_the_slots_are_read_in_the_time_zone_and_tasks_take_the_name_given(tenant_a: Tenant) -> None:
    schedule = made(tenant_a, cron="0 9 * * *", timezone="Europe/Berlin", data={}, name="morning report")

    assert schedule["next_fire_at"] == "2025-01-01T08:00:00.000Z"
    assert schedule["timezone"] == "Europe/Berlin"
    assert schedule["task_name"] == "morning report"


def test_an_identical_put_is_200_and_changes_nothing(tenant_a: Tenant) -> None:
    first = made(tenant_a)

    again = put(tenant_a)

    assert again.status_code == 200
    assert again.json() == first
    assert tenant_a.http.get("/v1/schedules/report").json() == first


def test_new_data_keeps_the_next_firing_and_a_new_cron_counts_from_now(tenant_a: Tenant) -> None:
    first = made(tenant_a)
    new_data = put(tenant_a, cron="*/5 * * * *", data={"report": "costs"})
    new_cron = put(tenant_a, cron="0 * * * *", data={"report": "costs"})
    new_zone = put(tenant_a, cron="0 * * * *", timezone="Asia/Kolkata", data={"report": "costs"})

    assert (new_data.status_code, new_cron.status_code, new_zone.status_code) == (200, 200, 200)
    assert new_data.json()["next_fire_at"] == first["next_fire_at"]
    assert new_data.json()["data"] == {"report": "costs"}
    assert new_data.json()["updated_at"] > first["updated_at"]
    assert new_data.json()["created_at"] == first["created_at"]
    assert new_cron.json()["next_fire_at"] == "2025-01-01T01:00:00.000Z"
    assert new_zone.json()["next_fire_at"] == "2025-01-01T00:30:00.000Z"


def test_list_is_by_name_and_get_shows_one(tenant_a: Tenant) -> None:
    made(tenant_a, "nightly")
    made(tenant_a, "hourly")

    listed = tenant_a.http.get("/v1/schedules")
    one = tenant_a.http.get("/v1/schedules/nightly")

    assert listed.status_code == 200
    assert [s["name"] for s in listed.json()["schedules"]] == ["hourly", "nightly"]
    assert all(set(s) == SCHEDULE_KEYS for s in listed.json()["schedules"])
    assert one.status_code == 200
    assert one.json() == listed.json()["schedules"][1]


def test_delete_is_204_and_then_the_schedule_is_gone(tenant_a: Tenant) -> None:
    made(tenant_a)

    assert tenant_a.http.delete("/v1/schedules/report").status_code == 204

    assert_error(tenant_a.http.get("/v1/schedules/report"), 404, "not_found")
    assert_error(tenant_a.http.delete("/v1/schedules/report"), 404, "not_found")
    assert tenant_a.http.get("/v1/schedules").json() == {"schedules": []}
    assert put(tenant_a).status_code == 201


# Refused


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"cron": "*/5 * * *", "data": {}}, "cron: "),
        ({"cron": "0 0 1 1 * 2030", "data": {}}, "cron: "),
        ({"cron": "61 * * * *", "data": {}}, "cron: "),
        ({"cron": "0 0 30 2 *", "data": {}}, "cron: "),
        ({"cron": "0 9 * * *", "timezone": "Mars/Olympus", "data": {}}, "timezone: "),
        ({"cron": "0 9 * * *", "timezone": "../../etc/passwd", "data": {}}, "timezone: "),
        ({"cron": "0 9 * * *", "data": {}, "name": ""}, "name: "),
        ({"cron": "0 9 * * *", "data": {}, "name": "n" * 201}, "name: "),
        ({"cron": "0 9 * * *", "data": {}, "every": "day"}, "body.every: "),
        ({"cron": "0 9 * * *"}, "body.data: "),
        ({"cron": "0 9 * * *", "data": [1]}, "body.data: "),
        ({"cron": 5, "data": {}}, "body.cron: "),
        ({"data": {}}, "body.cron: "),
    ],
)
def test_invalid_input_is_422_naming_the_field(tenant_a: Tenant, body: dict[str, Any], field: str) -> None:
    message = assert_error(tenant_a.http.put("/v1/schedules/report", json=body), 422, "invalid_input")

    assert message.startswith(field)
    assert tenant_a.http.get("/v1/schedules").json() == {"schedules": []}


@pytest.mark.parametrize("name", ["-dash", "with space", "a" * 65, "ünïcode"])
def test_a_bad_schedule_name_is_422(tenant_a: Tenant, name: str) -> None:
    message = assert_error(put(tenant_a, quote(name)), 422, "invalid_input")

    assert message.startswith("schedule name: ")


def test_data_over_the_task_size_limit_is_413(tenant_a: Tenant) -> None:
    response = put(tenant_a, cron="* * * * *", data={"pad": "x" * (256 * 1024)})

    message = assert_error(response, 413, "too_large")
    assert "task size limit" in message
    assert tenant_a.http.get("/v1/schedules").json() == {"schedules": []}


def test_the_size_limit_is_the_workspaces_and_counts_via(tenant_a: Tenant) -> None:
    tenant_a.http.patch("/v1/workspace", json={"settings": {"limits": {"task_data_bytes": 1024}}})

    assert put(tenant_a, cron="* * * * *", data={"pad": "x" * 800}).status_code == 201
    assert_error(put(tenant_a, cron="* * * * *", data={"pad": "x" * 1000}), 413, "too_large")


def test_a_workspace_has_at_most_a_hundred_schedules(
    tenant_a: Tenant, platform: Platform, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(definition, "MAX_SCHEDULES", 3)
    for index in range(3):
        made(tenant_a, f"s{index}")

    message = assert_error(put(tenant_a, "s3"), 422, "invalid_input")

    assert "3 schedules" in message
    assert put(tenant_a, "s0", cron="0 * * * *", data={}).status_code == 200
    assert [s.name for s in platform.list_schedules(tenant_a.workspace)] == ["s0", "s1", "s2"]


def test_the_limit_is_a_hundred() -> None:
    assert definition.MAX_SCHEDULES == 100


# Workspaces


def test_another_workspaces_schedule_is_404(tenant_a: Tenant, tenant_b: Tenant) -> None:
    made(tenant_a, data={"of": "a"})

    assert_error(tenant_b.http.get("/v1/schedules/report"), 404, "not_found")
    assert_error(tenant_b.http.delete("/v1/schedules/report"), 404, "not_found")
    assert tenant_b.http.get("/v1/schedules").json() == {"schedules": []}
    assert put(tenant_b, data={"of": "b"}, cron="0 * * * *").status_code == 201
    assert tenant_a.http.get("/v1/schedules/report").json()["data"] == {"of": "a"}


def test_without_a_key_it_is_401(anon: TestClient) -> None:
    assert_error(anon.get("/v1/schedules"), 401, "unauthorized")
    assert_error(anon.put("/v1/schedules/report", json=BODY), 401, "unauthorized")


# Firing, as the API shows it


def test_a_firing_shows_on_the_schedule_and_as_a_task_with_via(tenant_a: Tenant, platform: Platform) -> None:
    made(tenant_a, name="sales report")
    firer = ScheduleFirer(platform.schedules, platform.tasks, platform.workspaces, platform.clock)

    assert firer.fire_due(platform.clock.now_ms() + 10 * 60_000) == 1

    schedule = tenant_a.http.get("/v1/schedules/report").json()
    assert schedule["next_fire_at"] == "2025-01-01T00:15:00.000Z"
    task = tenant_a.http.get(f"/v1/tasks/{schedule['last_task_id']}").json()
    assert task["name"] == "sales report"
    assert task["state"] == "running"
    assert task["data"]["report"] == "sales"
    assert task["data"]["$via"] == {
        "type": "schedule",
        "name": "report",
        "fired_at": schedule["last_fired_at"],
        "scheduled_for": "2025-01-01T00:05:00.000Z",
    }


def test_the_routes_are_in_the_openapi_document(tenant_a: Tenant) -> None:
    paths = tenant_a.http.get("/openapi.json").json()["paths"]

    assert set(paths["/v1/schedules/{name}"]) == {"put", "get", "delete"}
    assert set(paths["/v1/schedules"]) == {"get"}
