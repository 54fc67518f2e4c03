"""Secrets: names in, names out; a value never appears in any answer."""

import pytest
from api_support import Tenant, assert_error

VALUE = "s3cr3t-value-never-shown"


def test_put_secret_is_204_and_lists_by_name_only(tenant_a: Tenant) -> None:
    response = tenant_a.http.put("/v1/secrets/API_TOKEN", json={"value": VALUE})
    assert response.status_code == 204
    assert response.content == b""

    listed = tenant_a.http.get("/v1/secrets")
    assert listed.status_code == 200
    assert listed.json() == {"secrets": ["API_TOKEN"]}
    assert VALUE not in listed.text


def test_secret_values_appear_in_no_answer(tenant_a: Tenant) -> None:
    answers = [
        tenant_a.http.put("/v1/secrets/API_TOKEN", json={"value": VALUE}),
        tenant_a.http.put("/v1/secrets/API_TOKEN", json={"value": VALUE}),
        tenant_a.http.get("/v1/secrets"),
        tenant_a.http.get("/v1/workspace"),
        tenant_a.http.put("/v1/secrets/bad name", json={"value": VALUE}),
        tenant_a.http.put("/v1/secrets/OK", json={"value": VALUE, "extra": VALUE}),
        tenant_a.http.delete("/v1/secrets/API_TOKEN"),
    ]
    for response in answers:
        assert VALUE not in response.text
        assert VALUE not in str(response.headers)


def test_delete_secret_is_204_then_404(tenant_a: Tenant) -> None:
    tenant_a.http.put("/v1/secrets/API_TOKEN", json={"value": VALUE})
    assert tenant_a.http.delete("/v1/secrets/API_TOKEN").status_code == 204
    assert tenant_a.http.get("/v1/secrets").json() == {"secrets": []}
    assert_error(tenant_a.http.delete("/v1/secrets/API_TOKEN"), 404, "not_found")


@pytest.mark.parametrize("name", ["1starts-with-digit", "has space", "x" * 129])
def test_bad_secret_names_are_422(tenant_a: Tenant, name: str) -> None:
    message = assert_error(
        tenant_a.http.put(f"/v1/secrets/{name}", json={"value": "v"}), 422, "invalid_input"
    )
    assert "name" in message


@pytest.mark.parametrize("body", [{"value": 5}, {"value": None}, {}, {"value": ["v"]}])
def test_secret_value_must_be_a_string(tenant_a: Tenant, body: object) -> None:
    message = assert_error(tenant_a.http.put("/v1/secrets/S", json=body), 422, "invalid_input")
    assert "body.value" in message
