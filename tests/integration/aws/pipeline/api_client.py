"""The HTTP API as a client sees it, through API Gateway events into the API Lambda's handler."""

import json
from dataclasses import dataclass
from typing import Any

from containers import API
from driver import PipelineDriver
from lambda_events import http_api_event

ADMIN_TOKEN = "pipeline-admin-token"


@dataclass(frozen=True)
class Answer:
    status: int
    body: Any


@dataclass(frozen=True)
class Api:
    driver: PipelineDriver
    key: str | None = None

    def call(self, method: str, path: str, body: object = None, *, query: str = "") -> Answer:
        headers = {} if self.key is None else {"Authorization": f"Bearer {self.key}"}
        event = http_api_event(method, path, body=body, headers=headers, query=query)
        response = self.driver.invoke(API, event)
        text = response.get("body") or ""
        return Answer(response["statusCode"], json.loads(text) if text else None)

    def page(self, path: str) -> tuple[int, str, dict[str, str]]:
        """A dashboard page or fragment (HTML, not JSON): status, body and headers."""
        headers = {} if self.key is None else {"Authorization": f"Bearer {self.key}"}
        response = self.driver.invoke(API, http_api_event("GET", path, headers=headers))
        return response["statusCode"], response.get("body") or "", response.get("headers") or {}

    def ok(self, method: str, path: str, body: object = None, *, status: int = 200) -> Any:
        answer = self.call(method, path, body)
        assert answer.status == status, answer
        return answer.body


@dataclass(frozen=True)
class Workspace:
    """A workspace's key, with the calls the scenarios make and a `settle` that runs the pipeline."""

    api: Api
    id: str

    @classmethod
    def create(cls, driver: PipelineDriver, settings: dict[str, Any] | None = None) -> "Workspace":
        created = Api(driver, ADMIN_TOKEN).ok("POST", "/v1/workspaces", {"name": "pipeline"}, status=201)
        workspace = cls(Api(driver, created["api_key"]), created["id"])
        if settings:
            workspace.api.ok("PATCH", "/v1/workspace", {"settings": settings})
        return workspace

    def put_step(self, name: str, source: str) -> dict[str, Any]:
        answer = self.api.call("PUT", f"/v1/steps/{name}", {"source": source})
        assert answer.status in (200, 201), answer
        step: dict[str, Any] = answer.body
        return step

    def put_library(self, name: str, source: str) -> dict[str, Any]:
        answer = self.api.call("PUT", f"/v1/libraries/{name}", {"source": source})
        assert answer.status in (200, 201), answer
        library: dict[str, Any] = answer.body
        return library

    def new_task(self, data: dict[str, Any], name: str | None = None) -> str:
        task_id: str = self.api.ok("POST", "/v1/tasks", {"name": name, "data": data}, status=201)["id"]
        return task_id

    def task(self, task_id: str) -> dict[str, Any]:
        task: dict[str, Any] = self.api.ok("GET", f"/v1/tasks/{task_id}")
        return task

    def events(self, task_id: str) -> list[dict[str, Any]]:
        events: list[dict[str, Any]] = self.api.ok("GET", f"/v1/tasks/{task_id}/history")["events"]
        return events

    def settle(self, task_id: str) -> dict[str, Any]:
        """The task once the stream and the queue are empty."""
        self.api.driver.run_until_quiet()
        return self.task(task_id)

    def resume(self, task_id: str) -> None:
        self.api.ok("POST", f"/v1/tasks/{task_id}/resume", status=202)

    def patch(self, task_id: str, data: dict[str, Any]) -> None:
        self.api.ok("PATCH", f"/v1/tasks/{task_id}", {"data": data})

    def put_secret(self, name: str, value: str) -> None:
        self.api.ok("PUT", f"/v1/secrets/{name}", {"value": value}, status=204)

    def secret_names(self) -> list[str]:
        names: list[str] = self.api.ok("GET", "/v1/secrets")["secrets"]
        return names

    def later(self, seconds: float) -> None:
        """Let `seconds` pass, with the one-minute tick firing what is due (see PipelineDriver.later)."""
        self.api.driver.later(seconds)

    def cancel(self, task_id: str) -> tuple[int, dict[str, Any]]:
        answer = self.api.call("POST", f"/v1/tasks/{task_id}/cancel")
        body: dict[str, Any] = answer.body
        return answer.status, body

    def put_schedule(self, name: str, body: dict[str, Any]) -> dict[str, Any]:
        answer = self.api.call("PUT", f"/v1/schedules/{name}", body)
        assert answer.status in (200, 201), answer
        schedule: dict[str, Any] = answer.body
        return schedule

    def list_tasks(self, state: str | None = None) -> list[dict[str, Any]]:
        query = "limit=200" + ("" if state is None else f"&state={state}")
        answer = self.api.call("GET", "/v1/tasks", query=query)
        assert answer.status == 200, answer
        tasks: list[dict[str, Any]] = answer.body["tasks"]
        return tasks
