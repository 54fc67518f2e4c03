"""Schemathesis against the app's own OpenAPI document: every operation, called with the right
credential (the admin token on admin routes, a workspace key elsewhere), never answers 5xx, and
every answer conforms to what the document declares (status, content type, headers, body schema).

The app is the integration one: a real Platform on SQLite whose workspace already holds a task, a
step and a secret. Each operation gets generated valid requests, generated invalid ones, and valid
ones aimed at those stored objects. Examples are few and derandomized so that CI is stable.

The operations are walked inside one test rather than parametrized: schemathesis's pytest
integration (`from_fixture`) does not run under pytest 9, and the document comes from the app that
the fixtures build. Every operation's failure is collected before the test fails, so one run shows
them all.
"""

from collections import Counter
from dataclasses import dataclass
from typing import Any

import pytest
import schemathesis
from api_support import ADMIN_TOKEN, store_step
from fastapi import FastAPI
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import APIOperation, Case, GenerationMode, Response
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from aloma_core.services import Platform

pytestmark = pytest.mark.corpus

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
EXAMPLES_PER_OPERATION = 15
SEEDED = "seeded"


@dataclass
class Keys:
    """The fuzzed workspace's key, followed through the rotations the fuzzer itself makes."""

    workspace_id: str
    workspace: str

    def for_operation(self, operation: APIOperation) -> str:
        return ADMIN_TOKEN if operation.path.startswith("/v1/workspaces") else self.workspace

    def follow(self, response: Response) -> None:
        body = response.json() if response.status_code == 200 else None
        if isinstance(body, dict) and body.get("id") == self.workspace_id and "api_key" in body:
            self.workspace = body["api_key"]


def seed(platform: Platform) -> tuple[Keys, dict[str, str]]:
    """A workspace with one object of each kind, all named `seeded`; returns its key and the path
    values naming them."""
    workspace, key = platform.create_workspace("fuzzed")
    store_step(platform, workspace, SEEDED)
    task = platform.create_task(workspace, SEEDED, {"customer": {"email": "a@b.c"}})
    platform.put_secret(workspace, SEEDED, "s3cret")
    platform.put_library(workspace, SEEDED, "export const shout = (value) => value.toUpperCase();\n")
    platform.put_connector(workspace, SEEDED, "remote", {"url": "http://127.0.0.1:9/"})
    platform.put_schedule(workspace, SEEDED, cron="0 9 * * *", data={"seeded": True})
    _, hook_key = platform.create_webhook(workspace, SEEDED)
    values = {
        "workspace_id": workspace.id,
        "task_id": task.id,
        "name": SEEDED,
        "namespace": SEEDED,
        "key": hook_key,
    }
    return Keys(workspace.id, key), values


def strategy(operation: APIOperation, stored: dict[str, str]) -> st.SearchStrategy[Case]:
    names = {parameter.name for parameter in operation.path_parameters}
    aimed = {name: value for name, value in stored.items() if name in names}
    strategies = [operation.as_strategy(mode) for mode in GenerationMode]
    if aimed:
        strategies.append(operation.as_strategy(path_parameters=aimed))
    return st.one_of(strategies)


def fuzz(operation: APIOperation, keys: Keys, stored: dict[str, str]) -> Counter[int]:
    """Runs the operation's examples; returns how often each status came back."""
    statuses: Counter[int] = Counter()

    @settings(
        max_examples=EXAMPLES_PER_OPERATION,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=strategy(operation, stored))
    def run(case: Case) -> None:
        headers = {"Authorization": f"Bearer {keys.for_operation(operation)}"}
        response = case.call_and_validate(headers=headers, checks=CHECKS)
        statuses[response.status_code] += 1
        keys.follow(response)

    run()
    return statuses


def test_every_operation_answers_as_documented(api_app: FastAPI, platform: Platform) -> None:
    keys, stored = seed(platform)
    schema = schemathesis.openapi.from_asgi("/openapi.json", api_app)
    failures: dict[str, Any] = {}
    succeeded: list[str] = []
    operations = [result.ok() for result in schema.get_all_operations()]
    for operation in operations:
        try:
            statuses = fuzz(operation, keys, stored)
        except Exception as failure:  # every operation's failure is reported, not just the first
            failures[operation.label] = failure
        else:
            if any(200 <= status < 300 for status in statuses):
                succeeded.append(operation.label)
    assert not failures, "\n\n".join(f"{label}:\n{failure}" for label, failure in failures.items())
    documented = sum(len(methods) for methods in api_app.openapi()["paths"].values())
    assert len(operations) == documented >= 40
    # Authenticated valid requests got through: the run is not a wall of 401s.
    missed = sorted({operation.label for operation in operations} - set(succeeded))
    assert len(missed) <= len(operations) // 4, missed


def test_every_operation_documents_its_answers_with_schemas(api_app: FastAPI) -> None:
    """What a client generator needs: each error status has the error body, every operation may
    answer 413 (the body limit applies to any request), and each answer with a body is typed."""
    error_body = {"$ref": "#/components/schemas/ErrorBody"}
    problems = []
    for path, operations in api_app.openapi()["paths"].items():
        for method, operation in operations.items():
            responses = operation["responses"]
            if "413" not in responses:
                problems.append(f"{method} {path}: no 413")
            for status, response in responses.items():
                schema = response.get("content", {}).get("application/json", {}).get("schema")
                if status != "204" and not schema:
                    problems.append(f"{method} {path} {status}: untyped")
                if status >= "400" and schema != error_body:
                    problems.append(f"{method} {path} {status}: not the error body")
    assert problems == []
