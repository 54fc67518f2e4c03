"""Connectors and webhooks: in the contract and the OpenAPI document, answered 501 for now."""

from typing import Any

import pytest
from api_support import Tenant, assert_error
from fastapi.testclient import TestClient


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("PUT", "/v1/connectors/crm", {"type": "remote", "config": {"url": "https://x"}}),
        ("GET", "/v1/connectors", None),
        ("DELETE", "/v1/connectors/crm", None),
        ("POST", "/v1/webhooks", {"name": "orders"}),
    ],
)
def test_connector_and_webhook_routes_are_501_for_a_workspace(
    tenant_a: Tenant, method: str, path: str, body: Any
) -> None:
    response = tenant_a.http.request(method, path, json=body)
    assert_error(response, 501, "not_implemented")


def test_hook_delivery_needs_no_key_and_is_501(anon: TestClient) -> None:
    assert_error(anon.post("/v1/hooks/whk_abc", json={"order": 1}), 501, "not_implemented")


def test_hook_delivery_still_checks_its_body(anon: TestClient) -> None:
    assert_error(anon.post("/v1/hooks/whk_abc", json=[1]), 422, "invalid_input")
