"""Which tasks a listing, a count or a bulk action is about, and how a store pages through them.

A store narrows by what it can test without reading each task (DynamoDB: the workspace, state
and creation time its index keys hold; SQLite: everything, with its JSON functions) and hands
the rows to `page_of` / `tally`, which apply `TaskFilter.matches`, so both homes answer alike.
Where the tasks must be read to be tested (DynamoDB's indexes hold keys only), a page examines
at most `SCAN_BUDGET` tasks: a narrow filter over many tasks answers a short page, even an empty
one, with a cursor that goes on from the last task examined.
"""

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TypeVar

from .model import Task, TaskState
from .records import dump_json

SCAN_BUDGET = 1000
"""Tasks a listing page examines at most when a filter needs the task itself."""
COUNT_BUDGET = 100_000
"""Tasks a count examines at most when a filter needs the task itself; beyond, it is not exact."""

Position = TypeVar("Position")


@dataclass(frozen=True)
class TaskFilter:
    """Every field optional; all the given ones must hold. `created_after` is inclusive and
    `created_before` exclusive (epoch ms), so consecutive windows neither overlap nor leave gaps.
    `q` is a case-sensitive substring of the task's data as compact JSON text (`{"a":1}`: no
    spaces after `:` or `,`, non-ASCII characters as they are)."""

    name: str | None = None
    tag: str | None = None
    step: str | None = None
    created_after: int | None = None
    created_before: int | None = None
    q: str | None = None

    @property
    def inspects_tasks(self) -> bool:
        """Whether a store must read each task to apply it (its keys cannot say)."""
        return any(value is not None for value in (self.name, self.tag, self.step, self.q))

    @property
    def empty_window(self) -> bool:
        after, before = self.created_after, self.created_before
        return after is not None and before is not None and before <= after

    def in_window(self, created_at: int) -> bool:
        if self.created_after is not None and created_at < self.created_after:
            return False
        return self.created_before is None or created_at < self.created_before

    def matches(self, task: Task) -> bool:
        if not self.in_window(task.created_at):
            return False
        if self.name is not None and task.name != self.name:
            return False
        if self.tag is not None and self.tag not in task.tags:
            return False
        if self.step is not None and self.step not in task.ran:
            return False
        return self.q is None or self.q in dump_json(task.data)


def page_of(
    rows: Iterable[tuple[Position, Task]], where: TaskFilter, limit: int
) -> tuple[list[Task], Position | None]:
    """One page from `rows` (newest first, each with the position a cursor would resume after):
    up to `limit` matching tasks, and the position to go on from, None when `rows` has no more
    match. A cursor is given only when a further match exists or the budget ran out."""
    budget = max(SCAN_BUDGET, limit + 1)
    found: list[tuple[Position, Task]] = []
    last: Position | None = None
    for examined, (position, task) in enumerate(rows, start=1):
        last = position
        if where.matches(task):
            found.append((position, task))
            if len(found) > limit:
                return [task for _, task in found[:limit]], found[limit - 1][0]
        if examined >= budget:
            return [task for _, task in found], last
    return [task for _, task in found], None


def tally(tasks: Iterable[Task], where: TaskFilter) -> tuple[dict[TaskState, int], bool]:
    """Matching tasks by state, every state present; False when `COUNT_BUDGET` cut the count short."""
    counts: Counter[TaskState] = Counter()
    for examined, task in enumerate(tasks, start=1):
        if examined > COUNT_BUDGET:
            return all_states(counts), False
        if where.matches(task):
            counts[task.state] += 1
    return all_states(counts), True


def all_states(counts: Counter[TaskState] | dict[TaskState, int]) -> dict[TaskState, int]:
    return {state: counts.get(state, 0) for state in TaskState}
