"""Schedules, addressed by name: each firing of the cron expression creates one task."""

from fastapi import APIRouter, Response

from ..auth import PlatformDep, WorkspaceDep
from ..errors import documented
from ..schemas import ScheduleIn, ScheduleList, ScheduleOut

router = APIRouter(prefix="/v1/schedules", tags=["schedules"], responses=documented(401))


@router.put(
    "/{name}",
    summary="Create or replace a schedule",
    description="200 when an existing schedule was replaced (or re-put unchanged), 201 when it was "
    "created. The same cron expression and time zone keep the next firing; new ones count from now. "
    'Each firing creates a task with the data plus `$via: {type: "schedule", name, fired_at, '
    "scheduled_for}`; after downtime, the firings missed are made up by one task.",
    responses={201: {"model": ScheduleOut, "description": "created"}, **documented(413, 422)},
)
def put_schedule(
    name: str, body: ScheduleIn, response: Response, platform: PlatformDep, workspace: WorkspaceDep
) -> ScheduleOut:
    schedule, created = platform.put_schedule(
        workspace, name, cron=body.cron, data=body.data, timezone=body.timezone, task_name=body.name
    )
    response.status_code = 201 if created else 200
    return ScheduleOut.of(schedule)


@router.get("", summary="List schedules")
def list_schedules(platform: PlatformDep, workspace: WorkspaceDep) -> ScheduleList:
    return ScheduleList(schedules=[ScheduleOut.of(s) for s in platform.list_schedules(workspace)])


@router.get("/{name}", summary="Show a schedule", responses=documented(404, 422))
def get_schedule(name: str, platform: PlatformDep, workspace: WorkspaceDep) -> ScheduleOut:
    return ScheduleOut.of(platform.get_schedule(workspace, name))


@router.delete("/{name}", status_code=204, summary="Delete a schedule", responses=documented(404, 422))
def delete_schedule(name: str, platform: PlatformDep, workspace: WorkspaceDep) -> None:
    platform.delete_schedule(workspace, name)
