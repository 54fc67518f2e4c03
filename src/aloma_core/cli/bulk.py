"""`aloma task resume|rerun` over many tasks: `POST /v1/tasks/bulk` page after page until `next` is
null, with a progress line after each page."""

from collections.abc import Callable
from dataclasses import dataclass, field

from ..json_types import JsonObject
from .client import ApiClient, api_path, objects

PAGE = 50
_DONE = {"resume": "resumed", "rerun": "rerun"}


@dataclass
class BulkTotals:
    changed: list[str] = field(default_factory=list)
    skipped: list[JsonObject] = field(default_factory=list)

    def summary(self, action: str) -> str:
        return f"{_DONE.get(action, action)} {len(self.changed)}, skipped {len(self.skipped)}"


def run_bulk(
    client: ApiClient, action: str, where: JsonObject, *, progress: Callable[[str], None] | None = None
) -> BulkTotals:
    """Every page of the filter; the server's cursor is by creation time, so tasks that leave the
    filtered state as they change do not shift the pages."""
    totals = BulkTotals()
    cursor: str | None = None
    while True:
        body: JsonObject = {"action": action, "filter": where, "limit": PAGE, "cursor": cursor}
        answer = client.post(api_path("tasks", "bulk"), body).object()
        changed = answer.get("changed")
        totals.changed += [str(task_id) for task_id in changed] if isinstance(changed, list) else []
        totals.skipped += objects(answer, "skipped")
        following = answer.get("next")
        cursor = following if isinstance(following, str) and following else None
        if cursor is None:
            return totals
        if progress is not None:
            progress(totals.summary(action) + " ...")
