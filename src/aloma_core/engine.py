"""The lifecycle rules of semantics.md section 5 as pure functions over task records.

Every function takes the latest stored task and returns what to write (a new version plus
history events), or a decision not to write. The pipeline stores outcomes with a conditional
write on the version it read, so these rules hold under any number of concurrent writers.
"""

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import Enum

from . import limits as limit_names
from .catalog import StepCatalog
from .changes import Change, Path, apply, diff, json_equal, merge_patch
from .errors import ConflictingState, InvalidInput, TooLarge
from .json_types import JsonObject, JsonValue
from .model import (
    ACTIVE_CLAIMS,
    ENDED_STATES,
    RESUMABLE_STATES,
    Claim,
    ClaimStatus,
    Event,
    RunRequest,
    Step,
    Task,
    TaskError,
    TaskState,
    WorkspaceSettings,
)
from .sandbox.types import RunResult


@dataclass(frozen=True)
class Outcome:
    """A new task version to store, the events to append with it, and the runs to request after."""

    task: Task
    events: list[Event]
    requests: list[RunRequest] = field(default_factory=list)


def data_size(data: JsonValue) -> int:
    """Size of data as stored: compact JSON, UTF-8."""
    return len(json.dumps(data, separators=(",", ":"), ensure_ascii=False).encode())


def new_task(
    workspace_id: str, task_id: str, name: str | None, data: JsonObject, now: int, settings: WorkspaceSettings
) -> Outcome:
    if data_size(data) > settings.limits.task_data_bytes:
        raise TooLarge(
            f"task data exceeds the {limit_names.TASK_SIZE} of {settings.limits.task_data_bytes} bytes"
        )
    task = Task(workspace_id, task_id, name, TaskState.RUNNING, data, created_at=now, updated_at=now)
    return Outcome(task, [Event("created", now, {"name": name, "data": data})])


def _next(task: Task, now: int, **changes: object) -> Task:
    return task.with_changes(version=task.version + 1, updated_at=now, **changes)


def _state_event(task: Task, to: TaskState, now: int, reason: str) -> Event:
    return Event("state", now, {"from": task.state.value, "to": to.value, "reason": reason})


def _eligible(task: Task, step: Step) -> bool:
    claim = task.claims.get(step.name)
    if claim is None:
        return True
    return claim.status is ClaimStatus.REDO and claim.data_seq < task.data_seq


def plan_dispatch(
    task: Task, catalog: StepCatalog, settings: WorkspaceSettings, now: int, new_id: Callable[[], str]
) -> Outcome | None:
    """Which steps to dispatch on this version of the task, or the end state when none can run."""
    if task.state is not TaskState.RUNNING:
        return None
    active = task.active_claims()
    candidates = [step for step in catalog.matching(task.data) if _eligible(task, step)]
    if settings.execution == "sequential":
        candidates = [] if active else candidates[:1]
    if not candidates:
        if active:
            return None
        reason = "no step matches and nothing is running"
        return Outcome(
            _next(task, now, state=TaskState.INCOMPLETE),
            [_state_event(task, TaskState.INCOMPLETE, now, reason)],
        )
    if task.runs + len(active) + len(candidates) > settings.max_runs_per_task:
        message = (
            f"{limit_names.STEP_RUNS}: the task made {task.runs} step runs and the workspace allows "
            f"{settings.max_runs_per_task}; is a step looping?"
        )
        error = TaskError(step=None, message=message)
        stop = _state_event(task, TaskState.ERROR, now, message)
        return Outcome(_next(task, now, state=TaskState.ERROR, error=error), [stop])
    claims = dict(task.claims)
    events: list[Event] = []
    requests: list[RunRequest] = []
    for step in candidates:
        claim = Claim(new_id(), step.name, ClaimStatus.QUEUED, task.data_seq, task.version)
        claims[step.name] = claim
        events.append(
            Event("dispatched", now, {"step": step.name, "version": step.version, "claim": claim.id})
        )
        requests.append(RunRequest(task.workspace_id, task.id, step.name, claim.id))
    return Outcome(_next(task, now, claims=claims), events, requests)


def requests_from_version(task: Task, origin_version: int) -> list[RunRequest]:
    """The queued runs dispatched from one task version: what a retried matcher sends again."""
    return [
        RunRequest(task.workspace_id, task.id, claim.step, claim.id)
        for claim in task.claims.values()
        if claim.status is ClaimStatus.QUEUED and claim.origin_version == origin_version
    ]


class StartKind(Enum):
    START = "start"
    SKIP = "skip"
    DROP = "drop"
    BUSY = "busy"


@dataclass(frozen=True)
class StartDecision:
    kind: StartKind
    reason: str
    outcome: Outcome | None = None
    step: Step | None = None


def start_run(
    task: Task, request: RunRequest, catalog: StepCatalog, token: str, lease_until: int, now: int
) -> StartDecision:
    """Take the claim for this run, or say why not: a duplicate is dropped, a stale run skipped."""
    claim = task.claims.get(request.step)
    if claim is None or claim.id != request.claim_id or claim.status not in ACTIVE_CLAIMS:
        return StartDecision(StartKind.DROP, "the claim was already used or withdrawn")
    if claim.status is ClaimStatus.RUNNING and (claim.lease_until or 0) > now:
        return StartDecision(StartKind.BUSY, "another attempt of this run holds a live lease")
    step = catalog.get(request.step)
    if task.state in ENDED_STATES:
        reason = f"the task is already {task.state.value}"
    elif step is None:
        reason = "the step was deleted or disabled"
    elif not catalog.matches(step.name, task.data):
        reason = "the condition no longer matches the latest data"
    else:
        running = Claim(
            claim.id,
            claim.step,
            ClaimStatus.RUNNING,
            claim.data_seq,
            claim.origin_version,
            token,
            lease_until,
        )
        outcome = Outcome(_next(task, now, claims={**task.claims, claim.step: running}), [])
        return StartDecision(StartKind.START, "", outcome, step)
    return StartDecision(StartKind.SKIP, reason, skip_run(task, claim, reason, now))


def skip_run(task: Task, claim: Claim, reason: str, now: int) -> Outcome:
    claims = {name: c for name, c in task.claims.items() if name != claim.step}
    event = Event("skipped", now, {"step": claim.step, "claim": claim.id, "reason": reason})
    return Outcome(_next(task, now, claims=claims), [event])


def _holds_claim(task: Task, request: RunRequest, token: str) -> Claim | None:
    claim = task.claims.get(request.step)
    if (
        claim
        and claim.id == request.claim_id
        and claim.status is ClaimStatus.RUNNING
        and claim.run_token == token
    ):
        return claim
    return None


@dataclass(frozen=True)
class RunSnapshot:
    """What a run saw: the data and its sequence number, and the step version it ran."""

    data: JsonObject
    data_seq: int
    step_version: int
    started_at: int


def commit_run(
    task: Task,
    request: RunRequest,
    token: str,
    snapshot: RunSnapshot,
    result: RunResult,
    now: int,
    settings: WorkspaceSettings,
) -> Outcome | None:
    """Merge a finished run onto the latest task; None when this attempt no longer holds the claim."""
    claim = _holds_claim(task, request, token)
    if claim is None:
        return None
    run_event: JsonObject = {
        "step": request.step,
        "version": snapshot.step_version,
        "claim": claim.id,
        "started_at": snapshot.started_at,
        "duration_ms": round(result.wall_ms, 3),
        "cpu_ms": round(result.cpu_ms, 3),
        "changes": [],
        "logs": [{"level": line.level, "message": line.message} for line in result.logs],
        "error": None,
    }
    if result.error is None:
        merged = apply(result.changes, task.data)
        if data_size(merged) > settings.limits.task_data_bytes:
            message = (
                f"{limit_names.TASK_SIZE}: the data would grow past {settings.limits.task_data_bytes} bytes"
            )
            return _fail(task, claim, run_event, TaskError(request.step, message), now)
        return _succeed(task, claim, run_event, snapshot, result, merged, now)
    error = TaskError(request.step, result.error.message, result.error.line)
    return _fail(task, claim, run_event, error, now)


def _fail(task: Task, claim: Claim, run_event: JsonObject, error: TaskError, now: int) -> Outcome:
    """The run's changes are discarded and its claim released, so a fixed step may run after resume."""
    run_event["error"] = error.to_json()
    claims = {name: c for name, c in task.claims.items() if name != claim.step}
    events = [Event("run", now, run_event)]
    changes: dict[str, object] = {"claims": claims, "runs": task.runs + 1}
    if task.state not in ENDED_STATES and task.state is not TaskState.ERROR:
        events.append(
            _state_event(task, TaskState.ERROR, now, f"step {claim.step!r} failed: {error.message}")
        )
        changes |= {"state": TaskState.ERROR, "error": error}
    return Outcome(_next(task, now, **changes), events)


def _succeed(
    task: Task,
    claim: Claim,
    run_event: JsonObject,
    snapshot: RunSnapshot,
    result: RunResult,
    merged: JsonObject,
    now: int,
) -> Outcome:
    run_event["changes"] = [change.to_json() for change in result.changes]
    events = [Event("run", now, run_event)]
    conflicts = _conflicting_paths(result.changes, snapshot, task)
    if conflicts:
        detail: JsonObject = {"step": claim.step, "claim": claim.id, "paths": [list(p) for p in conflicts]}
        events.append(Event("conflict", now, detail))
    events.extend(Event("audit", now, {"step": claim.step, "text": text}) for text in result.audit)
    data_changed = not json_equal(merged, task.data)
    data_seq = task.data_seq + 1 if data_changed else task.data_seq
    status = ClaimStatus.REDO if result.redo else ClaimStatus.DONE
    settled = Claim(claim.id, claim.step, status, snapshot.data_seq, claim.origin_version)
    changes: dict[str, object] = {
        "data": merged,
        "data_seq": data_seq,
        "runs": task.runs + 1,
        "claims": {**task.claims, claim.step: settled},
    }
    actions = result.actions
    if actions.name is not None:
        changes["name"] = actions.name
    if actions.tags is not None:
        changes["tags"] = tuple(actions.tags)
    end = _end_state(task, result, merged)
    if end is not None:
        state, reason = end
        events.append(_state_event(task, state, now, reason))
        changes["state"] = state
        if state is TaskState.DONE and actions.complete:
            changes["result"] = actions.result
    return Outcome(_next(task, now, **changes), events)


def _end_state(task: Task, result: RunResult, merged: JsonObject) -> tuple[TaskState, str] | None:
    if task.state is not TaskState.RUNNING:
        return None
    if result.actions.complete:
        return TaskState.DONE, "a step called task.complete()"
    if result.actions.ignore:
        return TaskState.IGNORED, "a step called task.ignore()"
    if not merged:
        return TaskState.DONE, "the data was left empty"
    return None


def _value_at(data: JsonValue, path: Path) -> tuple[bool, JsonValue]:
    node = data
    for key in path:
        if isinstance(node, dict) and isinstance(key, str) and key in node:
            node = node[key]
            continue
        if isinstance(node, list) and isinstance(key, int) and 0 <= key < len(node):
            node = node[key]
            continue
        return False, None
    return True, node


def _conflicting_paths(changes: list[Change], snapshot: RunSnapshot, latest: Task) -> list[Path]:
    """Paths this run changed that someone else changed since the run read the data."""
    if latest.data_seq == snapshot.data_seq:
        return []
    return [c.path for c in changes if _value_at(snapshot.data, c.path) != _value_at(latest.data, c.path)]


def fail_run(task: Task, request: RunRequest, message: str, now: int) -> Outcome | None:
    """A run that could not finish (its retries ran out): the task shows the error."""
    claim = task.claims.get(request.step)
    if claim is None or claim.id != request.claim_id or claim.status not in ACTIVE_CLAIMS:
        return None
    run_event: JsonObject = {
        "step": request.step,
        "claim": claim.id,
        "started_at": now,
        "duration_ms": 0,
        "changes": [],
        "logs": [],
        "error": None,
    }
    return _fail(task, claim, run_event, TaskError(request.step, message), now)


def expire_leases(task: Task, now: int) -> Outcome | None:
    """After a restart no earlier attempt is alive: let the next delivery of each running claim
    take over at once. The dead attempt's token no longer matches, so it could never commit."""
    running = [
        c for c in task.claims.values() if c.status is ClaimStatus.RUNNING and (c.lease_until or 0) > now
    ]
    if not running:
        return None
    claims = dict(task.claims)
    for claim in running:
        claims[claim.step] = Claim(
            claim.id, claim.step, claim.status, claim.data_seq, claim.origin_version, claim.run_token, 0
        )
    return Outcome(_next(task, now, claims=claims), [])


def resume(task: Task, now: int) -> Outcome:
    if task.state not in RESUMABLE_STATES:
        raise ConflictingState(
            f"only an incomplete or failed task can be resumed; this one is {task.state.value}"
        )
    events = [
        Event("resumed", now, {"from": task.state.value}),
        _state_event(task, TaskState.RUNNING, now, "resumed"),
    ]
    return Outcome(_next(task, now, state=TaskState.RUNNING, error=None), events)


def patch_data(task: Task, patch: JsonObject, now: int, settings: WorkspaceSettings) -> Outcome:
    """A change from outside: merged as RFC 7396, then re-matched; it does not reset claims."""
    if task.state in ENDED_STATES:
        raise ConflictingState(f"the task is {task.state.value}; its data no longer changes")
    merged = merge_patch(task.data, patch)
    if not isinstance(merged, dict):
        raise InvalidInput("data: a merge patch must leave the data a JSON object")
    if data_size(merged) > settings.limits.task_data_bytes:
        raise TooLarge(
            f"task data would exceed the {limit_names.TASK_SIZE} of {settings.limits.task_data_bytes} bytes"
        )
    changes = diff(task.data, merged)
    events = [Event("patched", now, {"changes": [c.to_json() for c in changes]})]
    updates: dict[str, object] = {"data": merged}
    if changes:
        updates["data_seq"] = task.data_seq + 1
        if task.state in (TaskState.INCOMPLETE, TaskState.WAITING):
            events.append(_state_event(task, TaskState.RUNNING, now, "data changed from outside"))
            updates["state"] = TaskState.RUNNING
    return Outcome(_next(task, now, **updates), events)
