"""Connector scenarios both homes run (tests/e2e on the local home, the AWS pipeline on moto): a
step calling a `remote` service on a real 127.0.0.1 server, configured by each home's test."""

from dataclasses import replace
from typing import Any

from fake_service import FakeService, json_reply
from lifecycle_scenarios import ScenarioWorkspace, runs_of

CRM_TOKEN = "crm-bearer-never-shown"
"""The value each home's test stores as the secret CRM_TOKEN behind the `crm` connector."""

CALLS = """export const condition = { order: { id: Number }, contact_id: null };
export const content = async () => {
  const contact = await connectors.crm.upsert({ id: data.order.id });
  data.contact_id = contact.contact_id;
  connectors.crm.notify({ order: data.order.id });
  connectors.crm.lookup({ id: data.order.id, into: 'crm.lookup' });
  try {
    await connectors.crm.explode({});
  } catch (error) {
    data.failure = error.message;
  }
};
"""


def serve_crm(service: FakeService) -> None:
    service.route("POST", "/upsert", json_reply({"contact_id": "c-7"}))
    service.route("POST", "/notify", replace(json_reply({"queued": True}), delay_s=0.3))
    service.route("POST", "/lookup", json_reply({"tier": "gold"}))
    service.route("POST", "/explode", json_reply({"message": "duplicate contact"}, 409))


def remote_calls_awaited_unawaited_into_and_catching(
    ws: ScenarioWorkspace, service: FakeService
) -> dict[str, Any]:
    """`ws` has the `crm` connector pointing at `service`, which `serve_crm` set up. Returns the
    body the service received for the `into` call, for checks only one home can make."""
    ws.put_step("sync contact", CALLS)

    task_id = ws.new_task({"order": {"id": 7}})
    task = ws.settle(task_id)

    assert task["state"] == "incomplete", task
    assert task["data"]["contact_id"] == "c-7"
    assert task["data"]["crm"] == {"lookup": {"tier": "gold"}}
    assert task["data"]["failure"] == "connectors.crm.explode: HTTP 409: duplicate contact"
    by_path = {seen.path: seen for seen in service.seen}
    assert set(by_path) == {"/upsert", "/notify", "/lookup", "/explode"}, "the un-awaited call was made too"
    lookup: dict[str, Any] = by_path["/lookup"].json()
    assert lookup["args"] == {"id": 7}
    assert lookup["task"]["id"] == task_id
    assert set(lookup["task"]) == {"id", "workspace"}
    keys = {seen.headers["idempotency-key"] for seen in service.seen}
    assert len(keys) == 4
    assert all(len(key) == 64 for key in keys)
    assert {seen.headers["authorization"] for seen in service.seen} == {f"Bearer {CRM_TOKEN}"}
    (run,) = runs_of(ws.events(task_id), "sync contact")
    assert run["error"] is None
    assert run["duration_ms"] >= 300, "the run waited for the un-awaited call before committing"
    calls = [(call["connector"], call["method"], call["status"]) for call in run["calls"]]
    assert calls == [
        ("crm", "upsert", "ok"),
        ("crm", "notify", "ok"),
        ("crm", "lookup", "ok"),
        ("crm", "explode", "failed"),
    ], "the history keeps every call in the order the step made them, with how it ended"
    assert run["calls"][1]["ms"] >= 300
    assert run["calls"][3]["message"] == "connectors.crm.explode: HTTP 409: duplicate contact"
    assert all("message" not in call for call in run["calls"][:3])
    return lookup
