"""The rules of notifications as pure functions: which ending a task is in, what one delivery
round sends (alone, in a digest, or later), and the messages themselves.

Digests: time is cut into fixed windows of `digest.window_s` (slices of the epoch, as the rate
limiter's minutes are). While a window holds at most `digest.after` endings, each is told alone as
soon as it is delivered; once it holds more, the endings not yet told wait for the window's end
and go out together as one digest.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from ..json_types import JsonObject, JsonValue
from ..model import Event, Task
from .notice import Notice
from .settings import DigestSettings

DASHBOARD_TASK_PATH = "/ui/tasks/{id}"
DASHBOARD_LIST_PATH = "/ui"


def ending_of(task: Task, history: Sequence[Event]) -> int | None:
    """The seq of the state event that moved the task into its current state: the same for every
    version of the task until it leaves that state (a resume, a rerun), new for the next ending."""
    for event in reversed(history):
        if event.type == "state" and event.detail.get("to") == task.state.value:
            return event.seq
    return None


def notice_for(task: Task, ending: int, now: int) -> Notice:
    """What is kept to tell the ending later: no data, no logs, only what the message shows."""
    error = None if task.error is None else task.error.to_json()
    return Notice(task.workspace_id, task.id, ending, task.state.value, task.name, error, now, now)


def window_of(at: int, digest: DigestSettings) -> int:
    return at // digest.window_ms


@dataclass
class Plan:
    """One delivery round for one workspace: notices to tell alone, digests (per window) to send,
    and notices to hold until the given time (their window's end)."""

    alone: list[Notice] = field(default_factory=list)
    digests: dict[int, list[Notice]] = field(default_factory=dict)
    held: list[tuple[Notice, int]] = field(default_factory=list)


def plan(pending: Sequence[Notice], endings_in: Mapping[int, int], now: int, digest: DigestSettings) -> Plan:
    """`endings_in` counts the notices of each window the pending ones fall in, told or not."""
    decided = Plan()
    for notice in sorted(pending, key=lambda n: (n.at, n.task_id, n.ending)):
        window = window_of(notice.at, digest)
        if endings_in.get(window, 0) <= digest.after and not notice.digest:
            decided.alone.append(notice)
            continue
        closes = (window + 1) * digest.window_ms
        if now >= closes:
            decided.digests.setdefault(window, []).append(notice)
        else:
            decided.held.append((notice, closes))
    return decided


@dataclass(frozen=True)
class Message:
    """`payload` is what a webhook receives; `subject` and `text` are for people (Slack, email)."""

    subject: str
    text: str
    payload: JsonObject


def _task_entry(notice: Notice) -> JsonObject:
    return {
        "id": notice.task_id,
        "name": notice.task_name,
        "state": notice.state,
        "error": notice.error,
        "link": DASHBOARD_TASK_PATH.format(id=notice.task_id),
    }


def _workspace(workspace_id: str, workspace_name: str) -> JsonObject:
    return {"id": workspace_id, "name": workspace_name}


def _error_line(error: Mapping[str, JsonValue] | None) -> str:
    if error is None:
        return ""
    where = f" in step {error.get('step')!r}" if error.get("step") else ""
    line = f" at line {error.get('line')}" if error.get("line") is not None else ""
    return f"\nerror{where}{line}: {error.get('message')}"


def single_message(workspace_name: str, notice: Notice) -> Message:
    shown = f"{notice.task_name!r} ({notice.task_id})" if notice.task_name else notice.task_id
    subject = f"[aloma] {workspace_name}: task {shown} ended {notice.state}"
    text = f"{subject}{_error_line(notice.error)}\n{DASHBOARD_TASK_PATH.format(id=notice.task_id)}"
    payload: JsonObject = {
        "type": "task_ended",
        "workspace": _workspace(notice.workspace_id, workspace_name),
        "count": 1,
        "tasks": [_task_entry(notice)],
        "text": text,
    }
    return Message(subject, text, payload)


def digest_message(
    workspace_name: str, notices: Sequence[Notice], window: int, digest: DigestSettings
) -> Message:
    """Lists the first `digest.show` tasks; the count says how many there were in all."""
    assert notices, "a digest of nothing is never sent"
    states = sorted({n.state for n in notices})
    shown = list(notices[: digest.show])
    more = len(notices) - len(shown)
    subject = (
        f"[aloma] {workspace_name}: {len(notices)} tasks ended {' or '.join(states)} "
        f"within {digest.window_s} s"
    )
    ids = ", ".join(n.task_id for n in shown) + (f" and {more} more" if more else "")
    link = DASHBOARD_LIST_PATH + (f"?state={states[0]}" if len(states) == 1 else "")
    text = f"{subject}\n{ids}\n{link}"
    window_start = window * digest.window_ms
    payload: JsonObject = {
        "type": "digest",
        "workspace": _workspace(notices[0].workspace_id, workspace_name),
        "count": len(notices),
        "window": {"start": window_start, "end": window_start + digest.window_ms},
        "tasks": [_task_entry(n) for n in shown],
        "link": link,
        "text": text,
    }
    return Message(subject, text, payload)
