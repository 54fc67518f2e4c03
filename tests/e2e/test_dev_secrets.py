"""Secrets, connector secrets included, reach steps but never an answer, the history or the server's log."""

import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from e2e_support import DevProcess, free_port

from fake_service import FakeService, json_reply

SECRET = "hunter2-very-secret"
LEAKY = """export const condition = {go: true};
export const content = async () => {
  const token = task.config('API_TOKEN');
  console.log('calling with', token);
  audit.log(`token ${token}`);
  throw new Error('rejected token ' + token);
};
"""


@pytest.fixture
def dev(tmp_path: Path) -> Iterator[DevProcess]:
    (tmp_path / "steps").mkdir()
    (tmp_path / "steps" / "leaky.js").write_text(LEAKY)
    process = DevProcess(tmp_path, free_port(), 1)
    try:
        yield process
    finally:
        process.stop()


def test_a_step_that_prints_and_throws_its_secret_leaks_nothing(dev: DevProcess) -> None:
    client = dev.start()
    assert client.put("/v1/secrets/API_TOKEN", json={"value": SECRET}).status_code == 204
    task_id = client.post("/v1/tasks", json={"data": {"go": True}}).json()["id"]
    deadline = time.monotonic() + 30
    while (task := client.get(f"/v1/tasks/{task_id}").json())["state"] == "running":
        assert time.monotonic() < deadline
        time.sleep(0.1)

    history = client.get(f"/v1/tasks/{task_id}/history").json()
    assert task["state"] == "error"
    assert task["error"]["message"].endswith("rejected token ***")
    run = next(e for e in history["events"] if e["type"] == "run")
    assert run["logs"][0]["message"] == "calling with ***"
    names = client.get("/v1/secrets").text
    dev.stop()
    log = (dev.project / ".aloma" / "logs" / "aloma.jsonl").read_text()
    assert "rejected token ***" in log, "the run's failure is logged"
    for text in (json.dumps(task), json.dumps(history), names, log):
        assert SECRET not in text


CONNECTOR_TOKEN = "tok-connector-very-secret"
ECHO = """export const condition = {echo: true};
export const content = async () => {
  const heard = await connectors.api.request({ url: 'POST /echo', bodyOnly: true });
  console.log('the service heard', heard);
  throw new Error('heard ' + heard.authorization);
};
"""


@pytest.fixture
def echo_service() -> Iterator[FakeService]:
    service = FakeService().start()
    service.route("POST", "/echo", lambda seen: json_reply({"authorization": seen.headers["authorization"]}))
    yield service
    service.stop()


@pytest.fixture
def echo_dev(tmp_path: Path) -> Iterator[DevProcess]:
    (tmp_path / "steps").mkdir()
    (tmp_path / "steps" / "echo.js").write_text(ECHO)
    process = DevProcess(tmp_path, free_port(), 1)
    try:
        yield process
    finally:
        process.stop()


def test_a_connector_secret_given_as_a_literal_leaks_nothing(
    echo_dev: DevProcess, echo_service: FakeService
) -> None:
    client = echo_dev.start()
    config = {"base_url": echo_service.url, "auth": "bearer", "token": CONNECTOR_TOKEN}
    put = client.put("/v1/connectors/api", json={"type": "http", "config": config})
    client.patch("/v1/workspace", json={"settings": {"egress_allow": ["127.0.0.1"]}})
    task_id = client.post("/v1/tasks", json={"data": {"echo": True}}).json()["id"]
    deadline = time.monotonic() + 30
    while (task := client.get(f"/v1/tasks/{task_id}").json())["state"] == "running":
        assert time.monotonic() < deadline
        time.sleep(0.1)

    history = client.get(f"/v1/tasks/{task_id}/history").json()
    answers = [put.text, client.get("/v1/connectors").text, client.get("/v1/secrets").text]
    echo_dev.stop()
    log = (echo_dev.project / ".aloma" / "logs" / "aloma.jsonl").read_text()
    assert echo_service.seen[0].headers["authorization"] == f"Bearer {CONNECTOR_TOKEN}"
    assert task["error"]["message"].endswith("heard Bearer ***")
    run = next(e for e in history["events"] if e["type"] == "run")
    assert run["logs"][0]["message"] == 'the service heard {"authorization":"Bearer ***"}'
    assert "heard Bearer ***" in log
    for text in (json.dumps(task), json.dumps(history), *answers, log):
        assert CONNECTOR_TOKEN not in text
