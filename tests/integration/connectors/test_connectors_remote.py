"""`remote`: the HTTP protocol of api.md against a fake in-house service on 127.0.0.1."""

from connector_support import KEY, call, failure, make_host

from aloma_core.connectors import WorkspaceConnectorHost
from fake_service import FakeService, Reply, json_reply, text_reply

TOKEN = "crm-token-5a4b3c"


def crm(service: FakeService, **config: str) -> WorkspaceConnectorHost:
    return make_host(
        {"crm": ("remote", {"url": service.url, **config})}, {"CRM_TOKEN": TOKEN}, allow=(), own_machine=True
    )


def test_a_call_posts_args_and_task_with_bearer_and_idempotency_key(service: FakeService) -> None:
    service.route("POST", "/findContact", json_reply({"id": 7, "email": "a@b.c"}))
    result = call(crm(service, secret="CRM_TOKEN"), "crm", "findContact", {"email": "a@b.c"})
    assert result == {"id": 7, "email": "a@b.c"}
    [seen] = service.seen
    assert seen.json() == {"args": {"email": "a@b.c"}, "task": {"id": "task-1", "workspace": "ws-1"}}
    assert seen.headers["authorization"] == f"Bearer {TOKEN}"
    assert seen.headers["idempotency-key"] == KEY
    assert seen.headers["content-type"] == "application/json"


def test_without_a_secret_no_authorization_is_sent(service: FakeService) -> None:
    service.route("POST", "/ping", json_reply("pong"))
    assert call(crm(service), "crm", "ping", None) == "pong"
    assert "authorization" not in service.seen[0].headers
    assert service.seen[0].json()["args"] is None


def test_the_url_may_end_with_a_slash_and_the_method_is_one_path_segment(service: FakeService) -> None:
    service.route("POST", "/api/odd%2Fname", json_reply(1))
    host = make_host({"crm": ("remote", {"url": f"{service.url}/api/"})}, allow=(), own_machine=True)
    assert call(host, "crm", "odd/name", {}) == 1


def test_an_empty_2xx_answer_is_null(service: FakeService) -> None:
    service.route("POST", "/forget", Reply(204))
    assert call(crm(service), "crm", "forget", {}) is None


def test_an_error_answer_rejects_with_the_status_and_the_message_field(service: FakeService) -> None:
    service.route(
        "POST", "/findContact", json_reply({"message": "no contact with that email", "code": 4}, 404)
    )
    assert (
        failure(crm(service), "crm", "findContact", {})
        == "connectors.crm.findContact: HTTP 404: no contact with that email"
    )


def test_an_error_answer_without_json_rejects_with_the_body_text(service: FakeService) -> None:
    service.route("POST", "/findContact", text_reply("upstream exploded", 502))
    assert (
        failure(crm(service), "crm", "findContact", {})
        == "connectors.crm.findContact: HTTP 502: upstream exploded"
    )


def test_a_2xx_answer_that_is_not_json_rejects(service: FakeService) -> None:
    service.route("POST", "/x", text_reply("<html>ok</html>"))
    assert failure(crm(service), "crm", "x", {}) == "connectors.crm.x: HTTP 200 with a body that is not JSON"


def test_a_redirect_is_an_answer_like_any_other(service: FakeService) -> None:
    service.route("POST", "/moved", Reply(308, {"Location": "/elsewhere"}))
    assert "HTTP 308" in failure(crm(service), "crm", "moved", {})
    assert len(service.seen) == 1


def test_the_secret_never_appears_in_an_error_even_if_the_service_echoes_it(service: FakeService) -> None:
    service.route("POST", "/whoami", json_reply({"message": f"token {TOKEN} is revoked"}, 401))
    assert (
        failure(crm(service, secret="CRM_TOKEN"), "crm", "whoami", {})
        == "connectors.crm.whoami: HTTP 401: token *** is revoked"
    )


def test_a_missing_secret_is_named(service: FakeService) -> None:
    host = make_host({"crm": ("remote", {"url": service.url, "secret": "NOT_SET"})})
    assert "config field secret names the secret NOT_SET, which is not set" in failure(host, "crm", "x", {})
    assert service.seen == []


def test_a_remote_namespace_needs_a_method_name(service: FakeService) -> None:
    assert "connectors.crm: name one of the service's methods" in failure(crm(service), "crm", "", {})
