"""Webhooks over HTTP: created with a key shown once, deliveries become tasks with `$via`, and the
checks on a delivery: the key, the rate, the signature, the body."""

import hashlib
import hmac
import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from api_support import Tenant, assert_error
from fastapi.testclient import TestClient

from aloma_core.api import create_app
from aloma_core.services import Platform

SIGNING_KEY = "gh-signing-key-never-shown"
BODY = json.dumps({"action": "opened", "number": 7}).encode()


def create(tenant: Tenant, **body: Any) -> Any:
    return tenant.http.post("/v1/webhooks", json=body)


def created(tenant: Tenant, **body: Any) -> dict[str, Any]:
    response = create(tenant, **body)
    assert response.status_code == 201, response.text
    answer: dict[str, Any] = response.json()
    return answer


def deliver(anon: TestClient, url: str, body: bytes = BODY, **headers: str) -> Any:
    return anon.post(url, content=body, headers={"Content-Type": "application/json", **headers})


def hex_hmac(key: str, payload: bytes) -> str:
    return hmac.new(key.encode(), payload, hashlib.sha256).hexdigest()


def task_of(tenant: Tenant, response: Any) -> dict[str, Any]:
    assert response.status_code == 202, response.text
    assert set(response.json()) == {"task_id"}
    task: dict[str, Any] = tenant.http.get(f"/v1/tasks/{response.json()['task_id']}").json()
    return task


# Creating, listing, deleting


def test_create_answers_a_long_random_key_once_and_its_url(tenant_a: Tenant) -> None:
    first = created(tenant_a, name="github")
    second = created(tenant_a, name="billing")

    assert set(first) == {"id", "name", "key", "url"}
    assert first["name"] == "github"
    assert re.fullmatch(r"whk_[A-Za-z0-9_-]{43}", first["key"])
    assert first["url"] == f"/v1/hooks/{first['key']}"
    assert first["key"] != second["key"]


def test_list_shows_every_setting_but_never_a_key(tenant_a: Tenant) -> None:
    tenant_a.http.put("/v1/secrets/GH_SECRET", json={"value": SIGNING_KEY})
    made = created(
        tenant_a,
        name="github",
        signing={"scheme": "github", "secret": "GH_SECRET"},
        keep_headers=["X-GitHub-Event"],
        rate_limit_per_minute=30,
    )
    created(tenant_a, name="plain")

    listed = tenant_a.http.get("/v1/webhooks")

    assert listed.status_code == 200
    github, plain = listed.json()["webhooks"]
    assert github == {
        "id": made["id"],
        "name": "github",
        "signing": {"scheme": "github", "secret": "GH_SECRET", "header": "X-Hub-Signature-256"},
        "keep_headers": ["X-GitHub-Event"],
        "rate_limit_per_minute": 30,
        "created_at": github["created_at"],
    }
    assert plain["signing"] is None and plain["rate_limit_per_minute"] == 600
    assert made["key"] not in listed.text
    assert SIGNING_KEY not in listed.text


def test_the_key_is_stored_hashed_only(tenant_a: Tenant, tmp_path: Path) -> None:
    key = created(tenant_a, name="github")["key"]

    files = list(tmp_path.glob("aloma.db*"))

    assert files
    assert not [file for file in files if key.encode() in file.read_bytes()]


def test_a_name_may_have_spaces_inside_as_alomas_do(tenant_a: Tenant) -> None:
    assert created(tenant_a, name="aloma ui feedback")["name"] == "aloma ui feedback"
    assert tenant_a.http.delete("/v1/webhooks/aloma ui feedback").status_code == 204


def test_a_name_is_unique_in_its_workspace(tenant_a: Tenant, tenant_b: Tenant) -> None:
    created(tenant_a, name="github")

    assert_error(create(tenant_a, name="github"), 409, "conflict")
    created(tenant_b, name="github")


def test_delete_is_204_then_404_and_the_key_stops_working(tenant_a: Tenant, anon: TestClient) -> None:
    url = created(tenant_a, name="github")["url"]

    assert tenant_a.http.delete("/v1/webhooks/github").status_code == 204

    assert_error(tenant_a.http.delete("/v1/webhooks/github"), 404, "not_found")
    assert tenant_a.http.get("/v1/webhooks").json() == {"webhooks": []}
    assert_error(deliver(anon, url), 404, "not_found")


@pytest.mark.parametrize(
    ("body", "named"),
    [
        ({"name": "bad/name"}, "name"),
        ({"name": "trailing "}, "name"),
        ({"name": " leading"}, "name"),
        ({"name": ""}, "name"),
        ({"name": "h", "keep_headers": ["Authorization"]}, "Authorization"),
        ({"name": "h", "keep_headers": ["authorization"]}, "authorization"),
        ({"name": "h", "keep_headers": ["Cookie"]}, "Cookie"),
        ({"name": "h", "keep_headers": ["X-A", "x-a"]}, "twice"),
        ({"name": "h", "keep_headers": ["bad header"]}, "keep_headers"),
        ({"name": "h", "rate_limit_per_minute": 0}, "rate_limit_per_minute"),
        ({"name": "h", "signing": {"scheme": "md5", "secret": "GH_SECRET"}}, "signing.scheme"),
        ({"name": "h", "signing": {"scheme": "github", "secret": "NOT_SET"}}, "NOT_SET"),
        ({"name": "h", "signing": {"scheme": "github", "secret": "GH_SECRET", "header": "a b"}}, "header"),
        ({"name": "h", "colour": "red"}, "colour"),
    ],
)
def test_a_bad_webhook_is_422_naming_what(tenant_a: Tenant, body: dict[str, Any], named: str) -> None:
    tenant_a.http.put("/v1/secrets/GH_SECRET", json={"value": SIGNING_KEY})
    message = assert_error(tenant_a.http.post("/v1/webhooks", json=body), 422, "invalid_input")
    assert named in message


def test_another_workspaces_webhook_is_404(tenant_a: Tenant, tenant_b: Tenant) -> None:
    created(tenant_a, name="github")

    assert_error(tenant_b.http.delete("/v1/webhooks/github"), 404, "not_found")
    assert tenant_b.http.get("/v1/webhooks").json() == {"webhooks": []}
    assert len(tenant_a.http.get("/v1/webhooks").json()["webhooks"]) == 1


@pytest.mark.parametrize(("method", "path"), [("POST", "/v1/webhooks"), ("GET", "/v1/webhooks")])
def test_managing_webhooks_needs_a_workspace_key(anon: TestClient, method: str, path: str) -> None:
    assert_error(anon.request(method, path, json={"name": "x"}), 401, "unauthorized")


# Deliveries


def test_a_delivery_becomes_a_task_of_the_hooks_workspace_with_via(
    tenant_a: Tenant, tenant_b: Tenant, anon: TestClient
) -> None:
    made = created(tenant_a, name="github")

    response = deliver(anon, made["url"])
    task = task_of(tenant_a, response)

    assert task["name"] == "github"
    assert task["state"] == "running"
    via = task["data"].pop("$via")
    assert task["data"] == json.loads(BODY)
    assert via == {"type": "webhook", "name": "github", "id": made["id"], "received": via["received"]}
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", via["received"])
    assert_error(tenant_b.http.get(f"/v1/tasks/{task['id']}"), 404, "not_found")


def test_a_via_in_the_body_is_replaced(tenant_a: Tenant, anon: TestClient) -> None:
    made = created(tenant_a, name="github")
    body = json.dumps({"$via": {"type": "api", "forged": True}, "n": 1}).encode()

    task = task_of(tenant_a, deliver(anon, made["url"], body))

    assert task["data"]["n"] == 1
    assert task["data"]["$via"]["type"] == "webhook"
    assert "forged" not in task["data"]["$via"]


def test_kept_headers_are_copied_under_their_configured_spelling(tenant_a: Tenant, anon: TestClient) -> None:
    made = created(tenant_a, name="github", keep_headers=["X-GitHub-Event", "X-Absent"])

    response = deliver(
        anon, made["url"], **{"x-github-event": "push", "Authorization": "Bearer user-key", "X-Other": "1"}
    )
    task = task_of(tenant_a, response)

    assert task["data"]["$via"]["headers"] == {"X-GitHub-Event": "push"}
    assert "user-key" not in json.dumps(task)


def test_without_kept_headers_via_has_no_headers(tenant_a: Tenant, anon: TestClient) -> None:
    made = created(tenant_a, name="plain")

    task = task_of(tenant_a, deliver(anon, made["url"], **{"X-GitHub-Event": "push"}))

    assert "headers" not in task["data"]["$via"]


def test_an_unknown_key_is_404_and_a_workspace_key_does_not_help(tenant_a: Tenant, anon: TestClient) -> None:
    assert_error(deliver(anon, "/v1/hooks/whk_unknown"), 404, "not_found")
    assert_error(deliver(anon, f"/v1/hooks/{tenant_a.key}"), 404, "not_found")


@pytest.mark.parametrize(
    ("body", "said"),
    [
        (b"[1, 2]", "list"),
        (b'"text"', "str"),
        (b"null", "null"),
        (b"42", "int"),
        (b"{not json", "not JSON"),
        (b'{"n": NaN}', "NaN"),
        (b"\xff\xfe", "not JSON"),
        (b"", "not JSON"),
    ],
)
def test_a_body_that_is_not_a_json_object_is_422(
    tenant_a: Tenant, anon: TestClient, body: bytes, said: str
) -> None:
    made = created(tenant_a, name="github")
    message = assert_error(deliver(anon, made["url"], body), 422, "invalid_input")
    assert said in message


@pytest.fixture
def small(platform: Platform) -> Iterator[TestClient]:
    with TestClient(create_app(platform, admin_token=None, max_body_bytes=1024)) as client:
        yield client


def test_a_body_over_the_request_limit_is_413(tenant_a: Tenant, small: TestClient) -> None:
    made = created(tenant_a, name="github")
    body = json.dumps({"pad": "x" * 2000}).encode()

    assert_error(deliver(small, made["url"], body), 413, "too_large")


def test_data_over_the_workspaces_task_size_limit_is_413(tenant_a: Tenant, anon: TestClient) -> None:
    tenant_a.http.patch("/v1/workspace", json={"settings": {"limits": {"task_data_bytes": 1024}}})
    made = created(tenant_a, name="github")

    response = deliver(anon, made["url"], json.dumps({"pad": "x" * 2000}).encode())

    assert_error(response, 413, "too_large")


def test_over_the_rate_limit_is_429_with_retry_after(tenant_a: Tenant, anon: TestClient) -> None:
    limited = created(tenant_a, name="limited", rate_limit_per_minute=2)
    other = created(tenant_a, name="other", rate_limit_per_minute=2)

    statuses = [deliver(anon, limited["url"]).status_code for _ in range(2)]
    refused = deliver(anon, limited["url"])

    assert statuses == [202, 202]
    assert_error(refused, 429, "rate_limited")
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    assert deliver(anon, other["url"]).status_code == 202


# Signatures


@pytest.fixture
def signed(tenant_a: Tenant) -> Any:
    """Creates a webhook signed with SIGNING_KEY by `scheme` and answers its URL."""
    tenant_a.http.put("/v1/secrets/HOOK_KEY", json={"value": SIGNING_KEY})

    def make(scheme: str, header: str | None = None) -> str:
        signing = {"scheme": scheme, "secret": "HOOK_KEY"} | ({"header": header} if header else {})
        url: str = created(tenant_a, name=f"{scheme}-{header or 'default'}", signing=signing)["url"]
        return url

    return make


def stripe_header(payload: bytes, at_s: int, key: str = SIGNING_KEY) -> str:
    return f"t={at_s},v1={hex_hmac(key, str(at_s).encode() + b'.' + payload)}"


Headers = Callable[[int], dict[str, str]]
"""The signature headers of a delivery at a time (unix seconds): Stripe's carry it."""


def fixed(**headers: str) -> Headers:
    return lambda _now_s: headers


def github(key: str = SIGNING_KEY, body: bytes = BODY) -> str:
    return f"sha256={hex_hmac(key, body)}"


GOOD_SIGNATURES: list[tuple[str, str | None, Headers]] = [
    ("github", None, fixed(**{"X-Hub-Signature-256": github()})),
    ("github", None, fixed(**{"X-Hub-Signature-256": github().upper().replace("SHA256=", "sha256=")})),
    ("stripe", None, lambda now_s: {"Stripe-Signature": stripe_header(BODY, now_s)}),
    (
        "stripe",
        None,
        lambda now_s: {"Stripe-Signature": f"{stripe_header(BODY, now_s - 200)},v1={'0' * 64},v0=abc"},
    ),
    ("hmac-sha256", None, fixed(**{"X-Signature": hex_hmac(SIGNING_KEY, BODY)})),
    ("hmac-sha256", None, fixed(**{"X-Signature": github()})),
    ("hmac-sha256", "X-Shop-Hmac", fixed(**{"X-Shop-Hmac": hex_hmac(SIGNING_KEY, BODY)})),
]


@pytest.fixture
def now_s(platform: Platform) -> int:
    """The platform's clock steps one millisecond per reading: the same second for the whole test."""
    return platform.clock.now_ms() // 1000


@pytest.mark.parametrize(("scheme", "header", "headers"), GOOD_SIGNATURES)
def test_a_correctly_signed_delivery_is_accepted(
    signed: Any, anon: TestClient, now_s: int, scheme: str, header: str | None, headers: Headers
) -> None:
    assert deliver(anon, signed(scheme, header), **headers(now_s)).status_code == 202


BAD_SIGNATURES: list[tuple[str, str | None, Headers, str]] = [
    ("github", None, fixed(), "missing"),
    ("github", None, fixed(**{"X-Hub-Signature-256": github("other key")}), "does not match"),
    ("github", None, fixed(**{"X-Hub-Signature-256": hex_hmac(SIGNING_KEY, BODY)}), "sha256=<hex>"),
    ("github", None, fixed(**{"X-Hub-Signature-256": "sha256=zz"}), "does not match"),
    ("github", None, fixed(**{"X-Signature": github()}), "missing"),
    ("stripe", None, lambda now_s: {"Stripe-Signature": stripe_header(BODY, now_s - 301)}, "300 s"),
    ("stripe", None, lambda now_s: {"Stripe-Signature": stripe_header(BODY, now_s + 301)}, "300 s"),
    ("stripe", None, lambda now_s: {"Stripe-Signature": stripe_header(b"{}", now_s)}, "does not match"),
    (
        "stripe",
        None,
        lambda now_s: {"Stripe-Signature": stripe_header(BODY, now_s, "other key")},
        "does not match",
    ),
    ("stripe", None, fixed(**{"Stripe-Signature": f"v1={hex_hmac(SIGNING_KEY, BODY)}"}), "malformed"),
    ("stripe", None, fixed(**{"Stripe-Signature": f"t=soon,v1={hex_hmac(SIGNING_KEY, BODY)}"}), "malformed"),
    ("hmac-sha256", None, fixed(**{"X-Signature": hex_hmac(SIGNING_KEY, BODY + b" ")}), "does not match"),
    ("hmac-sha256", "X-Shop-Hmac", fixed(**{"X-Signature": hex_hmac(SIGNING_KEY, BODY)}), "missing"),
]


@pytest.mark.parametrize(("scheme", "header", "headers", "said"), BAD_SIGNATURES)
def test_a_delivery_that_does_not_verify_is_401_and_stores_nothing(
    tenant_a: Tenant,
    signed: Any,
    anon: TestClient,
    now_s: int,
    scheme: str,
    header: str | None,
    headers: Headers,
    said: str,
) -> None:
    response = deliver(anon, signed(scheme, header), **headers(now_s))

    message = assert_error(response, 401, "bad_signature")
    assert said in message
    assert "WWW-Authenticate" not in response.headers
    assert SIGNING_KEY not in response.text
    assert tenant_a.http.get("/v1/tasks").json()["tasks"] == []


def test_the_signature_covers_the_raw_bytes_not_the_parsed_json(signed: Any, anon: TestClient) -> None:
    url = signed("github")
    spaced = b'{ "action" : "opened" }'
    compact = b'{"action":"opened"}'

    response = deliver(
        anon, url, spaced, **{"X-Hub-Signature-256": f"sha256={hex_hmac(SIGNING_KEY, compact)}"}
    )

    assert_error(response, 401, "bad_signature")


def test_a_deleted_signing_secret_refuses_every_delivery(
    tenant_a: Tenant, signed: Any, anon: TestClient
) -> None:
    url = signed("github")
    tenant_a.http.delete("/v1/secrets/HOOK_KEY")

    response = deliver(anon, url, **{"X-Hub-Signature-256": github()})

    assert "HOOK_KEY is not set" in assert_error(response, 401, "bad_signature")
