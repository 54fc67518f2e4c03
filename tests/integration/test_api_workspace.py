"""The caller's own workspace: reading it, and partial settings changes."""

from typing import Any

import pytest
from api_support import Tenant, assert_error


def test_workspace_shows_id_name_and_default_settings(tenant_a: Tenant) -> None:
    response = tenant_a.http.get("/v1/workspace")
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"id", "name", "settings"}
    assert (body["id"], body["name"]) == (tenant_a.workspace.id, "workspace A")
    settings = body["settings"]
    assert (settings["execution"], settings["max_runs_per_task"], settings["egress_allow"]) == (
        "parallel",
        500,
        [],
    )
    assert settings["limits"]["task_data_bytes"] == 256 * 1024


def test_a_partial_patch_keeps_the_other_settings(tenant_a: Tenant) -> None:
    response = tenant_a.http.patch(
        "/v1/workspace",
        json={
            "settings": {
                "execution": "sequential",
                "limits": {"cpu_time_ms": 2000},
                "egress_allow": ["api.x"],
            }
        },
    )
    assert response.status_code == 200
    settings = response.json()["settings"]
    assert settings["execution"] == "sequential"
    assert settings["limits"]["cpu_time_ms"] == 2000
    assert settings["limits"]["wall_time_ms"] == 30_000
    assert settings["max_runs_per_task"] == 500
    assert settings["egress_allow"] == ["api.x"]
    assert tenant_a.http.get("/v1/workspace").json()["settings"] == settings


def test_settings_of_one_workspace_leave_the_other_alone(tenant_a: Tenant, tenant_b: Tenant) -> None:
    tenant_a.http.patch("/v1/workspace", json={"settings": {"max_runs_per_task": 7}})
    assert tenant_b.http.get("/v1/workspace").json()["settings"]["max_runs_per_task"] == 500


@pytest.mark.parametrize(
    ("body", "where"),
    [
        ({"settings": {"execution": "random"}}, "settings.execution"),
        ({"settings": {"max_runs_per_task": 0}}, "settings.max_runs_per_task"),
        ({"settings": {"limits": {"cpu_time_ms": "fast"}}}, "settings.limits.cpu_time_ms"),
        ({"settings": {"limits": {"memory_bytes": 1}}}, "settings.limits.memory_bytes"),
        ({"settings": {"colour": "blue"}}, "settings.colour"),
        ({"settings": {"egress_allow": "api.x"}}, "settings.egress_allow"),
        ({"settings": []}, "body.settings"),
        ({}, "body.settings"),
    ],
)
def test_invalid_settings_are_422_naming_the_setting(tenant_a: Tenant, body: Any, where: str) -> None:
    message = assert_error(tenant_a.http.patch("/v1/workspace", json=body), 422, "invalid_input")
    assert where in message
    assert tenant_a.http.get("/v1/workspace").json()["settings"]["execution"] == "parallel"
