"""Notifications end to end on the local home: the shared scenarios of tests/notify_scenarios.py
on a virtual clock (the AWS home runs them too), and a real-clock run as `aloma dev` serves it,
where a stand-in HTTP server on 127.0.0.1 receives exactly one message per failed task."""

import time
from collections.abc import Callable
from typing import Any

import pytest
from e2e_support import Server

import notify_scenarios
from fake_service import FakeService, json_reply
from notify_scenarios import NewTimedWorkspace
from time_scenarios import TimedWorkspace


def workspaces_of(server: Server) -> NewTimedWorkspace:
    def new_workspace(settings: dict[str, Any] | None) -> TimedWorkspace:
        return server.workspace(settings=settings)

    return new_workspace


@pytest.mark.parametrize("scenario", notify_scenarios.SHARED, ids=lambda scenario: scenario.__name__)
def test_notify(
    scenario: Callable[[NewTimedWorkspace, FakeService], None], clocked_server: Server, service: FakeService
) -> None:
    scenario(workspaces_of(clocked_server), service)


def test_a_slack_connector_hears_of_an_error(clocked_server: Server, service: FakeService) -> None:
    ws = clocked_server.workspace(settings={"egress_allow": ["127.0.0.1"]})
    connector = {"type": "slack", "config": {"webhook_url": service.url + "/slack"}}
    assert ws.client.put("/v1/connectors/alerts", json=connector).status_code == 200
    answer = ws.client.patch("/v1/workspace", json={"settings": notify_scenarios.SLACK_SETTINGS})
    assert answer.status_code == 200, answer.text

    notify_scenarios.a_slack_connector_hears_of_an_error(ws, service)


def test_an_email_gateway_behind_remote_hears_of_an_error(
    clocked_server: Server, service: FakeService
) -> None:
    ws = clocked_server.workspace()
    ws.put_secret("MAILER_KEY", notify_scenarios.MAILER_KEY)
    connector = {"type": "remote", "config": {"url": service.url, "secret": "MAILER_KEY"}}
    assert ws.client.put("/v1/connectors/mailer", json=connector).status_code == 200
    answer = ws.client.patch("/v1/workspace", json={"settings": notify_scenarios.MAILER_SETTINGS})
    assert answer.status_code == 200, answer.text

    notify_scenarios.an_email_gateway_behind_remote_gets_subject_text_and_notification(ws, service)


def wait_for_messages(service: FakeService, count: int) -> list[dict[str, Any]]:
    """Polls (bounded by count; the timeout is only a safety net) until `count` messages came."""
    for _ in range(600):
        messages = notify_scenarios.received(service)
        if len(messages) >= count:
            return messages
        time.sleep(0.05)
    return notify_scenarios.received(service)


def test_each_failed_task_reaches_a_local_server_exactly_once(server: Server, service: FakeService) -> None:
    """The real clock and `aloma dev`'s threads: the notifier thread delivers on its own; then
    every stored version of every task is handed to the matcher again (as a duplicated stream
    record would be) and the notifier ticks more: nothing is sent twice."""
    service.route("POST", notify_scenarios.HOOK_PATH, json_reply({"ok": True}))
    ws = server.workspace(settings=notify_scenarios.webhook_settings(service, digest={"after": 50}))
    ws.put_step("charge", notify_scenarios.CHARGE)
    failed = [ws.new_task({"order": n, "fail": True}) for n in range(5)]
    for task_id in failed:
        assert ws.settle(task_id)["state"] == "error"

    assert len(wait_for_messages(service, len(failed))) == len(failed)
    workspace_id = ws.client.get("/v1/workspace").json()["id"]
    for task_id in failed:
        for version in range(1, server.home.tasks.get(workspace_id, task_id).version + 1):
            server.home.matcher.handle(workspace_id, task_id, version)
    assert server.home.wait_idle(30)
    for _ in range(3):
        server.home.tick()

    messages = notify_scenarios.received(service)
    assert sorted(notify_scenarios.told_ids(messages)) == sorted(failed)
    assert all(message["type"] == "task_ended" for message in messages)
