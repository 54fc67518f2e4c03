"""The lifecycle rules of semantics.md section 5 as pure functions over task records.

Every function takes the latest stored task and returns what to write (a new version plus
history events), or a decision not to write. The pipeline stores outcomes with a conditional
write on the version it read, so these rules hold under any number of concurrent writers.
"""

import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from enum import Enum

from . import limits as limit_names
from . import replay
from .catalog import StepCatalog
from .changes import Change, Path, apply, diff, json_equal, merge_patch
from .errors import ConflictingState, InvalidInput, TooLarge
from .json_types import JsonObject, JsonValue
from .limits import SUBTASK_DATA_PER_RUN
from .model import (
    ACTIVE_CLAIMS,
    ENDED_STATES,
    REPORTED_STATES,
    RESUMABLE_STATES,
    TIMED_STATES,
    ChildLink,
    Claim,
    ClaimStatus,
    Event,
    Expiry,
    ParentLink,
    RunRequest,
    Step,
    Task,
    TaskError,
    TaskState,
    WorkspaceSettings,
)
from .sandbox.types import RunResult, SubtaskRequest, TaskActions


@dataclass(frozen=True)
class Outcome:
    """A new task version to store, the events to append with it, the runs to request after, and
    the tasks (subtasks) to create in the same write."""

    task: Task
    events: list[Event]
    requests: list[RunRequest] = field(default_factory=list)
    created: list[tuple[Task, list[Event]]] = field(default_factory=list)
    quiet: bool = False
    """Nothing about this version can change what matches (a dispatch, a run starting): the matcher
    need not see it, which spares it about half of a task's versions."""


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


_NO_TIMERS: dict[str, object] = {"park_until": None, "expiry": None}
"""An error drops the task's timers: a resumed task is not ended by a deadline that passed meanwhile."""


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
        if task.expiry is not None:
            reason = "nothing left to run; waiting for the task's timeout"
            return Outcome(
                _next(task, now, state=TaskState.WAITING),
                [_state_event(task, TaskState.WAITING, now, reason)],
            )
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
        return Outcome(_next(task, now, state=TaskState.ERROR, error=error, **_NO_TIMERS), [stop])
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
    return Outcome(_next(task, now, claims=claims), events, requests, quiet=True)


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
            claim.libraries,
        )
        outcome = Outcome(_next(task, now, claims={**task.claims, claim.step: running}), [], quiet=True)
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
        "calls": [call.to_json() for call in result.calls],
        "error": None,
    }
    if result.error is None and task.state is TaskState.CANCELLED:
        return _discard(task, claim, run_event, now)
    if result.error is None:
        merged = apply(result.changes, task.data)
        if data_size(merged) > settings.limits.task_data_bytes:
            message = (
                f"{limit_names.TASK_SIZE}: the data would grow past {settings.limits.task_data_bytes} bytes"
            )
            return _fail(task, claim, run_event, TaskError(request.step, message), now)
        problem = _refused_actions(task, result.actions, settings)
        if problem is not None:
            return _fail(task, claim, run_event, TaskError(request.step, problem), now)
        return _succeed(task, claim, run_event, snapshot, result, merged, now)
    error = TaskError(request.step, result.error.message, result.error.line, result.error.file)
    return _fail(task, claim, run_event, error, now)


def _refused_actions(task: Task, actions: TaskActions, settings: WorkspaceSettings) -> str | None:
    """Why the run's `task.*` requests cannot be honoured, which fails the run like a throw would:
    nothing a step asks for is silently dropped."""
    if actions.complete_on_expire and actions.timeout_ms is None and task.expiry is None:
        return "task.completeOnExpire() needs a timeout: call task.timeout(ms) in this run or an earlier one"
    subtasks = actions.subtasks
    if not subtasks:
        return None
    limits = settings.limits
    if task.depth + 1 > limits.subtask_depth:
        return (
            f"{limit_names.SUBTASKS}: task.subtask() would nest {task.depth + 1} deep and the workspace "
            f"allows {limits.subtask_depth}"
        )
    if len(subtasks) > limits.subtasks_per_run:
        return (
            f"{limit_names.SUBTASKS}: the run started {len(subtasks)} subtasks and the workspace allows "
            f"{limits.subtasks_per_run} per run"
        )
    if len(task.children) + len(subtasks) > limits.subtasks_per_task:
        return (
            f"{limit_names.SUBTASKS}: the task would have {len(task.children) + len(subtasks)} subtasks "
            f"and the workspace allows {limits.subtasks_per_task}"
        )
    sizes = [data_size(sub.data) for sub in subtasks]
    if max(sizes) > limits.task_data_bytes:
        return f"{limit_names.TASK_SIZE}: a subtask's data exceeds {limits.task_data_bytes} bytes"
    if sum(sizes) > SUBTASK_DATA_PER_RUN:
        return (
            f"{limit_names.SUBTASKS}: the subtasks of one run hold {sum(sizes)} bytes of data together; "
            f"at most {SUBTASK_DATA_PER_RUN}"
        )
    return None


def _discard(task: Task, claim: Claim, run_event: JsonObject, now: int) -> Outcome:
    """A run that finished after its task was cancelled: recorded, but nothing of it is committed."""
    run_event["committed"] = False
    claims = {name: c for name, c in task.claims.items() if name != claim.step}
    return Outcome(
        _next(task, now, claims=claims, runs=task.runs + 1, ran=_ran(task, claim.step)),
        [Event("run", now, run_event)],
    )


def _ran(task: Task, step: str) -> tuple[str, ...]:
    return task.ran if step in task.ran else (*task.ran, step)


def _fail(task: Task, claim: Claim, run_event: JsonObject, error: TaskError, now: int) -> Outcome:
    """The run's changes are discarded and its claim released, so a fixed step may run after resume."""
    run_event["error"] = error.to_json()
    claims = {name: c for name, c in task.claims.items() if name != claim.step}
    events = [Event("run", now, run_event)]
    changes: dict[str, object] = {"claims": claims, "runs": task.runs + 1, "ran": _ran(task, claim.step)}
    if task.state not in ENDED_STATES and task.state is not TaskState.ERROR:
        events.append(
            _state_event(task, TaskState.ERROR, now, f"step {claim.step!r} failed: {error.message}")
        )
        changes |= {"state": TaskState.ERROR, "error": error, **_NO_TIMERS}
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
        "ran": _ran(task, claim.step),
        "claims": {**task.claims, claim.step: settled},
    }
    actions = result.actions
    if actions.name is not None:
        changes["name"] = actions.name
    if actions.tags is not None:
        changes["tags"] = tuple(actions.tags)
    created = [_subtask(task, claim, index, sub, now) for index, sub in enumerate(actions.subtasks)]
    if created:
        changes["children"] = task.children + tuple(child.link for child in created)
        events.extend(child.parent_event for child in created)
    end = _end_state(task, result, merged)
    if end is not None:
        state, reason = end
        events.append(_state_event(task, state, now, reason))
        changes |= {"state": state, "park_until": None, "expiry": None}
        if state is TaskState.DONE and actions.complete:
            changes["result"] = actions.result
    elif task.state in TIMED_STATES:
        changes |= _timers(task, claim.step, actions, now, events)
        waits_for_children = any(child.link.wait_for for child in created) or task.awaited_children()
        if task.state is TaskState.RUNNING and (changes.get("park_until") or waits_for_children):
            reason = "parked" if changes.get("park_until") else "waiting for subtasks"
            events.append(_state_event(task, TaskState.WAITING, now, reason))
            changes["state"] = TaskState.WAITING
    return Outcome(
        _next(task, now, **changes),
        events,
        created=[(child.task, [child.created_event]) for child in created],
    )


def _timers(task: Task, step: str, actions: TaskActions, now: int, events: list[Event]) -> dict[str, object]:
    """The timers a run set. `task.timeout` (re)arms the expiry and `task.completeOnExpire` says it
    completes the task: both in one run, or the latter on a timeout an earlier run set (a run that
    only re-arms keeps how the earlier one ends). `task.park` parks from the commit on."""
    changes: dict[str, object] = {}
    earlier = task.expiry
    if actions.timeout_ms is not None or actions.complete_on_expire:
        at = now + actions.timeout_ms if actions.timeout_ms is not None else earlier.at if earlier else now
        if actions.complete_on_expire:
            expiry = Expiry(at, True, actions.expire_result)
        else:
            expiry = Expiry(at, bool(earlier and earlier.complete), earlier.result if earlier else None)
        changes["expiry"] = expiry
        events.append(
            Event("timeout", now, {"step": step, "expires_at": at, "on_expire": _on_expire(expiry)})
        )
    if actions.park_ms is not None:
        changes["park_until"] = now + actions.park_ms
        events.append(Event("parked", now, {"step": step, "until_at": now + actions.park_ms}))
    return changes


def _on_expire(expiry: Expiry) -> str:
    return "complete" if expiry.complete else "error"


@dataclass(frozen=True)
class _NewChild:
    link: ChildLink
    task: Task
    created_event: Event
    parent_event: Event


def _child_id(parent: Task, claim: Claim, index: int, now: int) -> str:
    """Shaped like `records.new_id` (time first, so listings sort it), but derived from the run, so
    every retry of one commit names the same children."""
    digest = hashlib.sha256(f"{parent.workspace_id}|{parent.id}|{claim.id}|{index}".encode()).hexdigest()
    return f"{now:012x}{digest[:16]}"


def _subtask(parent: Task, claim: Claim, index: int, request: SubtaskRequest, now: int) -> _NewChild:
    child_id = _child_id(parent, claim, index, now)
    link = ChildLink(child_id, request.name, request.into, request.wait_for)
    child = Task(
        parent.workspace_id,
        child_id,
        request.name,
        TaskState.RUNNING,
        request.data,
        created_at=now,
        updated_at=now,
        parent=ParentLink(parent.id, request.into, request.wait_for),
        depth=parent.depth + 1,
    )
    created = Event("created", now, {"name": request.name, "data": request.data, "parent": parent.id})
    started = Event(
        "subtask",
        now,
        {
            "step": claim.step,
            "child": child_id,
            "name": request.name,
            "into": request.into,
            "wait_for": request.wait_for,
        },
    )
    return _NewChild(link, child, created, started)


def _end_state(task: Task, result: RunResult, merged: JsonObject) -> tuple[TaskState, str] | None:
    if task.state not in TIMED_STATES:
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
            claim.id,
            claim.step,
            claim.status,
            claim.data_seq,
            claim.origin_version,
            claim.run_token,
            0,
            claim.libraries,
        )
    return Outcome(_next(task, now, claims=claims), [])


def release_lease(task: Task, step: str, run_token: str, now: int) -> Outcome | None:
    """The attempt holding `run_token` knows it died (its sandbox process crashed): end its lease
    so that the next delivery takes the run over at once. None when that attempt no longer holds
    the claim (it committed, failed or was taken over)."""
    claim = task.claims.get(step)
    if claim is None or claim.status is not ClaimStatus.RUNNING or claim.run_token != run_token:
        return None
    claims = {**task.claims, step: replace(claim, lease_until=0)}
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


def rerun(
    task: Task,
    history: Sequence[Event],
    from_seq: int | None,
    data: JsonObject | None,
    now: int,
    settings: WorkspaceSettings,
) -> Outcome:
    """Run a failed or incomplete task again from one of its runs (`from_seq`, the `seq` of its `run`
    event) or from the start (None): the data goes back to what it was when that run was
    dispatched (or to `data`, an edited copy), and the claims of that run and of every run
    dispatched after it are dropped, so those steps may run again and the earlier ones do not."""
    if task.state not in RESUMABLE_STATES:
        raise ConflictingState(
            f"only an incomplete or failed task can be rerun; this one is {task.state.value} "
            "(clone it to run its data again as a new task)"
        )
    dispatched_at = {
        str(event.detail.get("claim")): event.seq for event in history if event.type == "dispatched"
    }
    if from_seq is None:
        cutoff = 0
        start = replay.data_after(history, history[0].seq)
    else:
        run = next((event for event in history if event.seq == from_seq), None)
        if run is None or run.type != "run":
            raise InvalidInput(f"from: event {from_seq} of this task's history is not a run")
        cutoff = dispatched_at.get(str(run.detail.get("claim")), 0)
        if cutoff == 0:
            raise InvalidInput(f"from: the history holds no dispatch of the run at event {from_seq}")
        start = replay.data_after(history, cutoff)
    new_data = start if data is None else data
    if data_size(new_data) > settings.limits.task_data_bytes:
        raise TooLarge(
            f"task data exceeds the {limit_names.TASK_SIZE} of {settings.limits.task_data_bytes} bytes"
        )
    claims = {name: c for name, c in task.claims.items() if dispatched_at.get(c.id, 0) < cutoff}
    events = [
        Event("rerun", now, {"from": from_seq, "edited": data is not None, "data": new_data}),
        _state_event(task, TaskState.RUNNING, now, "rerun"),
    ]
    changes: dict[str, object] = {
        "state": TaskState.RUNNING,
        "error": None,
        "result": None,
        "data": new_data,
        "data_seq": task.data_seq + 1,
        "claims": claims,
        **_NO_TIMERS,
    }
    return Outcome(_next(task, now, **changes), events)


def clone(
    source: Task,
    task_id: str,
    name: str | None,
    data: JsonObject | None,
    now: int,
    settings: WorkspaceSettings,
) -> Outcome:
    """A new task from any task: its current data (or `data`) and name (or `name`); nothing else
    of the source carries over, so every step may run on the clone."""
    outcome = new_task(
        source.workspace_id,
        task_id,
        source.name if name is None else name,
        source.data if data is None else data,
        now,
        settings,
    )
    [created] = outcome.events
    marked = Event(created.type, created.at, {**created.detail, "cloned_from": source.id})
    return Outcome(outcome.task, [marked])


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
        if task.park_until is not None:
            events.append(Event("woken", now, {"reason": "data changed from outside"}))
            updates["park_until"] = None
        if task.state is TaskState.INCOMPLETE or (
            task.state is TaskState.WAITING and not task.awaited_children()
        ):
            events.append(_state_event(task, TaskState.RUNNING, now, "data changed from outside"))
            updates["state"] = TaskState.RUNNING
    return Outcome(_next(task, now, **updates), events)


def wake(task: Task, now: int) -> Outcome | None:
    """A timer's time came: an expiry ends the task, a park's end lets it be matched again (as new
    data would: a step that asked for `redo` may run once more). None when nothing is due, e.g.
    the index entry that led here was stale."""
    if task.wake_at is None or task.wake_at > now:
        return None
    expiry = task.expiry
    if expiry is not None and expiry.at <= now:
        events = [Event("expired", now, {"expires_at": expiry.at, "on_expire": _on_expire(expiry)})]
        ended = {"park_until": None, "expiry": None}
        if expiry.complete:
            events.append(
                _state_event(task, TaskState.DONE, now, "the timeout passed; task.completeOnExpire()")
            )
            return Outcome(_next(task, now, state=TaskState.DONE, result=expiry.result, **ended), events)
        message = (
            "the task's timeout passed while it was still open (task.timeout without task.completeOnExpire)"
        )
        events.append(_state_event(task, TaskState.ERROR, now, message))
        error = TaskError(step=None, message=message)
        return Outcome(_next(task, now, state=TaskState.ERROR, error=error, **ended), events)
    events = [Event("woken", now, {"reason": "the park ended"})]
    unparked = task.with_changes(park_until=None)
    return Outcome(_next(task, now, park_until=None, **_rematch(unparked, now, events)), events)


def _rematch(task: Task, now: int, events: list[Event]) -> dict[str, object]:
    """A waiting task that waits for nothing more runs again, matched as if its data were new."""
    if task.state is TaskState.WAITING and task.park_until is None and not task.awaited_children():
        events.append(_state_event(task, TaskState.RUNNING, now, "nothing left to wait for"))
        return {"state": TaskState.RUNNING, "data_seq": task.data_seq + 1}
    return {}


def child_ended(parent: Task, child: Task, now: int) -> Outcome | None:
    """A subtask reached an end (or `error`): its `{id, state, result}` goes into the parent at
    `into`, and a parent that waited for it may run again. Told again after a resumed child ends
    differently; None when the parent already knows this state or has ended itself."""
    index = next((i for i, link in enumerate(parent.children) if link.id == child.id), None)
    if index is None or parent.state in ENDED_STATES or child.state not in REPORTED_STATES:
        return None
    link = parent.children[index]
    if link.ended is child.state:
        return None
    children = list(parent.children)
    children[index] = ChildLink(link.id, link.name, link.into, link.wait_for, child.state)
    told = parent.with_changes(children=tuple(children))
    detail: JsonObject = {
        "child": child.id,
        "name": child.name,
        "state": child.state.value,
        "into": link.into,
    }
    events = [Event("child_ended", now, detail)]
    changes: dict[str, object] = {"children": told.children}
    if link.into is not None:
        outcome: JsonObject = {"id": child.id, "state": child.state.value, "result": child.result}
        written = Change("set", tuple(link.into.split(".")), outcome)
        detail["changes"] = [written.to_json()]
        changes["data"] = apply([written], parent.data)
        if parent.state is TaskState.INCOMPLETE:
            events.append(
                _state_event(parent, TaskState.RUNNING, now, "a subtask's outcome changed the data")
            )
            changes["state"] = TaskState.RUNNING
    rematch = _rematch(told, now, events) if link.wait_for else {}
    if "data" in changes or rematch:
        changes |= rematch | {"data_seq": parent.data_seq + 1}
    return Outcome(_next(parent, now, **changes), events)


def cancel(task: Task, now: int) -> Outcome:
    """Stop an open task for good: no more runs, timers dropped; runs in flight finish but commit
    nothing, and subtasks it waits for are cancelled after it (see `cancel_children`)."""
    if task.state in ENDED_STATES:
        raise ConflictingState(f"the task is already {task.state.value}; only an open task can be cancelled")
    events = [
        Event("cancelled", now, {"from": task.state.value}),
        _state_event(task, TaskState.CANCELLED, now, "cancelled"),
    ]
    return Outcome(_next(task, now, state=TaskState.CANCELLED, park_until=None, expiry=None), events)


def children_to_cancel(task: Task) -> list[str]:
    """The subtasks a cancelled task was waiting for and that are still open."""
    return [link.id for link in task.awaited_children()] if task.state is TaskState.CANCELLED else []
