"""`connectors.fetch({url, options, bodyOnly})` against a real server on 127.0.0.1 (allow-listed)."""

from connector_support import KEY, call, failure, make_host

from fake_service import FakeService, Reply, json_reply, text_reply


def test_a_json_answer_comes_back_parsed_with_status_and_headers(service: FakeService) -> None:
    service.route("GET", "/items/7", json_reply({"id": 7, "tags": ["a"]}, **{"X-Trace": "t-1"}))
    result = call(make_host(), "fetch", "", {"url": f"{service.url}/items/7"})
    assert isinstance(result, dict)
    assert result["status"] == 200
    assert result["body"] == {"id": 7, "tags": ["a"]}
    assert isinstance(result["headers"], dict)
    assert result["headers"]["x-trace"] == "t-1"
    assert result["headers"]["content-type"] == "application/json"


def test_a_text_answer_comes_back_as_text(service: FakeService) -> None:
    service.route("GET", "/hello", text_reply("héllo"))
    result = call(make_host(), "fetch", "", {"url": f"{service.url}/hello"})
    assert isinstance(result, dict)
    assert result["body"] == "héllo"


def test_body_only_gives_just_the_body(service: FakeService) -> None:
    service.route("GET", "/items", json_reply([1, 2]))
    assert call(make_host(), "fetch", "", {"url": f"{service.url}/items", "bodyOnly": True}) == [1, 2]


def test_body_only_rejects_an_error_status_with_its_message(service: FakeService) -> None:
    service.route("GET", "/items", json_reply({"message": "no such list"}, 404))
    assert (
        failure(make_host(), "fetch", "", {"url": f"{service.url}/items", "bodyOnly": True})
        == "connectors.fetch: HTTP 404: no such list"
    )


def test_without_body_only_an_error_status_is_an_answer(service: FakeService) -> None:
    service.route("GET", "/gone", text_reply("gone", 410))
    result = call(make_host(), "fetch", "", {"url": f"{service.url}/gone"})
    assert isinstance(result, dict)
    assert (result["status"], result["body"]) == (410, "gone")


def test_options_carry_method_headers_and_a_json_body(service: FakeService) -> None:
    service.route("POST", "/items", json_reply({"id": 8}, 201))
    options = {"method": "post", "headers": {"X-Tenant": "acme"}, "body": {"name": "box"}}
    result = call(make_host(), "fetch", "", {"url": f"{service.url}/items", "options": options})
    assert isinstance(result, dict)
    assert result["status"] == 201
    [seen] = service.seen
    assert (seen.method, seen.json(), seen.headers["x-tenant"]) == ("POST", {"name": "box"}, "acme")
    assert seen.headers["content-type"] == "application/json"


def test_the_method_can_lead_the_url_and_a_text_body_is_sent_as_is(service: FakeService) -> None:
    service.route("PUT", "/note", Reply(204))
    headers = {"Content-Type": "text/csv"}
    args = {"url": f"PUT {service.url}/note", "options": {"headers": headers, "body": "a,b\n1,2"}}
    result = call(make_host(), "fetch", "", args)
    assert isinstance(result, dict)
    assert result["status"] == 204
    [seen] = service.seen
    assert (seen.method, seen.body, seen.headers["content-type"]) == ("PUT", b"a,b\n1,2", "text/csv")


def test_every_request_carries_the_idempotency_key_and_a_user_agent(service: FakeService) -> None:
    service.route("GET", "/x", Reply(200))
    args = {"url": f"{service.url}/x", "options": {"headers": {"Idempotency-Key": "mine"}}}
    call(make_host(), "fetch", "", args)
    [seen] = service.seen
    assert seen.headers["idempotency-key"] == KEY
    assert seen.headers["user-agent"].startswith("aloma-connectors/")


def test_fetch_is_also_reachable_by_its_method_name(service: FakeService) -> None:
    service.route("GET", "/x", json_reply(True))
    assert call(make_host(), "fetch", "request", {"url": f"{service.url}/x", "bodyOnly": True}) is True


def test_redirects_are_followed_and_a_303_turns_a_post_into_a_get(
    service: FakeService, other_service: FakeService
) -> None:
    service.route("POST", "/start", Reply(303, {"Location": f"{other_service.url}/done"}))
    other_service.route("GET", "/done", json_reply({"done": True}))
    args = {"url": f"POST {service.url}/start", "options": {"body": {"a": 1}}, "bodyOnly": True}
    assert call(make_host(), "fetch", "", args) == {"done": True}
    [seen] = other_service.seen
    assert (seen.method, seen.body, seen.headers["idempotency-key"]) == ("GET", b"", KEY)
    assert "content-type" not in seen.headers


def test_a_307_repeats_the_method_and_the_body(service: FakeService) -> None:
    service.route("POST", "/old", Reply(307, {"Location": "/new"}))
    service.route("POST", "/new", json_reply({"ok": 1}))
    args = {"url": f"POST {service.url}/old", "options": {"body": {"a": 1}}, "bodyOnly": True}
    assert call(make_host(), "fetch", "", args) == {"ok": 1}
    assert [(seen.method, seen.path, seen.json()) for seen in service.seen] == [
        ("POST", "/old", {"a": 1}),
        ("POST", "/new", {"a": 1}),
    ]


def test_redirects_are_bounded(service: FakeService) -> None:
    service.route("GET", "/loop", Reply(302, {"Location": "/loop"}))
    assert "more than 5 redirects, the last to 127.0.0.1" in failure(
        make_host(), "fetch", "", {"url": f"{service.url}/loop"}
    )
    assert len(service.seen) == 6
