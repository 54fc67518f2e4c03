"""Notifications (settings.notify) as scenarios both homes run: the local home over HTTP on a
virtual clock (tests/e2e) and the AWS home's Lambda handlers on moto with the one-minute tick
(tests/integration/aws/pipeline). A real HTTP server on 127.0.0.1 (`FakeService`) stands in for
the target; the workspace allows it through the egress guard with `egress_allow`.

Time only moves through `later`, which fires what is due (notifications included) as the home's
timer would.
"""

from datetime import datetime
from typing import Any

from fake_service import FakeService, Reply, json_reply
from lifecycle_scenarios import step_file
from time_scenarios import NewTimedWorkspace, TimedWorkspace

HOOK_PATH = "/aloma-hook"
TOKEN = "sk-live-never-in-a-message"
"""A workspace secret that a failing step puts into its error message."""

CHARGE = step_file(
    "{order: Number, fail: true}",
    "throw new Error('card declined for order ' + data.order + ' with ' + task.config('PAY_TOKEN'));",
)
RESERVE = step_file("{order: Number, fail: true}", "throw new Error('out of stock');")
"""Fails beside `charge` on the same tasks: a failed task is stored again while it is in `error`."""
PACK = step_file("{order: Number, fail: false}", "task.complete('packed');")


def webhook_settings(service: FakeService, **notify: Any) -> dict[str, Any]:
    return {"egress_allow": ["127.0.0.1"], "notify": {"to": {"webhook": service.url + HOOK_PATH}, **notify}}


def received(service: FakeService, path: str = HOOK_PATH) -> list[dict[str, Any]]:
    return [seen.json() for seen in service.seen if seen.path == path]


def told_ids(messages: list[dict[str, Any]]) -> list[str]:
    return [task["id"] for message in messages for task in message["tasks"]]


def shop(new_workspace: NewTimedWorkspace, settings: dict[str, Any]) -> TimedWorkspace:
    ws = new_workspace(settings)
    ws.put_secret("PAY_TOKEN", TOKEN)
    ws.put_step("charge", CHARGE)
    ws.put_step("pack", PACK)
    return ws


def each_bad_ending_is_told_once(new_workspace: NewTimedWorkspace, service: FakeService) -> None:
    service.route("POST", HOOK_PATH, json_reply({"ok": True}))
    ws = shop(new_workspace, webhook_settings(service))
    ws.put_step("reserve", RESERVE)
    failed = [ws.new_task({"order": n, "fail": True}, name=f"order {n}") for n in (1, 2)]
    packed = ws.new_task({"order": 3, "fail": False})
    stuck = ws.new_task({"nothing": "matches"})
    for task_id in [*failed, packed, stuck]:
        ws.settle(task_id)

    ws.later(1)
    ws.later(10 * 60)

    messages = received(service)
    assert sorted(told_ids(messages)) == sorted([*failed, stuck]), messages
    assert {m["type"] for m in messages} == {"task_ended"}
    by_id = {m["tasks"][0]["id"]: m for m in messages}
    first = by_id[failed[0]]
    assert first["workspace"]["id"] and first["count"] == 1
    (told,) = first["tasks"]
    assert (told["name"], told["state"], told["link"]) == ("order 1", "error", f"/ui/tasks/{failed[0]}")
    assert (told["error"]["step"], told["error"]["line"]) in {("charge", 2), ("reserve", 2)}
    assert told["error"]["message"] in {"Error: card declined for order 1 with ***", "Error: out of stock"}
    assert by_id[stuck]["tasks"][0]["state"] == "incomplete"
    assert all(TOKEN not in seen.body.decode() for seen in service.seen), "a secret value went out"
    keys = [seen.headers["idempotency-key"] for seen in service.seen]
    assert len(set(keys)) == len(keys) == 3


def a_resumed_task_failing_again_is_a_new_ending(
    new_workspace: NewTimedWorkspace, service: FakeService
) -> None:
    service.route("POST", HOOK_PATH, json_reply({"ok": True}))
    ws = shop(new_workspace, webhook_settings(service, on=["error"]))
    task_id = ws.new_task({"order": 4, "fail": True})
    assert ws.settle(task_id)["state"] == "error"
    ws.later(1)
    assert told_ids(received(service)) == [task_id]

    ws.resume(task_id)
    assert ws.settle(task_id)["state"] == "error"
    ws.later(1)
    ws.later(5 * 60)

    assert told_ids(received(service)) == [task_id, task_id]


def seconds_to_next_window(ws: TimedWorkspace, window_s: int) -> float:
    """From the home's clock (a task's created_at) to just after the next window starts, so a
    burst made right after falls in one window whatever the real time."""
    probe = ws.task(ws.new_task({"probe": True}))
    now_ms = int(datetime.fromisoformat(probe["created_at"].replace("Z", "+00:00")).timestamp() * 1000)
    return (window_s * 1000 - now_ms % (window_s * 1000)) / 1000 + 1


def many_failing_at_once_go_as_one_digest(new_workspace: NewTimedWorkspace, service: FakeService) -> None:
    service.route("POST", HOOK_PATH, json_reply({"ok": True}))
    window_s = 3600
    digest = {"after": 2, "window_s": window_s, "show": 3}
    ws = shop(new_workspace, webhook_settings(service, on=["error"], digest=digest))
    ws.later(seconds_to_next_window(ws, window_s))
    failed = [ws.new_task({"order": n, "fail": True}) for n in range(10, 16)]
    for task_id in failed:
        assert ws.settle(task_id)["state"] == "error"

    ws.later(60)
    assert received(service) == [], "more than `after` in the window: held for the digest"
    ws.later(window_s)
    ws.later(window_s)

    (message,) = received(service)
    assert message["type"] == "digest"
    assert message["count"] == 6
    assert len(message["tasks"]) == 3
    assert set(told_ids([message])) <= set(failed)
    assert "and 3 more" in message["text"]


def a_failing_target_is_retried_a_bounded_number_of_times(
    new_workspace: NewTimedWorkspace, service: FakeService
) -> None:
    service.route("POST", HOOK_PATH, Reply(500, {}, b"down for maintenance"))
    ws = shop(new_workspace, webhook_settings(service, on=["error"]))
    task_id = ws.new_task({"order": 5, "fail": True})
    assert ws.settle(task_id)["state"] == "error"

    for _ in range(6):
        ws.later(5 * 60)

    attempts = [seen for seen in service.seen if seen.path == HOOK_PATH]
    assert len(attempts) == 3
    assert len({seen.headers["idempotency-key"] for seen in attempts}) == 1
    assert ws.task(task_id)["state"] == "error"
    packed = ws.new_task({"order": 6, "fail": False})
    assert ws.settle(packed)["state"] == "done", "the pipeline goes on whatever the target does"


def a_slack_connector_hears_of_an_error(ws: TimedWorkspace, service: FakeService) -> None:
    """`ws` has the `alerts` slack connector posting to `service` at /slack, and notify set to it."""
    service.route("POST", "/slack", Reply(200, {"Content-Type": "text/plain"}, b"ok"))
    ws.put_secret("PAY_TOKEN", TOKEN)
    ws.put_step("charge", CHARGE)
    task_id = ws.new_task({"order": 8, "fail": True}, name="order 8")
    assert ws.settle(task_id)["state"] == "error"

    ws.later(1)
    ws.later(5 * 60)

    (sent,) = received(service, "/slack")
    assert set(sent) == {"text"}
    assert task_id in sent["text"] and "ended error" in sent["text"] and "order 8" in sent["text"]
    assert f"/ui/tasks/{task_id}" in sent["text"]
    assert TOKEN not in sent["text"]


def an_email_gateway_behind_remote_gets_subject_text_and_notification(
    ws: TimedWorkspace, service: FakeService
) -> None:
    """`ws` has the `mailer` remote connector pointing at `service`, and notify set to its `email`."""
    service.route("POST", "/email", json_reply({"queued": True}))
    ws.put_secret("PAY_TOKEN", TOKEN)
    ws.put_step("charge", CHARGE)
    task_id = ws.new_task({"order": 9, "fail": True})
    assert ws.settle(task_id)["state"] == "error"

    ws.later(1)

    (call,) = [seen for seen in service.seen if seen.path == "/email"]
    body = call.json()
    assert body["task"]["id"] == task_id
    assert set(body["args"]) == {"subject", "text", "notification"}
    assert body["args"]["subject"].endswith(f"task {task_id} ended error")
    assert body["args"]["notification"]["tasks"][0]["id"] == task_id
    assert call.headers["authorization"] == f"Bearer {MAILER_KEY}"
    assert TOKEN not in call.body.decode()


SHARED = [
    each_bad_ending_is_told_once,
    a_resumed_task_failing_again_is_a_new_ending,
    many_failing_at_once_go_as_one_digest,
    a_failing_target_is_retried_a_bounded_number_of_times,
]

SLACK_CONNECTOR = {"type": "slack", "config": {"webhook_url": "{url}/slack"}}
MAILER_KEY = "mailer-key-kept-as-a-secret"
MAILER_SETTINGS = {"notify": {"to": {"connector": "mailer", "method": "email"}, "on": ["error"]}}
SLACK_SETTINGS = {"egress_allow": ["127.0.0.1"], "notify": {"to": {"connector": "alerts"}}}
