"""Steps over HTTP: both upload forms, versions, names from the path, and refused uploads."""

import re
from typing import Any
from urllib.parse import quote

import pytest
from api_support import STEP_FILE, Tenant, assert_error

from aloma_core.json_types import JsonObject
from aloma_core.steps import render_source

STEP_KEYS = {
    "name",
    "version",
    "condition",
    "content",
    "source",
    "enabled",
    "specificity",
    "created_at",
    "updated_at",
}
NAME = "validate email"
URL = "/v1/steps/" + quote(NAME)


def put(tenant: Tenant, body: dict[str, Any], url: str = URL) -> Any:
    return tenant.http.put(url, json=body)


def test_a_step_file_upload_creates_version_1(tenant_a: Tenant) -> None:
    response = put(tenant_a, {"source": STEP_FILE})

    assert response.status_code == 201
    step = response.json()
    assert set(step) == STEP_KEYS
    assert step["name"] == NAME
    assert step["version"] == 1
    assert step["enabled"] is True
    assert step["source"] == STEP_FILE
    assert step["condition"] == {"customer": {"email": {"$type": "string"}}}
    assert step["specificity"] == 1
    assert "data.customer.validated" in step["content"]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", step["created_at"])


def test_put_twice_is_201_then_200_with_version_2(tenant_a: Tenant) -> None:
    first = put(tenant_a, {"source": STEP_FILE})
    changed = STEP_FILE.replace("includes('@')", "includes('.')")
    second = put(tenant_a, {"source": changed})

    assert (first.status_code, second.status_code) == (201, 200)
    assert (first.json()["version"], second.json()["version"]) == (1, 2)
    assert second.json()["created_at"] == first.json()["created_at"]
    assert second.json()["updated_at"] > first.json()["updated_at"]


def test_an_identical_re_put_keeps_the_version(tenant_a: Tenant) -> None:
    first = put(tenant_a, {"source": STEP_FILE})
    again = put(tenant_a, {"source": STEP_FILE})

    assert again.status_code == 200
    assert again.json() == first.json()


def test_changing_only_enabled_is_a_new_version(tenant_a: Tenant) -> None:
    put(tenant_a, {"source": STEP_FILE})
    disabled = put(tenant_a, {"source": STEP_FILE, "enabled": False})
    assert disabled.status_code == 200
    assert (disabled.json()["enabled"], disabled.json()["version"]) == (False, 2)
    assert put(tenant_a, {"source": STEP_FILE}).json()["enabled"] is False


def test_the_json_form_generates_the_step_file(tenant_a: Tenant) -> None:
    condition = {"order": {"total": {"$gt": 100}, "vip": None}}
    response = put(tenant_a, {"condition": condition, "content": "data.order.flagged = true;\n"})

    assert response.status_code == 201
    step = response.json()
    assert step["condition"] == condition
    assert step["content"] == "data.order.flagged = true;\n"
    assert "export const condition" in step["source"]
    assert "data.order.flagged = true;" in step["source"]
    assert step["specificity"] == 2


def test_names_come_from_the_url_decoded_path(tenant_a: Tenant) -> None:
    put(tenant_a, {"source": STEP_FILE}, url="/v1/steps/validate%20email")
    assert tenant_a.http.get("/v1/steps/validate email").json()["name"] == "validate email"


def test_a_bad_step_name_is_422(tenant_a: Tenant) -> None:
    response = put(tenant_a, {"source": STEP_FILE}, url="/v1/steps/%20padded")
    message = assert_error(response, 422, "invalid_input")
    assert "name" in message


def test_list_get_and_delete(tenant_a: Tenant) -> None:
    put(tenant_a, {"source": STEP_FILE})
    put(tenant_a, {"source": STEP_FILE}, url="/v1/steps/second")

    listed = tenant_a.http.get("/v1/steps")
    assert listed.status_code == 200
    assert [s["name"] for s in listed.json()["steps"]] == [NAME, "second"]
    assert tenant_a.http.get(URL).json() == listed.json()["steps"][0]

    deleted = tenant_a.http.delete(URL)
    assert deleted.status_code == 204
    assert deleted.content == b""
    assert_error(tenant_a.http.get(URL), 404, "not_found")
    assert_error(tenant_a.http.delete(URL), 404, "not_found")
    assert [s["name"] for s in tenant_a.http.get("/v1/steps").json()["steps"]] == ["second"]


@pytest.mark.parametrize(
    ("condition", "path"),
    [
        ({"v": {"$gt": "x"}}, "condition.v.$gt"),
        ({"a": {"b": {"$in": 3}}}, "condition.a.b.$in"),
        ({"a": {"$or": []}}, "condition.a.$or"),
        ([1], "condition"),
    ],
)
def test_a_bad_condition_is_422_naming_its_path(tenant_a: Tenant, condition: Any, path: str) -> None:
    response = put(tenant_a, {"condition": condition, "content": "data.x = 1;"})
    message = assert_error(response, 422, "invalid_condition")
    assert message.startswith(path + ":")
    assert_error(tenant_a.http.get(URL), 404, "not_found")


def test_a_bad_condition_in_a_step_file_is_422(tenant_a: Tenant) -> None:
    source = STEP_FILE.replace("{ email: String }", "{ total: { $gt: 'x' } }")
    message = assert_error(put(tenant_a, {"source": source}), 422, "invalid_condition")
    assert "condition.customer.total.$gt" in message


def test_a_syntax_error_in_a_step_file_is_422_with_its_line(tenant_a: Tenant) -> None:
    source = (
        "export const condition = { a: String };\nexport const content = async () => {\n  data.a = ;\n};\n"
    )
    message = assert_error(put(tenant_a, {"source": source}), 422, "invalid_step")
    assert "line 3" in message


def test_a_syntax_error_in_json_form_content_names_the_generated_line(tenant_a: Tenant) -> None:
    condition: JsonObject = {"a": {"$type": "string"}}
    content = "data.b = 1;\ndata.a = ;\n"
    line = render_source(condition, content).splitlines().index("data.a = ;") + 1

    response = put(tenant_a, {"condition": condition, "content": content})
    message = assert_error(response, 422, "invalid_step")
    assert f"line {line}" in message


def test_a_refused_re_upload_keeps_the_stored_step(tenant_a: Tenant) -> None:
    stored = put(tenant_a, {"source": STEP_FILE}).json()
    assert_error(put(tenant_a, {"source": "export const content = ;"}), 422, "invalid_step")
    assert tenant_a.http.get(URL).json() == stored


@pytest.mark.parametrize(
    ("body", "where"),
    [
        ({"source": STEP_FILE, "condition": {"a": None}}, "source"),
        ({"condition": {"a": None}}, "content"),
        ({}, "source"),
    ],
)
def test_one_upload_form_is_required(tenant_a: Tenant, body: dict[str, Any], where: str) -> None:
    assert where in assert_error(put(tenant_a, body), 422, "invalid_input")


@pytest.mark.parametrize(
    ("body", "where"),
    [
        ({"source": 5}, "body.source"),
        ({"source": STEP_FILE, "enabled": "yes"}, "body.enabled"),
        ({"source": STEP_FILE, "enabled": 1}, "body.enabled"),
        ({"condition": {"a": None}, "content": ["x"]}, "body.content"),
        ({"source": STEP_FILE, "name": "other"}, "body.name"),
    ],
)
def test_wrong_types_are_422_naming_the_field(tenant_a: Tenant, body: dict[str, Any], where: str) -> None:
    assert where in assert_error(put(tenant_a, body), 422, "invalid_input")


@pytest.mark.parametrize(
    ("regex", "reason"),
    [
        ("/(\\w+) \\1/", "a backreference to group 1, which is not supported"),
        ("/(?<=\\$)\\d+/", "(?<= is a lookbehind, which is not supported"),
        ("/^(?!test)/i", "(?! is a negative lookahead, which is not supported"),
        ("/a{1001}/", "a repeat count over 1000"),
    ],
)
def test_a_regex_that_needs_backtracking_is_422_naming_its_path_and_why(
    tenant_a: Tenant, regex: str, reason: str
) -> None:
    """JavaScript accepts these; the matcher runs conditions in linear time (RE2) and cannot."""
    source = STEP_FILE.replace("{ email: String }", f"{{ email: {regex} }}")
    message = assert_error(put(tenant_a, {"source": source}), 422, "invalid_condition")
    assert message.startswith("condition.customer.email.$regex: ")
    assert reason in message
    assert "linear time" in message or "over 1000" in message
    assert_error(tenant_a.http.get(URL), 404, "not_found")


def test_a_regex_that_backtracks_badly_elsewhere_is_accepted_and_stored(tenant_a: Tenant) -> None:
    source = STEP_FILE.replace("{ email: String }", "{ email: /^(\\w+\\.?)+@(a|aa)+$/i }")
    response = put(tenant_a, {"source": source})
    assert response.status_code == 201, response.text
    stored = response.json()["condition"]["customer"]["email"]
    assert stored == {"$regex": "^(\\w+\\.?)+@(a|aa)+$", "$flags": "i"}
