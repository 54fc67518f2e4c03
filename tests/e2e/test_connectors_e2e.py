"""Connectors and webhooks end to end on the local home: steps calling a `remote` service on a real
127.0.0.1 server, the egress guard through `connectors.fetch`, and a signed GitHub delivery."""

import hashlib
import hmac
import json
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import httpx
import pytest
from e2e_support import DevProcess, Server, Workspace, free_port

from connector_scenarios import CRM_TOKEN, remote_calls_awaited_unawaited_into_and_catching, serve_crm
from fake_service import FakeService, Reply, Seen, json_reply

GH_KEY = "github-signing-key"


def configure_crm(ws: Workspace, service: FakeService) -> None:
    assert ws.client.put("/v1/secrets/CRM_TOKEN", json={"value": CRM_TOKEN}).status_code == 204
    config = {"url": service.url, "secret": "CRM_TOKEN"}
    answer = ws.client.put("/v1/connectors/crm", json={"type": "remote", "config": config})
    assert answer.status_code == 200, answer.text


def test_a_step_calls_a_remote_service_awaited_unawaited_into_and_catching(
    server: Server, service: FakeService
) -> None:
    serve_crm(service)
    ws = server.workspace()
    configure_crm(ws, service)
    remote_calls_awaited_unawaited_into_and_catching(ws, service)


def test_what_a_service_echoes_of_the_secret_is_masked_in_history(
    server: Server, service: FakeService
) -> None:
    service.route("POST", "/echo", lambda seen: json_reply({"heard": seen.headers["authorization"]}))
    ws = server.workspace()
    configure_crm(ws, service)
    ws.put_step(
        "leaky",
        "export const condition = {go: true};\n"
        "export const content = async () => {\n"
        "  const echo = await connectors.crm.echo({});\n"
        "  console.log('service said', echo);\n"
        "  audit.log(echo.heard);\n"
        "  throw new Error('rejected ' + echo.heard);\n"
        "};\n",
    )

    task_id = ws.new_task({"go": True})
    task = ws.settle(task_id)
    history = ws.events(task_id)

    assert task["state"] == "error"
    assert task["error"]["message"].endswith("rejected Bearer ***")
    run = next(e for e in history if e["type"] == "run")
    assert run["logs"][0]["message"] == 'service said {"heard":"Bearer ***"}'
    answers = [task, history, ws.client.get("/v1/connectors").json(), ws.client.get("/v1/secrets").json()]
    assert CRM_TOKEN not in json.dumps(answers)


FETCH = """export const condition = { url: String, answer: null };
export const content = async () => {
  data.answer = await connectors.fetch({ url: data.url, bodyOnly: true });
};
"""


def test_the_egress_guard_refuses_loopback_until_the_workspace_allows_it(
    server: Server, service: FakeService
) -> None:
    service.route("GET", "/ping", json_reply({"pong": True}))
    ws = server.workspace()
    ws.put_step("fetch", FETCH)

    refused = ws.settle(ws.new_task({"url": f"{service.url}/ping"}))

    assert refused["state"] == "error"
    assert "refused by the egress guard: 127.0.0.1 is a loopback address" in refused["error"]["message"]
    assert "egress_allow" in refused["error"]["message"]
    assert service.seen == []

    patched = ws.client.patch("/v1/workspace", json={"settings": {"egress_allow": ["127.0.0.1"]}})
    assert patched.status_code == 200
    assert ws.client.post(f"/v1/tasks/{refused['id']}/resume").status_code == 202
    allowed = ws.settle(refused["id"])

    assert allowed["data"]["answer"] == {"pong": True}
    assert [seen.path for seen in service.seen] == ["/ping"]


ON_PUSH = """export const condition = {
  $via: { type: 'webhook', headers: { 'X-GitHub-Event': 'push' } },
  ref: String,
};
export const content = async () => {
  task.complete({ ref: data.ref, hook: data.$via.name, event: data.$via.headers['X-GitHub-Event'] });
};
"""


def test_a_signed_github_delivery_becomes_a_task_that_steps_run_on(server: Server) -> None:
    ws = server.workspace()
    ws.client.put("/v1/secrets/GH_SECRET", json={"value": GH_KEY})
    ws.put_step("on push", ON_PUSH)
    made = ws.client.post(
        "/v1/webhooks",
        json={
            "name": "github",
            "signing": {"scheme": "github", "secret": "GH_SECRET"},
            "keep_headers": ["X-GitHub-Event", "X-GitHub-Delivery"],
        },
    ).json()
    body = json.dumps({"ref": "refs/heads/main", "commits": []}).encode()
    signature = "sha256=" + hmac.new(GH_KEY.encode(), body, hashlib.sha256).hexdigest()
    headers = {"Content-Type": "application/json", "X-GitHub-Event": "push", "X-Hub-Signature-256": signature}

    forged = httpx.post(
        f"{server.url}{made['url']}",
        content=body,
        headers={**headers, "X-Hub-Signature-256": "sha256=" + "0" * 64},
    )
    accepted = httpx.post(f"{server.url}{made['url']}", content=body, headers=headers)

    assert forged.status_code == 401
    assert accepted.status_code == 202, accepted.text
    task = ws.settle(accepted.json()["task_id"])
    assert task["state"] == "done", task
    assert task["result"] == {"ref": "refs/heads/main", "hook": "github", "event": "push"}
    assert task["data"]["$via"]["headers"] == {"X-GitHub-Event": "push"}
    assert task["data"]["$via"]["id"] == made["id"]
    assert [t["id"] for t in ws.client.get("/v1/tasks").json()["tasks"]] == [task["id"]]


HOLD = """export const condition = { go: true, answer: null };
export const content = async () => {
  data.answer = await connectors.svc.hold({});
};
"""


@pytest.fixture
def dev(tmp_path: Path) -> Iterator[DevProcess]:
    (tmp_path / "steps").mkdir()
    (tmp_path / "steps" / "hold.js").write_text(HOLD)
    process = DevProcess(tmp_path, free_port(), 1)
    try:
        yield process
    finally:
        process.stop()


@pytest.mark.slow
def test_a_run_retried_after_kill_9_repeats_its_calls_idempotency_key(
    dev: DevProcess, service: FakeService
) -> None:
    """The first call is still in flight when `aloma dev` dies; the restarted run calls again."""
    calls: list[Seen] = []

    def hold(seen: Seen) -> Reply:
        calls.append(seen)
        return replace(json_reply({"call": len(calls)}), delay_s=5 if len(calls) == 1 else 0)

    service.route("POST", "/hold", hold)
    client = dev.start()
    answer = client.put("/v1/connectors/svc", json={"type": "remote", "config": {"url": service.url}})
    assert answer.status_code == 200, answer.text
    task_id = client.post("/v1/tasks", json={"data": {"go": True}}).json()["id"]
    deadline = time.monotonic() + 20
    while not calls:
        assert time.monotonic() < deadline, "the call never reached the service"
        time.sleep(0.05)
    dev.kill_9()

    client = dev.start()
    deadline = time.monotonic() + 60
    while (task := client.get(f"/v1/tasks/{task_id}").json())["data"].get("answer") is None:
        assert time.monotonic() < deadline, task
        time.sleep(0.2)

    assert len(calls) >= 2
    assert calls[0].headers["idempotency-key"] == calls[-1].headers["idempotency-key"]
    events = client.get(f"/v1/tasks/{task_id}/history").json()["events"]
    assert len([e for e in events if e["type"] == "run" and e["error"] is None]) == 1
