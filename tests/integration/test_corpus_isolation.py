"""Isolation and secrets. First, every route of the app, called with workspace B's key on
workspace A's objects.

The routes are enumerated from the app itself, so a route added later is covered automatically:
`test_every_route_is_probed_or_public` fails until the new route is given a probe here or is
listed as public. A route naming one of A's objects answers B with 404 (never 403: nothing about
A is revealed); a route acting on B's own collection answers without a trace of A; an admin route
refuses B's key. In every case A's workspace, as its stores hold it, is exactly as before.

Then secrets: values set with a marker and used every way a step can (logged, thrown, sent by a
connector whose service repeats them in its error) never show in an API answer, a history event,
a line of the log file or an error message.
"""

import json
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from enum import Enum
from functools import partial
from pathlib import Path
from typing import Any

import pytest
from api_support import STEP_FILE, Tenant, assert_error, force_state
from fastapi import FastAPI
from fastapi.routing import iter_route_contexts
from fastapi.testclient import TestClient

from aloma_core.api import create_app
from aloma_core.home.local import LocalHome
from aloma_core.home.logs import LOG_FILE, configure_local_logging
from aloma_core.model import TaskState, Workspace
from aloma_core.services import Platform
from fake_service import FakeService, Reply, Seen, json_reply

pytestmark = pytest.mark.corpus

MARKER = "a_only_7f3c"
"""In the contents of A's objects, so any trace of A in B's answers is found by search."""
SEARCH = MARKER[2:-2]
"""What B searches task data for: a part of the marker, so an answer that echoes it is no false alarm."""
NAME = "shared_x"
"""A's objects' name, valid for every kind: B may send it too, so it is no trace of A; the marker
is in their contents only."""


class Expect(Enum):
    NOT_FOUND = "404: names an object of A"
    OWN = "2xx: acts on B's own objects only"
    ADMIN = "401: the admin token's route"


@dataclass(frozen=True)
class Probe:
    expect: Expect
    body: Any = None
    query: str = ""


TASK_ACTIONS = {"data": {"x": 2}}
# Every route of the app with a workspace key: (method, path template) -> what B's call must get.
PROBES: dict[tuple[str, str], Probe] = {
    ("POST", "/v1/workspaces"): Probe(Expect.ADMIN, {"name": "b's"}),
    ("GET", "/v1/workspaces"): Probe(Expect.ADMIN),
    ("POST", "/v1/workspaces/{workspace_id}/rotate-key"): Probe(Expect.ADMIN),
    ("GET", "/v1/workspace"): Probe(Expect.OWN),
    ("PATCH", "/v1/workspace"): Probe(Expect.OWN, {"settings": {"max_runs_per_task": 9}}),
    ("POST", "/v1/workspace/rotate-key"): Probe(Expect.OWN),
    ("PUT", "/v1/steps/{name}"): Probe(Expect.OWN, {"source": STEP_FILE}),
    ("GET", "/v1/steps"): Probe(Expect.OWN),
    ("POST", "/v1/steps/match"): Probe(Expect.OWN, {"data": {"customer": {"email": "b@example.com"}}}),
    ("GET", "/v1/steps/{name}"): Probe(Expect.NOT_FOUND),
    ("DELETE", "/v1/steps/{name}"): Probe(Expect.NOT_FOUND),
    ("POST", "/v1/tasks"): Probe(Expect.OWN, {"data": {"b": 1}}),
    ("GET", "/v1/tasks"): Probe(Expect.OWN, query=f"q={SEARCH}"),
    ("GET", "/v1/tasks/counts"): Probe(Expect.OWN),
    ("GET", "/v1/tasks/{task_id}"): Probe(Expect.NOT_FOUND),
    ("GET", "/v1/tasks/{task_id}/history"): Probe(Expect.NOT_FOUND),
    ("PATCH", "/v1/tasks/{task_id}"): Probe(Expect.NOT_FOUND, TASK_ACTIONS),
    ("POST", "/v1/tasks/{task_id}/resume"): Probe(Expect.NOT_FOUND),
    ("POST", "/v1/tasks/{task_id}/cancel"): Probe(Expect.NOT_FOUND),
    ("GET", "/v1/tasks/{task_id}/data"): Probe(Expect.NOT_FOUND, query="at=1"),
    ("POST", "/v1/tasks/{task_id}/rerun"): Probe(Expect.NOT_FOUND, {}),
    ("POST", "/v1/tasks/{task_id}/clone"): Probe(Expect.NOT_FOUND, {}),
    ("POST", "/v1/tasks/bulk"): Probe(Expect.OWN, {"action": "resume", "filter": {"state": "incomplete"}}),
    ("PUT", "/v1/secrets/{name}"): Probe(Expect.OWN, {"value": "b's own value"}),
    ("GET", "/v1/secrets"): Probe(Expect.OWN),
    ("DELETE", "/v1/secrets/{name}"): Probe(Expect.NOT_FOUND),
    ("PUT", "/v1/connectors/{namespace}"): Probe(
        Expect.OWN, {"type": "remote", "config": {"url": "http://b.example"}}
    ),
    ("GET", "/v1/connectors"): Probe(Expect.OWN),
    ("GET", "/v1/connectors/{namespace}"): Probe(Expect.NOT_FOUND),
    ("DELETE", "/v1/connectors/{namespace}"): Probe(Expect.NOT_FOUND),
    ("POST", "/v1/webhooks"): Probe(Expect.OWN, {"name": "b-hook"}),
    ("GET", "/v1/webhooks"): Probe(Expect.OWN),
    ("DELETE", "/v1/webhooks/{name}"): Probe(Expect.NOT_FOUND),
    ("PUT", "/v1/schedules/{name}"): Probe(Expect.OWN, {"cron": "0 8 * * *", "data": {"b": True}}),
    ("GET", "/v1/schedules"): Probe(Expect.OWN),
    ("GET", "/v1/schedules/{name}"): Probe(Expect.NOT_FOUND),
    ("DELETE", "/v1/schedules/{name}"): Probe(Expect.NOT_FOUND),
    ("PUT", "/v1/libraries/{name}"): Probe(Expect.OWN, {"source": "export const b = 1;\n"}),
    ("GET", "/v1/libraries"): Probe(Expect.OWN),
    ("GET", "/v1/libraries/{name}"): Probe(Expect.NOT_FOUND),
    ("DELETE", "/v1/libraries/{name}"): Probe(Expect.NOT_FOUND),
    ("GET", "/ui/f/whoami"): Probe(Expect.OWN),
    ("GET", "/ui/f/tasks"): Probe(Expect.OWN, query=f"q={SEARCH}"),
    ("GET", "/ui/f/counts"): Probe(Expect.OWN),
    ("GET", "/ui/f/tasks/{task_id}"): Probe(Expect.NOT_FOUND),
    ("GET", "/ui/f/tasks/{task_id}/timeline"): Probe(Expect.NOT_FOUND),
    ("GET", "/ui/f/tasks/{task_id}/data"): Probe(Expect.NOT_FOUND, query="at=1"),
    ("GET", "/ui/f/tasks/{task_id}/value"): Probe(Expect.NOT_FOUND, query="at=1&path=x"),
    ("GET", "/ui/f/tasks/{task_id}/rerun"): Probe(Expect.NOT_FOUND, query="run=1"),
    ("GET", "/ui/f/steps"): Probe(Expect.OWN),
    ("GET", "/ui/f/bulk"): Probe(Expect.OWN, query="action=resume"),
}
# Routes that take no workspace key, and why that is safe.
PUBLIC = {
    ("GET", "/openapi.json"): "the API's description",
    ("GET", "/docs"): "the API's description",
    ("GET", "/docs/oauth2-redirect"): "part of the docs page",
    ("GET", "/v1/health"): "says only that the API is up",
    ("POST", "/v1/hooks/{key}"): "the webhook's unguessable key is its credential",
    ("GET", "/ui"): "a dashboard shell without data; its fragments need the key",
    ("GET", "/ui/tasks/{task_id}"): "a dashboard shell without data",
    ("GET", "/ui/steps"): "a dashboard shell without data",
    ("GET", "/ui/bulk"): "a dashboard shell without data",
    ("GET", "/ui/static/source.css"): "static file",
    ("GET", "/ui/static/{name}"): "static files",
}


def app_routes(app: FastAPI) -> set[tuple[str, str]]:
    return {
        (method, route.path)
        for route in iter_route_contexts(app.routes)
        for method in route.methods or ()
        if method != "HEAD"
    }


def test_every_route_is_probed_or_public(api_app: FastAPI) -> None:
    routes = app_routes(api_app)
    assert routes - PROBES.keys() - PUBLIC.keys() == set(), "give each new route a probe or a reason"
    assert (PROBES.keys() | PUBLIC.keys()) - routes == set(), "a listed route no longer exists"
    assert not PROBES.keys() & PUBLIC.keys()


@dataclass(frozen=True)
class WorkspaceA:
    workspace: Workspace
    path_values: dict[str, str]


@pytest.fixture
def a(tenant_a: Tenant, platform: Platform) -> WorkspaceA:
    """One object of every kind, named with the marker; its task resumable and with history."""
    http = tenant_a.http
    name = NAME
    task = http.post("/v1/tasks", json={"name": MARKER, "data": {"x": 1, "m": MARKER}}).json()
    force_state(platform, tenant_a.workspace, task["id"], TaskState.INCOMPLETE)
    created = [
        http.put(f"/v1/steps/{name}", json={"source": f"{STEP_FILE}// {MARKER}\n"}),
        http.put(f"/v1/secrets/{name}", json={"value": f"{MARKER}-secret-value"}),
        http.put(
            f"/v1/connectors/{name}",
            json={"type": "remote", "config": {"url": f"http://a.example/{MARKER}"}},
        ),
        http.post("/v1/webhooks", json={"name": name}),
        http.put(f"/v1/schedules/{name}", json={"cron": "0 9 * * *", "data": {"m": MARKER}}),
        http.put(f"/v1/libraries/{name}", json={"source": f"export const m = '{MARKER}';\n"}),
    ]
    assert all(response.status_code in (200, 201, 204) for response in created), [r.text for r in created]
    values = {"task_id": task["id"], "name": name, "namespace": name, "workspace_id": tenant_a.workspace.id}
    return WorkspaceA(tenant_a.workspace, values)


def path_for(template: str, a: WorkspaceA) -> str:
    return template.format(**a.path_values)


def snapshot(platform: Platform, workspace: Workspace) -> dict[str, Any]:
    """A's workspace as its stores hold it, and whether its key still works."""
    tasks, _ = platform.list_tasks(workspace, None, 200, None)
    return {
        "workspace": platform.workspaces.get(workspace.id),
        "tasks": [(task, platform.history(workspace, task.id)) for task in tasks],
        "steps": platform.list_steps(workspace),
        "secrets": platform.secrets.values(workspace.id),
        "connectors": platform.list_connectors(workspace),
        "webhooks": platform.list_webhooks(workspace),
        "schedules": platform.list_schedules(workspace),
        "libraries": platform.list_libraries(workspace),
    }


@pytest.mark.parametrize(("route", "probe"), PROBES.items(), ids=[f"{m} {p}" for m, p in PROBES])
def test_b_s_key_on_a_s_objects_finds_nothing_and_changes_nothing(
    platform: Platform,
    a: WorkspaceA,
    tenant_a: Tenant,
    tenant_b: Tenant,
    route: tuple[str, str],
    probe: Probe,
) -> None:
    method, template = route
    url = path_for(template, a) + (f"?{probe.query}" if probe.query else "")
    before = snapshot(platform, a.workspace)

    response = tenant_b.http.request(method, url, json=probe.body)

    if probe.expect is Expect.NOT_FOUND:
        assert_error(response, 404, "not_found")
    elif probe.expect is Expect.ADMIN:
        assert_error(response, 401, "unauthorized")
    else:
        assert response.status_code in (200, 201, 202, 204), response.text
    assert MARKER not in response.text
    if NAME not in url + json.dumps(probe.body):
        assert NAME not in response.text
    assert a.workspace.id not in response.text
    assert snapshot(platform, a.workspace) == before
    assert tenant_a.http.get("/v1/workspace").status_code == 200


# Secrets: values never leave through an answer, a history event, a log line or an error message.

SECRET = "sk-live-9Qz-secret-marker"
QUOTED = 'q"uote\\slash-secret-marker'
"""A value that JSON escapes: masked as written and as it appears inside logged JSON."""
SLACK_URL = "https://hooks.slack.example/services/T0/B0/slack-secret-marker"
LEAK = "secret-marker"
"""In every secret value above, so one search finds any of them anywhere."""

LOGS_IT = """export const condition = { leak: 'log' };
export const content = async () => {
  console.log('token is', task.config('TOKEN'));
  console.warn({ token: task.config('TOKEN'), quoted: task.config('QUOTED') });
  console.error(`quoted ${task.config('QUOTED')} inline`);
  data.logged = true;
};
"""
THROWS_IT = """export const condition = { leak: 'throw' };
export const content = async () => {
  throw new Error('bad token ' + task.config('TOKEN'));
};
"""
CATCHES_CONNECTOR_ERROR = """export const condition = { leak: 'caught' };
export const content = async () => {
  try {
    await connectors.crm.echo({});
  } catch (error) {
    console.log('the crm said', error.message);
    data.failure = 'reported';
  }
};
"""
CONNECTOR_ERROR_UNCAUGHT = """export const condition = { leak: 'uncaught' };
export const content = async () => {
  await connectors.crm.echo({});
};
"""
STEPS = {
    "logs it": LOGS_IT,
    "throws it": THROWS_IT,
    "catches": CATCHES_CONNECTOR_ERROR,
    "uncaught": CONNECTOR_ERROR_UNCAUGHT,
}


def echo_authorization(seen: Seen) -> Reply:
    """The stand-in CRM refuses the call and repeats the credential it got in its error message."""
    return json_reply({"message": f"token {seen.headers.get('authorization')} is not allowed"}, 403)


@dataclass
class Recorded:
    """Every answer the test received, as text."""

    answers: list[str]

    def call(self, client: TestClient, method: str, url: str, body: Any = None) -> Any:
        response = client.request(method, url, json=body)
        self.answers.append(response.text)
        assert response.status_code < 400, response.text
        is_json = response.headers.get("content-type") == "application/json" and response.content
        return response.json() if is_json else None

    def refused(self, client: TestClient, method: str, url: str, body: Any) -> None:
        response = client.request(method, url, json=body)
        self.answers.append(response.text)
        assert response.status_code == 422, response.text


@pytest.fixture
def local_home(tmp_path: Path) -> Iterator[LocalHome]:
    """The local home with its pipeline and its log file, as `aloma dev` runs it."""
    home = LocalHome(tmp_path / "home", workers=1)
    logger = logging.getLogger("aloma")
    saved = (logger.handlers, logger.level, logger.propagate)
    configure_local_logging(tmp_path / "home")
    try:
        yield home
    finally:
        home.close()
        for handler in logger.handlers:
            handler.close()
        logger.handlers, logger.level, logger.propagate = saved


def test_secret_values_never_appear_in_answers_history_logs_or_errors(
    local_home: LocalHome, tmp_path: Path
) -> None:
    crm = FakeService().start()
    recorded = Recorded([])
    try:
        crm.route("POST", "/echo", echo_authorization)
        _, key = local_home.platform.create_workspace("secrets")
        app = create_app(local_home.platform, admin_token=None)
        with TestClient(app, headers={"Authorization": f"Bearer {key}"}) as client:
            call = partial(recorded.call, client)
            call("PUT", "/v1/secrets/TOKEN", {"value": SECRET})
            call("PUT", "/v1/secrets/QUOTED", {"value": QUOTED})
            call(
                "PUT", "/v1/connectors/crm", {"type": "remote", "config": {"url": crm.url, "secret": "TOKEN"}}
            )
            call("PUT", "/v1/connectors/chat", {"type": "slack", "config": {"webhook_url": SLACK_URL}})
            refused = partial(recorded.refused, client)
            refused(
                "PUT",
                "/v1/connectors/chat2",
                {"type": "slack", "config": {"webhook_url": SLACK_URL, "token": SECRET}},
            )
            refused(
                "PUT", "/v1/connectors/chat3", {"type": "slack", "config": {"webhook_url": SLACK_URL, "x": 1}}
            )
            refused("PUT", "/v1/connectors/chat4", {"type": "slack", "config": {"webhook_url": [SLACK_URL]}})
            refused("PUT", "/v1/secrets/1 not a name", {"value": SECRET})
            for name, source in STEPS.items():
                call("PUT", f"/v1/steps/{name}", {"source": source})
            tasks = [
                call("POST", "/v1/tasks", {"data": {"leak": kind}})["id"]
                for kind in ("log", "throw", "caught", "uncaught")
            ]
            assert local_home.wait_idle(60), "the home did not settle"

            ended = {task_id: call("GET", f"/v1/tasks/{task_id}") for task_id in tasks}
            histories = [call("GET", f"/v1/tasks/{task_id}/history") for task_id in tasks]
            for url in (
                "/v1/tasks",
                "/v1/secrets",
                "/v1/connectors",
                "/v1/connectors/crm",
                "/v1/connectors/chat",
            ):
                call("GET", url)
            for task_id in tasks:
                call("GET", f"/ui/f/tasks/{task_id}/timeline")
    finally:
        crm.stop()
    log_lines = (tmp_path / "home" / LOG_FILE).read_text(encoding="utf-8").splitlines()

    # Each way out was really taken, so its absence of secrets means something.
    assert [seen.headers["authorization"] for seen in crm.seen] == [f"Bearer {SECRET}"] * 2
    log_task, throw_task, caught_task, uncaught_task = (ended[task_id] for task_id in tasks)
    assert log_task["data"]["logged"] is True
    assert caught_task["data"]["failure"] == "reported"
    assert "bad token ***" in throw_task["error"]["message"]
    assert "***" in uncaught_task["error"]["message"]
    run_logs = [
        line for history in histories for event in history["events"] for line in event.get("logs") or []
    ]
    assert any("***" in json.dumps(line) for line in run_logs), run_logs
    assert log_lines

    for where, texts in {"an answer": recorded.answers, "a log file line": log_lines}.items():
        for text in texts:
            assert LEAK not in text, f"a secret in {where}: {text}"
            assert json.dumps(QUOTED)[1:-1] not in text
