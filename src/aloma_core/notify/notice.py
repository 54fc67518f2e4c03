"""A notice: the record that one ending of one task is to be told, and how far its telling got.

Its key is (workspace, task, ending), where `ending` is the history seq of the state event that
ended the task this time. Writing a notice only if its key is new is the claim that makes a
notification at most once per ending, whatever the duplicates and retries before it.
"""

from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Any

from ..json_types import JsonObject


class NoticeStatus(StrEnum):
    """`pending` waits for delivery (at `due_at`); `sending` is taken by one deliverer and is never
    taken again, even if that deliverer dies (at most once wins over at least once)."""

    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    DROPPED = "dropped"


@dataclass(frozen=True)
class Notice:
    workspace_id: str
    task_id: str
    ending: int
    state: str
    task_name: str | None
    error: JsonObject | None
    at: int
    """When the notice was claimed (epoch ms): the time its digest window is chosen by."""
    due_at: int
    status: NoticeStatus = NoticeStatus.PENDING
    attempts: int = 0
    last_error: str | None = None
    digest: bool = False
    """Whether it went (or goes) out in a digest rather than alone."""

    def but(self, **changes: Any) -> "Notice":
        return replace(self, **changes)

    def to_json(self) -> JsonObject:
        return {
            "workspace_id": self.workspace_id,
            "task_id": self.task_id,
            "ending": self.ending,
            "state": self.state,
            "task_name": self.task_name,
            "error": self.error,
            "at": self.at,
            "due_at": self.due_at,
            "status": self.status.value,
            "attempts": self.attempts,
            "last_error": self.last_error,
            "digest": self.digest,
        }

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> "Notice":
        return cls(
            workspace_id=str(raw["workspace_id"]),
            task_id=str(raw["task_id"]),
            ending=int(raw["ending"]),
            state=str(raw["state"]),
            task_name=raw.get("task_name"),
            error=raw.get("error"),
            at=int(raw["at"]),
            due_at=int(raw["due_at"]),
            status=NoticeStatus(raw["status"]),
            attempts=int(raw["attempts"]),
            last_error=raw.get("last_error"),
            digest=bool(raw.get("digest", False)),
        )
