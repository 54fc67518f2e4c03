"""Tasks: created, read, listed, patched from outside and resumed; matching happens elsewhere."""

from typing import Annotated

from fastapi import APIRouter, Depends, Header, Query, Response

from ...idempotency import KEY_HEADER, REPLAYED_HEADER
from ...limits import MAX_SAFE_INTEGER
from ...model import TaskState
from ...services import MAX_PAGE
from ...task_filter import SCAN_BUDGET, TaskFilter
from ..auth import PlatformDep, WorkspaceDep
from ..errors import documented
from ..schemas import (
    BulkAnswer,
    BulkRequest,
    BulkSkip,
    EventOut,
    History,
    TaskClone,
    TaskCounts,
    TaskCreate,
    TaskDataAt,
    TaskList,
    TaskOut,
    TaskPatch,
    TaskRerun,
)

router = APIRouter(prefix="/v1/tasks", tags=["tasks"], responses=documented(401))


@router.post(
    "",
    status_code=201,
    summary="Create a task",
    description=(
        "With an `Idempotency-Key` header, a key seen before answers as the first request was answered, "
        "with the task it created and the header `Idempotent-Replayed: true`, never with a second task, "
        "whatever the repeat carries."
    ),
    responses=documented(413, 422),
)
def create_task(
    body: TaskCreate,
    platform: PlatformDep,
    workspace: WorkspaceDep,
    response: Response,
    idempotency_key: Annotated[
        str | None, Header(alias=KEY_HEADER, description="1 to 255 printable ASCII characters")
    ] = None,
) -> TaskOut:
    if idempotency_key is None:
        return TaskOut.of(platform.create_task(workspace, body.name, body.data))
    task, replayed = platform.create_task_once(workspace, body.name, body.data, idempotency_key)
    if replayed:
        response.headers[REPLAYED_HEADER] = "true"
    return TaskOut.of(task)


def task_filter(
    name: Annotated[str | None, Query(description="exactly this task name")] = None,
    tag: Annotated[str | None, Query(description="tasks that have this tag")] = None,
    step: Annotated[str | None, Query(description="tasks on which this step ran (any outcome)")] = None,
    created_after: Annotated[
        int | None,
        Query(ge=0, le=MAX_SAFE_INTEGER, description="created at or after this time, epoch ms (inclusive)"),
    ] = None,
    created_before: Annotated[
        int | None,
        Query(ge=0, le=MAX_SAFE_INTEGER, description="created before this time, epoch ms (exclusive)"),
    ] = None,
    q: Annotated[
        str | None,
        Query(min_length=1, description="a case-sensitive substring of the data as compact JSON text"),
    ] = None,
) -> TaskFilter:
    return TaskFilter(name, tag, step, created_after, created_before, q)


FilterDep = Annotated[TaskFilter, Depends(task_filter)]


@router.get(
    "",
    summary="List tasks, newest first",
    description=(
        "Filters combine (all must hold). With `name`, `tag`, `step` or `q` a page examines at most "
        f"{SCAN_BUDGET} tasks, so it may hold fewer than `limit` (even none) and still have a `next`."
    ),
    responses=documented(422),
)
def list_tasks(
    platform: PlatformDep,
    workspace: WorkspaceDep,
    where: FilterDep,
    state: TaskState | None = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 50,
    cursor: Annotated[str | None, Query(description="`next` of the previous page")] = None,
) -> TaskList:
    tasks, after = platform.list_tasks(workspace, state, limit, cursor, where)
    return TaskList(tasks=[TaskOut.of(task) for task in tasks], next=after)


@router.get(
    "/counts",
    summary="How many tasks are in each state",
    description="The list filters but `state`; every state is present, zeros included.",
    responses=documented(422),
)
def count_tasks(platform: PlatformDep, workspace: WorkspaceDep, where: FilterDep) -> TaskCounts:
    counts, exact = platform.count_tasks(workspace, where)
    return TaskCounts(
        counts={state.value: number for state, number in counts.items()},
        total=sum(counts.values()),
        exact=exact,
    )


@router.get("/{task_id}", summary="Show a task", responses=documented(404, 422))
def get_task(task_id: str, platform: PlatformDep, workspace: WorkspaceDep) -> TaskOut:
    return TaskOut.of(platform.get_task(workspace, task_id))


@router.get("/{task_id}/history", summary="A task's history, oldest first", responses=documented(404, 422))
def get_history(task_id: str, platform: PlatformDep, workspace: WorkspaceDep) -> History:
    return History(events=[EventOut.of(event) for event in platform.history(workspace, task_id)])


@router.patch(
    "/{task_id}",
    summary="Change a task's data from outside",
    description="A JSON merge patch (RFC 7396); wakes a parked task and re-matches its steps.",
    responses=documented(404, 409, 413, 422),
)
def patch_task(task_id: str, body: TaskPatch, platform: PlatformDep, workspace: WorkspaceDep) -> TaskOut:
    return TaskOut.of(platform.patch_task(workspace, task_id, body.data))


@router.post(
    "/{task_id}/resume",
    status_code=202,
    summary="Re-match an incomplete or failed task",
    responses=documented(404, 409, 422),
)
def resume_task(task_id: str, platform: PlatformDep, workspace: WorkspaceDep) -> TaskOut:
    return TaskOut.of(platform.resume_task(workspace, task_id))


@router.post(
    "/{task_id}/cancel",
    summary="Cancel an open, waiting or parked task",
    description=(
        "The task ends `cancelled`: nothing more runs on it, its timers are dropped and the subtasks it "
        "waits for are cancelled too; runs in flight finish, but their changes are not committed. "
        "A task that already ended answers 409."
    ),
    responses=documented(404, 409, 422),
)
def cancel_task(task_id: str, platform: PlatformDep, workspace: WorkspaceDep) -> TaskOut:
    return TaskOut.of(platform.cancel_task(workspace, task_id))


@router.get(
    "/{task_id}/data",
    summary="A task's data right after one history event",
    description="Rebuilt from the history: the `created` data, then every patch and committed run in order.",
    responses=documented(404, 422),
)
def data_at(
    task_id: str,
    platform: PlatformDep,
    workspace: WorkspaceDep,
    at: Annotated[int, Query(ge=1, le=MAX_SAFE_INTEGER, description="the `seq` of a history event")],
) -> TaskDataAt:
    return TaskDataAt(seq=at, data=platform.task_data_at(workspace, task_id, at))


@router.post(
    "/{task_id}/rerun",
    status_code=202,
    summary="Run a failed or incomplete task again from one of its runs",
    description=(
        "The data goes back to what it was when the run at `from` was dispatched (or to `data`), that "
        "run's step and every step dispatched after it may run again, and the task is re-matched. "
        "`from` null starts over from the created data. Other states answer 409: clone instead."
    ),
    responses=documented(404, 409, 413, 422),
)
def rerun_task(task_id: str, body: TaskRerun, platform: PlatformDep, workspace: WorkspaceDep) -> TaskOut:
    return TaskOut.of(platform.rerun_task(workspace, task_id, body.from_, body.data))


@router.post(
    "/{task_id}/clone",
    status_code=201,
    summary="Start a new task from a task's data",
    description="Any state; the new task's `created` event names the source under `cloned_from`.",
    responses=documented(404, 413, 422),
)
def clone_task(task_id: str, body: TaskClone, platform: PlatformDep, workspace: WorkspaceDep) -> TaskOut:
    return TaskOut.of(platform.clone_task(workspace, task_id, body.name, body.data))


@router.post(
    "/bulk",
    summary="Resume or rerun one page of the tasks a filter selects",
    description=(
        "Call again with `next` until it is null. `rerun` starts each task over from its first run of "
        "`filter.step` when given, else from the start; a task that refuses is listed in `skipped`."
    ),
    responses=documented(422),
)
def bulk(body: BulkRequest, platform: PlatformDep, workspace: WorkspaceDep) -> BulkAnswer:
    f = body.filter
    where = TaskFilter(f.name, f.tag, f.step, f.created_after, f.created_before, f.q)
    state = None if f.state is None else TaskState(f.state)
    done = platform.bulk(workspace, body.action, state, where, body.limit, body.cursor)
    return BulkAnswer(
        matched=done.matched,
        changed=done.changed,
        skipped=[BulkSkip(id=task_id, reason=reason) for task_id, reason in done.skipped],
        next=done.next,
    )
