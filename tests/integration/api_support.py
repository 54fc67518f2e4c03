"""Helpers of the HTTP API tests: the error body check, and records written below the API."""

from dataclasses import dataclass
from typing import Any

import httpx
from fastapi.testclient import TestClient

from aloma_core.model import Step, Task, TaskState, Workspace
from aloma_core.services import Platform

ADMIN_TOKEN = "admin-token-for-tests"

STEP_FILE = """export const condition = { customer: { email: String } };
export const content = async () => {
  data.customer.validated = data.customer.email.includes('@');
};
"""

STORED_SOURCE = """export const condition = { x: Number };
export const content = async () => {
data.y = 1;
};
"""


@dataclass(frozen=True)
class Tenant:
    """A workspace with its key, and a client that sends that key on every request."""

    workspace: Workspace
    key: str
    http: TestClient


def assert_error(response: httpx.Response, status: int, code: str) -> str:
    """The contract's error body, exactly; returns the message for further checks."""
    assert response.status_code == status, response.text
    body: Any = response.json()
    assert set(body) == {"error"}, body
    assert set(body["error"]) == {"code", "message"}, body
    assert body["error"]["code"] == code, body
    message = body["error"]["message"]
    assert isinstance(message, str), body
    assert message, body
    return message


def store_step(platform: Platform, workspace: Workspace, name: str) -> Step:
    """A step stored directly, for tests about addressing steps rather than uploading them."""
    step = Step(
        workspace_id=workspace.id,
        name=name,
        version=1,
        condition={"x": {"$type": "number"}},
        content="data.y = 1;\n",
        source=STORED_SOURCE,
        enabled=True,
        specificity=1,
        created_at=1,
        updated_at=1,
    )
    assert platform.steps.put(step, None)
    return step


def force_state(
    platform: Platform, workspace: Workspace, task_id: str, state: TaskState, **changes: Any
) -> Task:
    """Move a stored task to a state as the pipeline would (no pipeline runs in these tests)."""
    task = platform.tasks.get(workspace.id, task_id)
    moved = task.with_changes(state=state, version=task.version + 1, **changes)
    assert platform.tasks.save(moved, task.version, [])
    return moved
