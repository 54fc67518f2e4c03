"""What the fragments read, through the same `Platform` methods the `/v1` routes call."""

from ..model import Task, TaskState, Workspace
from ..services import MAX_PAGE, Platform
from ..task_filter import TaskFilter
from .filters import FilterForm

PAGE = 50
FAILED_SCAN = 1_000
"""At most this many error tasks are read to tell which failed in a given step (Steps page)."""


def task_page(
    platform: Platform, workspace: Workspace, form: FilterForm, cursor: str | None, limit: int = PAGE
) -> tuple[list[Task], str | None]:
    return platform.list_tasks(workspace, form.task_state, limit, cursor, form.where())


def state_counts(platform: Platform, workspace: Workspace, where: TaskFilter) -> tuple[dict[str, int], bool]:
    """Tasks per state (every state present) and whether the count is exact."""
    counts, exact = platform.count_tasks(workspace, where)
    return {state.value: number for state, number in counts.items()}, exact


def matched(counts: dict[str, int], state: TaskState | None) -> int:
    return counts.get(state.value, 0) if state else sum(counts.values())


def failed_in(platform: Platform, workspace: Workspace, step: str) -> tuple[int, bool]:
    """Tasks in `error` because `step` failed on them (not another step), and whether every error
    task the step ran on was read to say so (else the number is a floor)."""
    failed, read, cursor = 0, 0, None
    ran, page = TaskFilter(step=step), min(MAX_PAGE, FAILED_SCAN)
    while True:
        tasks, cursor = platform.list_tasks(workspace, TaskState.ERROR, page, cursor, ran)
        failed += sum(1 for task in tasks if task.error is not None and task.error.step == step)
        read += len(tasks)
        if cursor is None:
            return failed, True
        if read >= FAILED_SCAN:
            return failed, False
