"""`aloma step test FILE --data ...`: the typer face of steptest.py, text or `--json`."""

import json
from pathlib import Path
from typing import Annotated

import typer

from ...changes import Change
from ...json_types import JsonObject, JsonValue
from ..errors import UsageProblem
from ..mockhost import Outcome, load_mock_option
from ..output import print_json
from ..steptest import StepTestReport, try_step
from .common import JsonFlag, json_object_argument, read_text_argument


def step_test(
    file: Annotated[Path, typer.Argument(help="The step file, `<step name>.js`.")],
    data: Annotated[str, typer.Option("--data", "-d", help="The task data: JSON, or @FILE (@- for stdin).")],
    connector_mock: Annotated[
        list[str] | None,
        typer.Option("--connector-mock", help="NS=FILE: answers for connectors.NS.* (repeatable)."),
    ] = None,
    config: Annotated[
        list[str] | None, typer.Option("--config", help="KEY=VALUE seen by task.config(KEY) (repeatable).")
    ] = None,
    task_name: Annotated[str | None, typer.Option("--task-name", help="What task.name() returns.")] = None,
    run_anyway: Annotated[
        bool, typer.Option("--run-anyway", help="Run the content even when the condition does not match.")
    ] = False,
    json_output: JsonFlag = False,
) -> None:
    """Run one step file locally on sample data, in the real sandbox, without a server.

    Exit 0 when it ran (matched or not), 1 when it threw or the file was refused."""
    source = read_text_argument(file, "the step file")
    mocks: dict[str, dict[str, list[Outcome]]] = {}
    for option in connector_mock or []:
        namespace, methods = load_mock_option(option)
        mocks.setdefault(namespace, {}).update(methods)
    report = try_step(
        file,
        source,
        _data(data),
        mocks,
        config=_pairs(config or []),
        task_name=task_name,
        run_anyway=run_anyway,
    )
    if json_output:
        print_json(report.to_json())
    else:
        typer.echo(describe(report))
    if report.threw:
        raise typer.Exit(1)


def _data(option: str) -> JsonObject:
    if option.startswith("@"):
        return json_object_argument(read_text_argument(Path(option[1:]), "the data file"), "the data")
    return json_object_argument(option, "--data")


def _pairs(options: list[str]) -> dict[str, str]:
    pairs: dict[str, str] = {}
    for option in options:
        key, sep, value = option.partition("=")
        if not sep or not key:
            raise UsageProblem(f"--config {option!r}: expected KEY=VALUE")
        pairs[key] = value
    return pairs


def _change_line(change: Change, before: JsonObject) -> str:
    """`+` a path the sample did not have, `~` one whose value changed (old -> new), `-` removed."""
    path = ".".join(str(key) for key in change.path)
    if change.op != "set":
        return f"  - {path}"
    value: JsonValue = before
    for key in change.path:
        if isinstance(value, dict) and isinstance(key, str) and key in value:
            value = value[key]
            continue
        if isinstance(value, list) and isinstance(key, int) and 0 <= key < len(value):
            value = value[key]
            continue
        return f"  + {path} = {_json(change.value)}"
    return f"  ~ {path}: {_json(value)} -> {_json(change.value)}"


def describe(report: StepTestReport) -> str:
    """The report for a person: one section per thing the run did, the verdict first."""
    lines = [f"step {report.step} ({report.file})"]
    if report.matched is None:
        lines.append("refused at upload: the step would not be accepted")
    elif report.matched:
        lines.append("condition: matches")
    else:
        lines.append("condition: does not match (a live task with this data would not run it)")
        lines += [f"  not met: {path}" for path in report.unmatched]
        if not report.ran:
            lines.append("content: not run (--run-anyway runs it regardless)")
    if report.ran:
        lines.append("content: threw" if report.threw else "content: ran")
    if report.changes:
        lines.append("changes:")
        lines += [_change_line(change, report.before) for change in report.changes]
    elif report.ran and not report.threw:
        lines.append("changes: none")
    if report.logs:
        lines.append("logs:")
        lines += [f"  [{line.level}] {line.message}" for line in report.logs]
    if report.calls:
        lines.append("connector calls:")
        for call in report.calls:
            label = call.namespace + (f".{call.method}" if call.method else "")
            outcome = f"-> {_json(call.answer)}" if call.failure is None else f"-> rejected: {call.failure}"
            kind = "mocked" if call.mocked else "refused"
            lines.append(f"  {label}({_json(call.args)}) {outcome} [{kind}]")
    if report.actions:
        lines.append("task actions:")
        lines += [f"  {key}: {_json(value)}" for key, value in report.actions.items()]
    if report.error is not None:
        where = "" if report.error.line is None else f" at line {report.error.line}"
        lines.append(f"error{where}: {report.error.message}")
    return "\n".join(lines)


def _json(value: object) -> str:
    return json.dumps(value, ensure_ascii=False)
