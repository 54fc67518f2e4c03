"""Tasks: created, read, listed, patched from outside and resumed; matching happens elsewhere."""

from typing import Annotated

from fastapi import APIRouter, Query

from ...model import TaskState
from ...services import MAX_PAGE
from ..auth import PlatformDep, WorkspaceDep
from ..errors import documented
from ..schemas import EventOut, History, TaskCreate, TaskList, TaskOut, TaskPatch

router = APIRouter(prefix="/v1/tasks", tags=["tasks"], responses=documented(401))


@router.post("", status_code=201, summary="Create a task", responses=documented(413, 422))
def create_task(body: TaskCreate, platform: PlatformDep, workspace: WorkspaceDep) -> TaskOut:
    return TaskOut.of(platform.create_task(workspace, body.name, body.data))


@router.get("", summary="List tasks, newest first", responses=documented(422))
def list_tasks(
    platform: PlatformDep,
    workspace: WorkspaceDep,
    state: TaskState | None = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 50,
    cursor: Annotated[str | None, Query(description="`next` of the previous page")] = None,
) -> TaskList:
    tasks, after = platform.list_tasks(workspace, state, limit, cursor)
    return TaskList(tasks=[TaskOut.of(task) for task in tasks], next=after)


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
