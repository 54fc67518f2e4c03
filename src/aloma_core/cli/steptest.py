"""`aloma step test`: one step file on sample data, in the real sandbox, with no server.

The file is compiled as an upload would compile it, its condition matched as the matcher would
match it, and its content run by the same `run_content` a worker calls, so what passes here
behaves the same on a live task. Connectors are mocked (mockhost.py); nothing leaves the machine.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path

from ..changes import Change
from ..conditions import parse_condition
from ..errors import InvalidInput, StepFileError
from ..json_types import JsonObject, JsonValue
from ..limits import Limits
from ..sandbox.run import run_content
from ..sandbox.types import LogLine, RunInput, TaskActions
from ..steps import compile_source
from .mockhost import MockConnectorHost, Outcome, RecordedCall

TEST_TASK_ID = "step-test"


@dataclass(frozen=True)
class StepTestError:
    message: str
    line: int | None = None
    where: str = "content"

    def to_json(self) -> JsonObject:
        return {"message": self.message, "line": self.line, "where": self.where}


@dataclass
class StepTestReport:
    step: str
    file: str
    matched: bool | None = None
    unmatched: list[str] = field(default_factory=list)
    ran: bool = False
    changes: list[Change] = field(default_factory=list)
    data: JsonObject | None = None
    """The data after the run; `before` is the sample it started from."""
    before: JsonObject = field(default_factory=dict)
    logs: list[LogLine] = field(default_factory=list)
    calls: list[RecordedCall] = field(default_factory=list)
    actions: JsonObject = field(default_factory=dict)
    error: StepTestError | None = None

    @property
    def threw(self) -> bool:
        return self.error is not None

    def to_json(self) -> JsonObject:
        return {
            "step": self.step,
            "file": self.file,
            "matched": self.matched,
            "unmatched": list(self.unmatched),
            "ran": self.ran,
            "ok": not self.threw,
            "changes": [change.to_json() for change in self.changes],
            "data": self.data,
            "logs": [{"level": line.level, "message": line.message} for line in self.logs],
            "calls": [call.to_json() for call in self.calls],
            "actions": self.actions,
            "error": None if self.error is None else self.error.to_json(),
        }


def try_step(
    path: Path,
    source: str,
    data: JsonObject,
    mocks: Mapping[str, Mapping[str, list[Outcome]]],
    *,
    config: Mapping[str, str] | None = None,
    task_name: str | None = None,
    run_anyway: bool = False,
) -> StepTestReport:
    """Compile, match, run. A content that is not matched is not run unless `run_anyway`."""
    name = path.name.removesuffix(".js")
    report = StepTestReport(step=name, file=str(path), before=data)
    limits = Limits()
    try:
        compiled = compile_source(source, limits)
    except StepFileError as error:
        report.error = StepTestError(str(error.message), error.line, "upload")
        return report
    except InvalidInput as error:
        report.error = StepTestError(error.message, None, "upload")
        return report
    report.matched = parse_condition(compiled.condition).matches(data)
    report.unmatched = [] if report.matched else unmatched_paths(compiled.condition, data)
    if not (report.matched or run_anyway):
        return report
    host = MockConnectorHost(mocks)
    run = RunInput(
        source=compiled.source,
        data=data,
        task_id=TEST_TASK_ID,
        task_name=task_name,
        tags=(),
        step_name=name,
        claim_id=TEST_TASK_ID,
        config=dict(config or {}),
        limits=limits,
    )
    result = run_content(run, host)
    report.ran = True
    report.logs = result.logs
    report.calls = host.calls
    if result.error is not None:
        report.error = StepTestError(result.error.message, result.error.line)
        return report
    report.changes = result.changes
    report.data = result.data
    report.actions = requested_actions(result.actions, result.redo)
    return report


def unmatched_paths(condition: JsonObject, data: JsonValue, prefix: str = "") -> list[str]:
    """The dotted paths of the condition's keys that fail on `data`, descending into nested objects,
    so a person sees which part of the pattern the sample does not meet."""
    if any(key.startswith("$") for key in condition) or not isinstance(data, dict):
        return [prefix or "(the whole condition)"]
    failing: list[str] = []
    for key, pattern in condition.items():
        path = f"{prefix}.{key}" if prefix else key
        if parse_condition({key: pattern}).matches(data):
            continue
        if isinstance(pattern, dict) and not any(k.startswith("$") for k in pattern):
            failing += unmatched_paths(pattern, data.get(key), path)
        else:
            failing.append(path)
    return failing


def requested_actions(actions: TaskActions, redo: bool) -> JsonObject:
    """Only what the run asked for: the fields that differ from a run that asked nothing."""
    blank = TaskActions()
    asked: JsonObject = {}
    for item in fields(TaskActions):
        value = getattr(actions, item.name)
        if value != getattr(blank, item.name):
            asked[item.name] = [vars(sub) for sub in value] if item.name == "subtasks" else value
    if redo:
        asked["redo"] = True
    return asked
