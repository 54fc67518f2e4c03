"""`Idempotency-Key` on the AWS home: through the API Lambda's handler on moto, a repeated key is
one task, also when 20 clients send it at once to 20 warm API environments (the conditional write
of the task item settles who created it)."""

import asyncio
import json
import threading
from collections.abc import Callable
from typing import Any

from api_client import Workspace
from containers import API
from driver import PipelineDriver
from lambda_events import http_api_event

pytest_plugins = ["pipeline_fixtures"]

NewWorkspace = Callable[..., Workspace]
CLIENTS = 20


def create(pipeline: PipelineDriver, ws: Workspace, key: str, data: dict[str, Any], index: int = 0) -> Any:
    headers = {"Authorization": f"Bearer {ws.api.key}", "Idempotency-Key": key}
    return pipeline.invoke(
        API, http_api_event("POST", "/v1/tasks", body={"data": data}, headers=headers), index
    )


def test_a_repeated_key_is_one_task_and_the_repeat_says_so(
    new_workspace: NewWorkspace, pipeline: PipelineDriver
) -> None:
    ws = new_workspace()
    first = create(pipeline, ws, "order-42", {"order": 42})
    again = create(pipeline, ws, "order-42", {"order": 43}, index=1)

    assert first["statusCode"] == again["statusCode"] == 201
    assert json.loads(again["body"])["id"] == json.loads(first["body"])["id"]
    assert json.loads(again["body"])["data"] == {"order": 42}
    assert again["headers"]["idempotent-replayed"] == "true"
    assert "idempotent-replayed" not in first["headers"]
    assert len(ws.list_tasks()) == 1


def test_a_malformed_key_is_refused_and_stores_nothing(
    new_workspace: NewWorkspace, pipeline: PipelineDriver
) -> None:
    ws = new_workspace()
    refused = create(pipeline, ws, "x" * 256, {"order": 42})
    assert refused["statusCode"] == 422
    assert json.loads(refused["body"])["error"]["code"] == "invalid_input"
    assert ws.list_tasks() == []


def test_twenty_clients_sending_one_key_at_once_make_one_task(
    new_workspace: NewWorkspace, pipeline: PipelineDriver
) -> None:
    ws = new_workspace()
    for index in range(CLIENTS):
        pipeline.container(API, index)
    start = threading.Barrier(CLIENTS)
    answers: list[Any] = [None] * CLIENTS

    def client(index: int) -> None:
        asyncio.set_event_loop(asyncio.new_event_loop())  # Mangum runs the app on the thread's loop
        start.wait()
        answers[index] = create(pipeline, ws, "burst", {"client": index}, index)

    threads = [threading.Thread(target=client, args=(i,)) for i in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)

    assert [answer["statusCode"] for answer in answers] == [201] * CLIENTS
    ids = {json.loads(answer["body"])["id"] for answer in answers}
    assert len(ids) == 1
    assert sum("idempotent-replayed" not in answer["headers"] for answer in answers) == 1
    assert [task["id"] for task in ws.list_tasks()] == list(ids)
