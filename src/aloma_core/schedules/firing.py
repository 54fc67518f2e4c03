"""A due schedule becomes one task, whatever the retries, crashes and concurrent firers.

The task's id is derived from the workspace, the schedule and the slot, so a firing retried after
a crash between storing the task and advancing the schedule finds its task already there, and so
does a second firer of the same slot. Advancing is a conditional write on the slot, so only one
firer moves a schedule on. After downtime a schedule is behind by any number of slots: one task is
created, and the next slot is the first after now, so missed slots are made up once, not each.
"""

import hashlib
import logging
from dataclasses import replace

from .. import engine
from ..errors import ConflictingState, TooLarge
from ..json_types import JsonObject
from ..model import Schedule
from ..ports import Clock, ScheduleStore, TaskStore, WorkspaceStore
from ..timestamps import iso_timestamp
from .cron import next_slot

logger = logging.getLogger("aloma.schedules")

PAGE = 100


def slot_task_id(workspace_id: str, name: str, slot_ms: int) -> str:
    """The shape of `records.new_id` (12 hex digits of epoch ms, then 16 more), but the same on
    every attempt at one slot of one schedule."""
    digest = hashlib.sha256(f"{workspace_id}\0{name}\0{slot_ms}".encode()).hexdigest()
    return f"{slot_ms:012x}{digest[:16]}"


def task_data(schedule: Schedule, fired_ms: int) -> JsonObject:
    """The schedule's data plus `$via`, which is the platform's: a `$via` in the data is replaced."""
    via: JsonObject = {
        "type": "schedule",
        "name": schedule.name,
        "fired_at": iso_timestamp(fired_ms),
        "scheduled_for": iso_timestamp(schedule.next_fire_at),
    }
    return {**schedule.data, "$via": via}


class ScheduleFirer:
    """What the local scheduler thread and the AWS tick Lambda run: `fire_due` creates the tasks of
    every schedule due by then. Safe to run in several places at once."""

    def __init__(
        self, schedules: ScheduleStore, tasks: TaskStore, workspaces: WorkspaceStore, clock: Clock
    ) -> None:
        self._schedules = schedules
        self._tasks = tasks
        self._workspaces = workspaces
        self._clock = clock

    def fire_due(self, now_ms: int) -> int:
        """Fire each schedule due at `now_ms` once; the number of tasks created.

        A schedule that fails is logged and left due, so the next tick tries it again; pages are
        asked for beyond the ones tried, so failing schedules never hide the others.
        """
        created = 0
        tried: set[tuple[str, str]] = set()
        while True:
            wanted = len(tried) + PAGE
            due = self._schedules.due(now_ms, wanted)
            fresh = [schedule for schedule in due if (schedule.workspace_id, schedule.name) not in tried]
            for schedule in fresh:
                tried.add((schedule.workspace_id, schedule.name))
                try:
                    created += self._fire(schedule, now_ms)
                except Exception:
                    logger.exception(
                        "schedule %r: firing failed; tried again at the next tick",
                        schedule.name,
                        extra=_log_extra(schedule),
                    )
            if not fresh or len(due) < wanted:
                return created

    def _fire(self, schedule: Schedule, due_ms: int) -> int:
        """The task's times are the clock's; the next slot is after both it and `due_ms`, so the
        slot fired now is never due again."""
        now = self._clock.now_ms()
        workspace = self._workspaces.get(schedule.workspace_id)
        following = next_slot(schedule.cron, schedule.timezone, max(now, due_ms))
        task_id = slot_task_id(schedule.workspace_id, schedule.name, schedule.next_fire_at)
        created = 0
        try:
            outcome = engine.new_task(
                workspace.id,
                task_id,
                schedule.task_name or schedule.name,
                task_data(schedule, now),
                now,
                workspace.settings,
            )
        except TooLarge as error:
            # The workspace's limit went down since the schedule was set: skip the slot, never loop.
            logger.error(
                "schedule %r: no task created: %s", schedule.name, error.message, extra=_log_extra(schedule)
            )
            fired = replace(schedule, next_fire_at=following)
        else:
            try:
                self._tasks.create(outcome.task, outcome.events)
                created = 1
            except ConflictingState:
                pass  # an earlier attempt at this slot stored it
            fired = replace(schedule, next_fire_at=following, last_fired_at=now, last_task_id=task_id)
        # A lost advance: another firer, or a change of the schedule, came first.
        if self._schedules.advance(fired, schedule.next_fire_at) and fired.last_task_id == task_id:
            logger.info(
                "schedule %r fired", schedule.name, extra={**_log_extra(schedule), "task_id": task_id}
            )
        return created


def _log_extra(schedule: Schedule) -> dict[str, str]:
    return {"workspace": schedule.workspace_id, "schedule": schedule.name}
