"""`slack.send({text, channel})` by incoming webhook and by bot token, against fakes of Slack."""

from connector_support import KEY, call, failure, make_host

from aloma_core.connectors import WorkspaceConnectorHost
from fake_service import FakeService, Reply, Seen, json_reply, text_reply

BOT_TOKEN = "xoxb-1111-2222-secret"


def by_webhook(service: FakeService) -> WorkspaceConnectorHost:
    config = {"webhook_url": {"secret": "SLACK_HOOK"}}
    return make_host({"slack": ("slack", config)}, {"SLACK_HOOK": f"{service.url}/services/T1/B2/xyz"})


def by_token(service: FakeService, channel: str | None = None) -> WorkspaceConnectorHost:
    config = {"token": {"secret": "SLACK_BOT"}, "api_url": f"{service.url}/api"}
    if channel is not None:
        config["channel"] = channel
    return make_host({"slack": ("slack", config)}, {"SLACK_BOT": BOT_TOKEN})


def test_a_webhook_gets_the_message_as_json(service: FakeService) -> None:
    service.route("POST", "/services/T1/B2/xyz", text_reply("ok"))
    assert call(by_webhook(service), "slack", "send", {"text": "deploy done", "channel": "#ops"}) == {
        "ok": True
    }
    [seen] = service.seen
    assert seen.json() == {"text": "deploy done", "channel": "#ops"}
    assert seen.headers["content-type"].startswith("application/json")
    assert seen.headers["idempotency-key"] == KEY


def test_a_webhook_refusal_is_reported_without_its_url(service: FakeService) -> None:
    service.route("POST", "/services/T1/B2/xyz", text_reply("invalid_payload", 400))
    message = failure(by_webhook(service), "slack", "send", {"text": ""})
    assert message == "connectors.slack.send: Slack refused the message: HTTP 400: invalid_payload"


def test_a_bot_token_posts_to_chat_post_message(service: FakeService) -> None:
    def post_message(seen: Seen) -> Reply:
        body = seen.json()
        return json_reply({"ok": True, "channel": "C123", "ts": "1700.01", "message": {"text": body["text"]}})

    service.route("POST", "/api/chat.postMessage", post_message)
    result = call(by_token(service), "slack", "send", {"text": "hi", "channel": "#general"})
    assert result == {"ok": True, "channel": "C123", "ts": "1700.01"}
    [seen] = service.seen
    assert seen.json() == {"channel": "#general", "text": "hi"}
    assert seen.headers["authorization"] == f"Bearer {BOT_TOKEN}"


def test_a_bot_uses_its_configured_channel_when_send_names_none(service: FakeService) -> None:
    service.route("POST", "/api/chat.postMessage", json_reply({"ok": True, "channel": "C9", "ts": "1"}))
    call(by_token(service, channel="#alerts"), "slack", "send", {"text": "hi"})
    assert service.seen[0].json()["channel"] == "#alerts"


def test_a_bot_without_any_channel_is_refused_before_sending(service: FakeService) -> None:
    assert "send needs a channel" in failure(by_token(service), "slack", "send", {"text": "hi"})
    assert service.seen == []


def test_a_not_ok_answer_rejects_with_slacks_error(service: FakeService) -> None:
    service.route("POST", "/api/chat.postMessage", json_reply({"ok": False, "error": "channel_not_found"}))
    assert (
        failure(by_token(service), "slack", "send", {"text": "hi", "channel": "#nope"})
        == "connectors.slack.send: Slack refused the message: channel_not_found"
    )


def test_send_takes_only_text_and_channel(service: FakeService) -> None:
    assert "bad arguments: text: Field required; blocks: Extra inputs" in failure(
        by_token(service), "slack", "send", {"blocks": []}
    )
