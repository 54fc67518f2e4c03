"""Libraries over HTTP: versions, refused uploads with their file and line, 404s, isolation."""

import re
from typing import Any

from api_support import Tenant, assert_error

CRM = "export function fullName(c) {\n  return c.first + ' ' + c.last;\n}\n"
URL = "/v1/libraries/crm"


def put(tenant: Tenant, source: str, url: str = URL) -> Any:
    return tenant.http.put(url, json={"source": source})


def test_a_first_upload_is_201_with_version_1(tenant_a: Tenant) -> None:
    response = put(tenant_a, CRM)

    assert response.status_code == 201
    body = response.json()
    assert set(body) == {"name", "version", "source", "updated_at"}
    assert (body["name"], body["version"], body["source"]) == ("crm", 1, CRM)
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", body["updated_at"])


def test_a_change_is_200_with_the_next_version_and_a_re_put_changes_nothing(tenant_a: Tenant) -> None:
    put(tenant_a, CRM)
    changed = put(tenant_a, CRM.replace("' '", "'-'"))
    same = put(tenant_a, CRM.replace("' '", "'-'"))

    assert (changed.status_code, changed.json()["version"]) == (200, 2)
    assert (same.status_code, same.json()) == (200, changed.json())


def test_list_and_show(tenant_a: Tenant) -> None:
    put(tenant_a, CRM)
    put(tenant_a, "export const upper = (s) => s.toUpperCase();\n", "/v1/libraries/text")

    listed = tenant_a.http.get("/v1/libraries")
    shown = tenant_a.http.get(URL)

    assert listed.status_code == 200
    assert [library["name"] for library in listed.json()["libraries"]] == ["crm", "text"]
    assert shown.status_code == 200
    assert shown.json()["source"] == CRM


def test_delete_then_404_and_a_new_upload_is_201_with_a_later_version(tenant_a: Tenant) -> None:
    put(tenant_a, CRM)

    assert tenant_a.http.delete(URL).status_code == 204
    assert_error(tenant_a.http.get(URL), 404, "not_found")
    assert_error(tenant_a.http.delete(URL), 404, "not_found")
    assert tenant_a.http.get("/v1/libraries").json() == {"libraries": []}
    again = put(tenant_a, CRM)
    assert (again.status_code, again.json()["version"]) == (201, 3)


def test_an_unknown_library_is_404(tenant_a: Tenant) -> None:
    assert_error(tenant_a.http.get("/v1/libraries/nothing"), 404, "not_found")
    assert_error(tenant_a.http.delete("/v1/libraries/nothing"), 404, "not_found")


def test_a_syntax_error_is_refused_with_the_file_and_line(tenant_a: Tenant) -> None:
    source = "export function ok() {}\n\nexport const broken = ;\n"

    message = assert_error(put(tenant_a, source), 422, "invalid_library")

    assert message.startswith("lib/crm.js line 3: SyntaxError")
    assert_error(tenant_a.http.get(URL), 404, "not_found")


def test_an_import_is_refused_like_in_a_step(tenant_a: Tenant) -> None:
    message = assert_error(put(tenant_a, "import { x } from './other.js';\n"), 422, "invalid_library")
    assert message.startswith("lib/crm.js line 1: import is not available")


def test_a_name_that_is_not_an_identifier_is_refused(tenant_a: Tenant) -> None:
    message = assert_error(put(tenant_a, CRM, "/v1/libraries/my-lib"), 422, "invalid_input")
    assert "identifier" in message


def test_a_library_larger_than_the_limit_is_413(tenant_a: Tenant) -> None:
    big = "// " + "x" * (300 * 1024) + "\nexport const a = 1;\n"
    assert_error(put(tenant_a, big), 413, "too_large")


def test_a_body_without_source_is_refused(tenant_a: Tenant) -> None:
    assert tenant_a.http.put(URL, json={"code": CRM}).status_code == 422


def test_another_workspace_sees_404(tenant_a: Tenant, tenant_b: Tenant) -> None:
    put(tenant_a, CRM)

    assert_error(tenant_b.http.get(URL), 404, "not_found")
    assert_error(tenant_b.http.delete(URL), 404, "not_found")
    assert tenant_b.http.get("/v1/libraries").json() == {"libraries": []}
    assert tenant_a.http.get(URL).status_code == 200


def test_without_a_key_it_is_401(anon: Any) -> None:
    assert anon.get("/v1/libraries").status_code == 401
