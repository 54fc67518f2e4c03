"""`Idempotency-Key` on POST /v1/tasks and delivery ids on webhooks, over HTTP on the SQLite home:
a repeat answers with the first task, never a second one; a bad key is refused and stores nothing."""

import hashlib
import hmac
import json
from typing import Any

import pytest
from api_support import Tenant, assert_error
from fastapi.testclient import TestClient

from aloma_core.services import Platform

ORDER = {"order": {"id": 42, "total": 99.5}}


def post(tenant: Tenant, data: dict[str, Any], key: str | None, name: str | None = None) -> Any:
    headers = {} if key is None else {"Idempotency-Key": key}
    return tenant.http.post("/v1/tasks", json={"name": name, "data": data}, headers=headers)


def task_ids(tenant: Tenant) -> list[str]:
    return [task["id"] for task in tenant.http.get("/v1/tasks").json()["tasks"]]


def test_a_repeated_key_answers_with_the_first_task_and_says_so(tenant_a: Tenant) -> None:
    first = post(tenant_a, ORDER, "order-42", name="invoice")
    again = post(tenant_a, ORDER, "order-42", name="invoice")

    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first.headers
    assert task_ids(tenant_a) == [first.json()["id"]]


def test_a_repeat_that_carries_other_data_still_answers_with_the_first_task(tenant_a: Tenant) -> None:
    first = post(tenant_a, ORDER, "order-42").json()
    again = post(tenant_a, {"order": {"id": 43}}, "order-42").json()

    assert again["id"] == first["id"]
    assert again["data"] == ORDER
    assert len(task_ids(tenant_a)) == 1


def test_different_keys_and_no_key_create_tasks_of_their_own(tenant_a: Tenant) -> None:
    ids = {post(tenant_a, ORDER, key).json()["id"] for key in ("a", "b", None, None)}
    assert len(ids) == 4
    assert set(task_ids(tenant_a)) == ids


def test_the_same_key_in_another_workspace_is_another_task_and_stays_there(
    tenant_a: Tenant, tenant_b: Tenant
) -> None:
    mine = post(tenant_a, ORDER, "shared-key").json()
    theirs = post(tenant_b, {"other": True}, "shared-key")

    assert theirs.status_code == 201
    assert "Idempotent-Replayed" not in theirs.headers
    assert theirs.json()["id"] != mine["id"]
    assert theirs.json()["data"] == {"other": True}
    assert tenant_b.http.get(f"/v1/tasks/{mine['id']}").status_code == 404
    assert task_ids(tenant_a) == [mine["id"]]


@pytest.mark.parametrize("key", ["", "   ", "x" * 256, "bad\tkey"])
def test_a_malformed_key_is_refused_and_nothing_is_stored(tenant_a: Tenant, key: str) -> None:
    message = assert_error(post(tenant_a, ORDER, key), 422, "invalid_input")
    assert "Idempotency-Key" in message
    assert task_ids(tenant_a) == []


def test_a_non_ascii_key_is_refused_and_nothing_is_stored(tenant_a: Tenant) -> None:
    response = tenant_a.http.post(
        "/v1/tasks", content=json.dumps({"data": ORDER}), headers={"Idempotency-Key": "clé".encode()}
    )
    assert_error(response, 422, "invalid_input")
    assert task_ids(tenant_a) == []


def test_a_refused_body_with_a_key_stores_nothing_and_keeps_the_key_free(tenant_a: Tenant) -> None:
    refused = tenant_a.http.post("/v1/tasks", json={"data": [1]}, headers={"Idempotency-Key": "k"})
    assert refused.status_code == 422
    created = post(tenant_a, ORDER, "k")
    assert "Idempotent-Replayed" not in created.headers
    assert task_ids(tenant_a) == [created.json()["id"]]


# Webhooks

SIGNING_KEY = "stripe-signing-key"


def webhook_url(tenant: Tenant, **body: Any) -> str:
    made = tenant.http.post("/v1/webhooks", json={"name": "in", **body})
    assert made.status_code == 201, made.text
    url: str = made.json()["url"]
    return url


def deliver(anon: TestClient, url: str, body: bytes, **headers: str) -> Any:
    return anon.post(url, content=body, headers={"Content-Type": "application/json", **headers})


def test_a_retried_github_delivery_is_one_task(tenant_a: Tenant, anon: TestClient) -> None:
    url = webhook_url(tenant_a)
    body = json.dumps({"ref": "refs/heads/main"}).encode()
    first = deliver(anon, url, body, **{"X-GitHub-Delivery": "d-1"})
    again = deliver(anon, url, body, **{"X-GitHub-Delivery": "d-1"})
    other = deliver(anon, url, body, **{"X-GitHub-Delivery": "d-2"})

    assert first.status_code == again.status_code == other.status_code == 202
    assert again.json() == first.json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert other.json() != first.json()
    assert len(task_ids(tenant_a)) == 2


def test_deliveries_without_a_delivery_id_are_a_task_each(tenant_a: Tenant, anon: TestClient) -> None:
    url = webhook_url(tenant_a)
    body = json.dumps({"id": "evt_1"}).encode()
    answers = {deliver(anon, url, body).json()["task_id"] for _ in range(3)}
    assert len(answers) == 3


def test_a_retried_stripe_event_is_one_task(tenant_a: Tenant, anon: TestClient, platform: Platform) -> None:
    tenant_a.http.put("/v1/secrets/STRIPE_KEY", json={"value": SIGNING_KEY})
    url = webhook_url(tenant_a, signing={"scheme": "stripe", "secret": "STRIPE_KEY"})
    body = json.dumps({"id": "evt_1NG8Du2eZvKYlo2C", "object": "event", "type": "invoice.paid"}).encode()

    def signed() -> dict[str, str]:
        at_s = platform.clock.now_ms() // 1000
        mac = hmac.new(SIGNING_KEY.encode(), str(at_s).encode() + b"." + body, hashlib.sha256).hexdigest()
        return {"Stripe-Signature": f"t={at_s},v1={mac}"}

    first = deliver(anon, url, body, **signed())
    again = deliver(anon, url, body, **signed())

    assert first.status_code == again.status_code == 202
    assert again.json() == first.json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert len(task_ids(tenant_a)) == 1


def test_the_same_delivery_id_on_two_webhooks_is_two_tasks(tenant_a: Tenant, anon: TestClient) -> None:
    first_url = webhook_url(tenant_a)
    second = tenant_a.http.post("/v1/webhooks", json={"name": "second"}).json()["url"]
    body = b"{}"
    one = deliver(anon, first_url, body, **{"Idempotency-Key": "same"}).json()
    two = deliver(anon, second, body, **{"Idempotency-Key": "same"}).json()
    assert one != two
