"""Shared libraries end to end, as scenarios both homes run: the local home over HTTP on SQLite
(tests/e2e) and the AWS home through the Lambda handlers on moto (tests/integration/aws/pipeline)."""

from typing import Any, Protocol

CRM = """// lib/crm.js
export function fullName(customer) {
  return customer.first + " " + lib.text.shout(customer.last);
}

export function requireId(customer) {
  if (!customer.id) {
    throw new Error("customer has no id");
  }
  return customer.id;
}
"""
TEXT = "export const shout = (value) => value.toUpperCase();\n"

ENRICH = """export const condition = { customer: { first: String }, greeting: null };
export const content = async () => {
  data.greeting = "Hello " + lib.crm.fullName(data.customer);
  task.complete({ greeting: data.greeting });
};
"""
CHECK_ID = """export const condition = { check: true };
export const content = async () => {
  data.id = lib.crm.requireId(data.customer);
};
"""
PLAIN = """export const condition = { plain: true };
export const content = async () => {
  task.complete({ ok: true });
};
"""
REQUIRE_ID_THROW_LINE = 8


class LibraryWorkspace(Protocol):
    def put_step(self, name: str, source: str) -> dict[str, Any]: ...

    def put_library(self, name: str, source: str) -> dict[str, Any]: ...

    def new_task(self, data: dict[str, Any], name: str | None = None) -> str: ...

    def events(self, task_id: str) -> list[dict[str, Any]]: ...

    def settle(self, task_id: str) -> dict[str, Any]: ...


def a_step_uses_libraries_that_use_each_other(ws: LibraryWorkspace) -> None:
    ws.put_library("crm", CRM)
    ws.put_library("text", TEXT)
    ws.put_step("enrich", ENRICH)

    task = ws.settle(ws.new_task({"customer": {"first": "Ada", "last": "Lovelace"}}))

    assert task["state"] == "done", task
    assert task["result"] == {"greeting": "Hello Ada LOVELACE"}


def an_error_inside_a_library_names_its_file_and_line(ws: LibraryWorkspace) -> None:
    ws.put_library("crm", CRM)
    ws.put_library("text", TEXT)
    ws.put_step("check id", CHECK_ID)

    task_id = ws.new_task({"check": True, "customer": {"first": "Ada"}})
    task = ws.settle(task_id)

    where = f"lib/crm.js:{REQUIRE_ID_THROW_LINE}"
    assert task["state"] == "error", task
    assert task["error"]["message"] == f"Error: customer has no id (at {where})"
    assert task["error"]["line"] == REQUIRE_ID_THROW_LINE
    [run] = [event for event in ws.events(task_id) if event["type"] == "run"]
    assert run["error"]["file"] == "lib/crm.js"
    assert run["error"]["line"] == REQUIRE_ID_THROW_LINE


def a_task_without_library_use_runs_as_before(ws: LibraryWorkspace) -> None:
    ws.put_library("crm", "throw new Error('never evaluated');\n")
    ws.put_step("plain", PLAIN)

    task = ws.settle(ws.new_task({"plain": True}))

    assert (task["state"], task["result"]) == ("done", {"ok": True})


SCENARIOS = [
    a_step_uses_libraries_that_use_each_other,
    an_error_inside_a_library_names_its_file_and_line,
    a_task_without_library_use_runs_as_before,
]
