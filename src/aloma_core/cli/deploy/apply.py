"""Carrying out a plan through the HTTP API, one action at a time, stopping at the first failure.

The report says what was applied, what failed and what was never tried, so a person (or a second
`aloma deploy`, which plans again from what is live) can finish the job.
"""

from dataclasses import dataclass, field

from ...json_types import JsonObject
from ..client import ApiClient, api_path
from ..errors import CliError
from .fields import schedule_body, webhook_body
from .plan import Action, Op, Plan
from .state import seed_marker

_PATHS = {"library": "libraries", "connector": "connectors", "step": "steps", "schedule": "schedules"}


@dataclass
class ApplyReport:
    applied: list[Action] = field(default_factory=list)
    failed: Action | None = None
    failure: str | None = None
    not_applied: list[Action] = field(default_factory=list)
    webhook_urls: dict[str, str] = field(default_factory=dict)
    seeded: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.failed is None

    def to_json(self) -> JsonObject:
        return {
            "ok": self.ok,
            "applied": [action.to_json() for action in self.applied],
            "failed": None if self.failed is None else {**self.failed.to_json(), "error": self.failure},
            "not_applied": [action.to_json() for action in self.not_applied],
            "webhook_urls": dict(self.webhook_urls),
            "seed_tasks": dict(self.seeded),
        }


def apply_plan(client: ApiClient, plan: Plan) -> ApplyReport:
    report = ApplyReport()
    pending = plan.changes
    for index, action in enumerate(pending):
        try:
            _apply(client, action, report)
        except CliError as error:
            report.failed, report.failure = action, str(error)
            report.not_applied = pending[index + 1 :]
            return report
        report.applied.append(action)
    return report


def _apply(client: ApiClient, action: Action, report: ApplyReport) -> None:
    body = action.body or {}
    if action.kind == "settings":
        client.request("PATCH", api_path("workspace"), body=body)
    elif action.kind == "webhook":
        _webhook(client, action, report)
    elif action.kind == "seed":
        created = client.post(api_path("tasks"), body).object()
        task_id = str(created.get("id"))
        client.put(api_path("secrets", seed_marker(action.name)), {"value": f"seed task {task_id}"})
        report.seeded[action.name] = task_id
    elif action.op is Op.DELETE:
        client.delete(api_path(_PATHS[action.kind], action.name))
    elif action.kind == "schedule":
        client.put(api_path("schedules", action.name), schedule_body(body))
    else:
        client.put(api_path(_PATHS[action.kind], action.name), body)


def _webhook(client: ApiClient, action: Action, report: ApplyReport) -> None:
    """No edit in the API: a changed webhook is deleted and made again, with a new key."""
    if action.op in (Op.DELETE, Op.REPLACE):
        client.delete(api_path("webhooks", action.name))
    if action.op in (Op.CREATE, Op.REPLACE):
        created = client.post(api_path("webhooks"), webhook_body(action.name, action.body or {})).object()
        report.webhook_urls[action.name] = client.url.rstrip("/") + str(created.get("url"))
