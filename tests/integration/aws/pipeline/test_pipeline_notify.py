"""Notifications on the AWS home: the shared scenarios of tests/notify_scenarios.py (the local home
runs them too) through the API, matcher, runner and tick handlers on moto, and what only the
stream can do: deliver a task's records again, which must not claim a second notice."""

from collections.abc import Callable

import pytest
from api_client import Workspace
from driver import PipelineDriver

import notify_scenarios
from fake_service import FakeService, json_reply
from notify_scenarios import NewTimedWorkspace

pytest_plugins = ["pipeline_fixtures"]


@pytest.mark.parametrize("scenario", notify_scenarios.SHARED, ids=lambda scenario: scenario.__name__)
def test_notify(
    scenario: Callable[[NewTimedWorkspace, FakeService], None],
    new_workspace: Callable[..., Workspace],
    service: FakeService,
) -> None:
    scenario(new_workspace, service)


def test_a_slack_connector_hears_of_an_error(
    new_workspace: Callable[..., Workspace], service: FakeService
) -> None:
    ws = new_workspace({"egress_allow": ["127.0.0.1"]})
    connector = {"type": "slack", "config": {"webhook_url": service.url + "/slack"}}
    ws.api.ok("PUT", "/v1/connectors/alerts", connector)
    ws.api.ok("PATCH", "/v1/workspace", {"settings": notify_scenarios.SLACK_SETTINGS})

    notify_scenarios.a_slack_connector_hears_of_an_error(ws, service)


def test_an_email_gateway_behind_remote_hears_of_an_error(
    new_workspace: Callable[..., Workspace], service: FakeService
) -> None:
    # On AWS `remote` reaches loopback only through the allow list (the local home's test needs none).
    ws = new_workspace({"egress_allow": ["127.0.0.1"]})
    ws.put_secret("MAILER_KEY", notify_scenarios.MAILER_KEY)
    connector = {"type": "remote", "config": {"url": service.url, "secret": "MAILER_KEY"}}
    ws.api.ok("PUT", "/v1/connectors/mailer", connector)
    ws.api.ok("PATCH", "/v1/workspace", {"settings": notify_scenarios.MAILER_SETTINGS})

    notify_scenarios.an_email_gateway_behind_remote_gets_subject_text_and_notification(ws, service)


def test_stream_records_delivered_again_claim_no_second_notice(
    pipeline: PipelineDriver, new_workspace: Callable[..., Workspace], service: FakeService
) -> None:
    """Every stream record of the failed tasks is handed to the matcher a second time (a retried
    batch), before and after delivery: each failed task is still told once."""
    service.route("POST", notify_scenarios.HOOK_PATH, json_reply({"ok": True}))
    ws = new_workspace(notify_scenarios.webhook_settings(service, digest={"after": 50}))
    ws.put_step("charge", notify_scenarios.CHARGE)
    ws.put_step("reserve", notify_scenarios.RESERVE)
    failed = [ws.new_task({"order": n, "fail": True}) for n in range(3)]
    for task_id in failed:
        assert ws.settle(task_id)["state"] == "error"

    pipeline.replay_stream()
    ws.later(1)
    pipeline.replay_stream()
    ws.later(10 * 60)

    messages = notify_scenarios.received(service)
    assert sorted(notify_scenarios.told_ids(messages)) == sorted(failed)
