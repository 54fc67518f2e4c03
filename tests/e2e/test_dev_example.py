"""`aloma dev examples/onboarding` on a machine with no network: the example's connectors reach the
stand-in CRM and Slack that the dev server serves, as its aloma.dev.json asks."""

import json
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from e2e_support import EXAMPLE, DevProcess, free_port


@pytest.fixture
def dev(tmp_path: Path) -> Iterator[DevProcess]:
    shutil.copytree(EXAMPLE, tmp_path / "steps")
    process = DevProcess(tmp_path, free_port(), len(list(EXAMPLE.glob("*.js"))))
    try:
        yield process
    finally:
        process.stop()


def test_the_onboarding_example_runs_against_the_stand_in_services(dev: DevProcess) -> None:
    client = dev.start()
    data = json.loads((EXAMPLE / "task.json").read_text())
    task_id = client.post("/v1/tasks", json={"name": "onboard Ada", "data": data}).json()["id"]
    deadline = time.monotonic() + 30
    while (task := client.get(f"/v1/tasks/{task_id}").json())["state"] == "running":
        assert time.monotonic() < deadline, task
        time.sleep(0.1)

    assert task["state"] == "done", task
    contacts = client.get("/examples/crm/contacts").json()
    messages = client.get("/examples/slack/messages").json()
    assert contacts == [{"id": task["result"]["crm_id"], "email": "ada@example.com", "name": "Ada Lovelace"}]
    assert messages == [{"text": task["data"]["welcome"]["text"], "channel": "#onboarding"}]
    connectors = {c["namespace"]: c for c in client.get("/v1/connectors").json()["connectors"]}
    assert connectors["crm"]["config"] == {
        "url": f"http://127.0.0.1:{dev.port}/examples/crm",
        "secret": "CRM_TOKEN",
    }
    assert connectors["slack"]["config"] == {"webhook_url": {"secret": "connector.slack.webhook_url"}}
    history = client.get(f"/v1/tasks/{task_id}/history").text
    dev.stop()
    log = (dev.project / ".aloma" / "logs" / "aloma.jsonl").read_text()
    for text in (history, json.dumps(connectors), log):
        assert "dev-crm-token" not in text
        assert "examples/slack/webhook" not in text


def test_a_connector_configured_by_hand_survives_a_restart(dev: DevProcess) -> None:
    client = dev.start()
    mine = {"type": "remote", "config": {"url": "https://crm.example.com/aloma", "secret": "CRM_TOKEN"}}
    assert client.put("/v1/connectors/crm", json=mine).status_code == 200
    dev.stop()

    client = dev.start()

    assert client.get("/v1/connectors/crm").json()["config"] == mine["config"]
    assert client.get("/v1/connectors/slack").status_code == 200
