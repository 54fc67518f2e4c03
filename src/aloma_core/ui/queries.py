"""What the fragments read, through the same `Platform` methods the `/v1` routes call."""

from ..model import Task, TaskState, Workspace
from ..services import Platform
from ..task_filter import TaskFilter
from .filters import FilterForm

PAGE = 50


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
