"""Builders and probes shared by the AWS adapters' tests."""

import threading
from collections import Counter
from collections.abc import Callable
from typing import Any

from botocore.client import BaseClient

from aloma_core.json_types import JsonObject
from aloma_core.model import Claim, ClaimStatus, Event, Step, Task, TaskState
from aloma_core.records import new_id

A = "ws_a"
B = "ws_b"


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


def count_requests(client: BaseClient) -> Counter[str]:
    """Operations the client sends from now on, counted by name (a botocore event hook)."""
    counts: Counter[str] = Counter()

    def count(model: Any, **_: Any) -> None:
        counts[model.name] += 1

    client.meta.events.register("before-call", count)
    return counts


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
