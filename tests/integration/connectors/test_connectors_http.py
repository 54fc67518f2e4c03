"""`http.request({url: "/path" | "GET /path", options, bodyOnly})` bound to a base URL with its auth."""

import base64

import pytest
from connector_support import call, failure, make_host

from aloma_core.connectors import WorkspaceConnectorHost
from aloma_core.json_types import JsonObject, JsonValue
from fake_service import FakeService, Reply, json_reply

TOKEN = "api-token-0c0ffee"


def api(base_url: str, allow: tuple[str, ...] = ("127.0.0.1",), **auth: JsonValue) -> WorkspaceConnectorHost:
    config: JsonObject = {"base_url": base_url, **auth}
    return make_host({"api": ("http", config)}, {"API_TOKEN": TOKEN, "API_PASSWORD": "pa55"}, allow)


def test_a_path_is_requested_under_the_base_url(service: FakeService) -> None:
    service.route("GET", "/v2/items", json_reply([{"id": 1}]))
    result = call(api(f"{service.url}/v2/"), "api", "request", {"url": "/items?active=1"})
    assert isinstance(result, dict)
    assert (result["status"], result["body"]) == (200, [{"id": 1}])
    assert service.seen[0].path == "/v2/items?active=1"


def test_the_method_can_lead_the_path_and_a_body_is_sent_as_json(service: FakeService) -> None:
    service.route("POST", "/v2/items", json_reply({"id": 2}, 201))
    args = {"url": "POST /items", "options": {"body": {"name": "box"}}, "bodyOnly": True}
    assert call(api(f"{service.url}/v2"), "api", "request", args) == {"id": 2}
    assert service.seen[0].json() == {"name": "box"}


def test_the_namespace_called_directly_makes_a_request(service: FakeService) -> None:
    service.route("DELETE", "/items/3", Reply(204))
    result = call(api(service.url), "api", "", {"url": "DELETE /items/3"})
    assert isinstance(result, dict)
    assert result["status"] == 204


@pytest.mark.parametrize(
    ("auth", "header", "value"),
    [
        ({"auth": "bearer", "token": {"secret": "API_TOKEN"}}, "authorization", f"Bearer {TOKEN}"),
        (
            {"auth": "basic", "username": "me", "password": {"secret": "API_PASSWORD"}},
            "authorization",
            "Basic " + base64.b64encode(b"me:pa55").decode(),
        ),
        ({"auth": "header", "header": "X-Api-Key", "token": {"secret": "API_TOKEN"}}, "x-api-key", TOKEN),
    ],
)
def test_each_auth_kind_sends_its_secret(
    service: FakeService, auth: JsonObject, header: str, value: str
) -> None:
    service.route("GET", "/me", json_reply("me"))
    headers = {"Authorization": "Bearer step-chosen", "X-Api-Key": "step-chosen"}
    call(api(service.url, **auth), "api", "request", {"url": "/me", "options": {"headers": headers}})
    assert service.seen[0].headers[header] == value


def test_no_auth_sends_no_credentials(service: FakeService) -> None:
    service.route("GET", "/open", json_reply("open"))
    call(api(service.url), "api", "request", {"url": "/open"})
    assert "authorization" not in service.seen[0].headers


@pytest.mark.parametrize(
    "url", ["https://elsewhere.example/steal", "//elsewhere.example/x", "items", "GET items"]
)
def test_only_paths_under_the_base_url_are_accepted(service: FakeService, url: str) -> None:
    assert "url must be a path under the base URL" in failure(
        api(service.url), "api", "request", {"url": url}
    )
    assert service.seen == []


def test_credentials_follow_a_redirect_on_the_same_origin_only(
    service: FakeService, other_service: FakeService
) -> None:
    service.route("GET", "/a", Reply(302, {"Location": "/b"}))
    service.route("GET", "/b", Reply(302, {"Location": f"{other_service.url}/c"}))
    other_service.route("GET", "/c", json_reply("c"))
    host = api(service.url, auth="header", header="X-Api-Key", token={"secret": "API_TOKEN"})
    assert call(host, "api", "request", {"url": "/a", "bodyOnly": True}) == "c"
    assert [seen.headers.get("x-api-key") for seen in service.seen] == [TOKEN, TOKEN]
    assert "x-api-key" not in other_service.seen[0].headers


def test_the_base_url_is_guarded_like_fetch(service: FakeService) -> None:
    service.route("GET", "/x", json_reply("x"))
    assert "refused by the egress guard: 127.0.0.1 is a loopback address" in failure(
        api(service.url, allow=()), "api", "request", {"url": "/x"}
    )
    assert service.seen == []


def test_the_token_never_appears_in_an_error(service: FakeService) -> None:
    service.route("GET", "/x", json_reply({"message": f"bad token {TOKEN}"}, 401))
    host = api(service.url, auth="bearer", token={"secret": "API_TOKEN"})
    assert (
        failure(host, "api", "request", {"url": "/x", "bodyOnly": True})
        == "connectors.api.request: HTTP 401: bad token ***"
    )
