"""Builders and drivers shared by the storage tests of both homes (the ports' contract suite under
`aws/contract/`, the SQLite-only and the DynamoDB-only tests)."""

import threading
from collections.abc import Callable
from typing import Any

import botocore.loaders
import botocore.session
import pytest
from mypy_boto3_dynamodb.client import DynamoDBClient

from aloma_core.json_types import JsonObject
from aloma_core.model import Claim, ClaimStatus, Event, Step, Task, TaskState
from aloma_core.ports import TaskStore
from aloma_core.records import new_id

A = "ws_a"
B = "ws_b"


_LOADER = botocore.loaders.create_loader()


def share_botocore_loader(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make every botocore session share one loader, and so the service models it has parsed.

    moto gives boto3 a new default session for every test, which would parse the model of each
    service again (about 0.1 s a test). Call this before the `aws/conftest.py` fixture that makes
    a client (`dynamodb`, `secretsmanager`) is set up.
    """
    monkeypatch.setattr(botocore.session, "create_loader", lambda *_: _LOADER)


def moto_client(request: pytest.FixtureRequest, fixture: str) -> Any:
    """The client that `fixture` of `aws/conftest.py` makes, made with the shared loader."""
    share_botocore_loader(request.getfixturevalue("monkeypatch"))
    return request.getfixturevalue(fixture)


def table_name(client: DynamoDBClient) -> str:
    """The one table of the moto account (made by the `dynamodb` fixture of `aws/conftest.py`).

    Asked of moto rather than imported: `from conftest import ...` finds whichever conftest
    pytest loaded last, which is not always the one beside the test.
    """
    [name] = client.list_tables()["TableNames"]
    return name


def make_task(
    workspace_id: str = A,
    *,
    task_id: str | None = None,
    state: TaskState = TaskState.RUNNING,
    created_at: int = 1_000,
    data: JsonObject | None = None,
    claims: dict[str, Claim] | None = None,
) -> Task:
    return Task(
        workspace_id=workspace_id,
        id=task_id or new_id("t_"),
        name="order",
        state=state,
        data={"n": 0} if data is None else data,
        created_at=created_at,
        updated_at=created_at,
        claims=claims or {},
    )


def created(task: Task) -> list[Event]:
    return [Event("created", task.created_at, {"name": task.name, "data": task.data})]


def next_version(task: Task, **changes: object) -> Task:
    return task.with_changes(version=task.version + 1, **changes)


def make_step(workspace_id: str, name: str, version: int = 1) -> Step:
    return Step(
        workspace_id=workspace_id,
        name=name,
        version=version,
        condition={"customer": {"email": {"$type": "string"}}, "score": {"$gt": 0.5}},
        content=f"data.v = {version};",
        source=f"export const content = async () => {{ data.v = {version}; }};",
        enabled=True,
        specificity=2,
        created_at=10,
        updated_at=10 + version,
    )


def claim(step: str, status: ClaimStatus) -> Claim:
    return Claim(id=new_id("c_"), step=step, status=status, data_seq=1, origin_version=1)


def run_threads(count: int, work: Callable[[int], None]) -> None:
    """Start `work(i)` on `count` threads at once; re-raise the first error any of them raised."""
    start = threading.Barrier(count)
    errors: list[BaseException] = []

    def target(index: int) -> None:
        start.wait()
        try:
            work(index)
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=target, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]


def increment_concurrently(tasks: TaskStore, task: Task, workers: int, rounds: int) -> None:
    """`workers` threads x `rounds` read-modify-write increments of `data.n`, each retried on a
    version conflict, each saved with one `patched` event."""

    def increment(worker: int) -> None:
        for _ in range(rounds):
            while True:
                current = tasks.get(task.workspace_id, task.id)
                count = current.data["n"]
                assert isinstance(count, int)
                bumped = next_version(current, data={"n": count + 1})
                if tasks.save(bumped, current.version, [Event("patched", 0, {"by": worker})]):
                    break

    run_threads(workers, increment)
