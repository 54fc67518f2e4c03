"""Human-readable views of API answers. Pure functions returning Rich renderables, so the
wording is tested without a server. User text always goes in as `Text`, never as markup."""

import json
from collections import Counter
from datetime import tzinfo

from rich.console import Group, RenderableType
from rich.syntax import Syntax
from rich.table import Column, Table
from rich.text import Text

from ..json_types import JsonObject, JsonValue
from .sync import Outcome, SyncReport
from .times import format_time

_OUTCOME_STYLE = {
    Outcome.CREATED: "green",
    Outcome.UPDATED: "yellow",
    Outcome.UNCHANGED: "dim",
    Outcome.REFUSED: "bold red",
    Outcome.DELETED: "magenta",
    Outcome.WRITTEN: "green",
}
STATE_STYLE = {
    "running": "cyan",
    "done": "green",
    "error": "bold red",
    "incomplete": "yellow",
    "ignored": "dim",
    "waiting": "blue",
    "cancelled": "dim",
}


def compact_json(value: JsonValue, limit: int | None = None) -> str:
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return text if limit is None or len(text) <= limit else text[: limit - 1] + "…"


def _text(value: JsonValue) -> Text:
    return Text("" if value is None else str(value))


def _state(value: JsonValue) -> Text:
    state = "" if value is None else str(value)
    return Text(state, style=STATE_STYLE.get(state, ""))


def steps_table(steps: list[JsonObject]) -> Table:
    table = Table("name", "version", "enabled", "specificity", "condition")
    for step in steps:
        enabled = step.get("enabled")
        table.add_row(
            _text(step.get("name")),
            _text(step.get("version")),
            Text("yes" if enabled else "no", style="" if enabled else "yellow"),
            _text(step.get("specificity")),
            Text(compact_json(step.get("condition")), overflow="fold"),
        )
    return table


def step_view(step: JsonObject) -> Group:
    header = Text.assemble(
        (str(step.get("name")), "bold"),
        f"  v{step.get('version')}",
        "  enabled" if step.get("enabled") else ("  disabled", "yellow"),
        f"  specificity {step.get('specificity')}",
        f"  updated {format_time(step.get('updated_at'))}",
    )
    # Line numbers, because upload and run errors name lines of this file.
    source = Syntax(
        str(step.get("source") or ""), "javascript", line_numbers=True, background_color="default"
    )
    return Group(header, source)


def tasks_table(tasks: list[JsonObject], tz: tzinfo | None = None) -> Table:
    """Ids are never cut short: they are what a person copies into the next command."""
    ids = [str(task.get("id")) for task in tasks]
    id_column = Column("id", no_wrap=True, min_width=max((len(i) for i in ids), default=2))
    table = Table(id_column, "name", "state", "runs", Column("created", no_wrap=True))
    for task_id, task in zip(ids, tasks, strict=True):
        table.add_row(
            Text(task_id),
            _text(task.get("name")),
            _state(task.get("state")),
            _text(task.get("runs")),
            Text(format_time(task.get("created_at"), tz)),
        )
    return table


def task_view(task: JsonObject, tz: tzinfo | None = None) -> Group:
    facts = Table.grid(padding=(0, 2))
    facts.add_column(style="bold")
    facts.add_column()
    facts.add_row("id", _text(task.get("id")))
    facts.add_row("name", _text(task.get("name")))
    facts.add_row("state", _state(task.get("state")))
    facts.add_row("runs", _text(task.get("runs")))
    facts.add_row("created", Text(format_time(task.get("created_at"), tz)))
    facts.add_row("updated", Text(format_time(task.get("updated_at"), tz)))
    tags = task.get("tags")
    if tags:
        facts.add_row(
            "tags", Text(", ".join(str(tag) for tag in tags) if isinstance(tags, list) else str(tags))
        )
    error = task.get("error")
    if isinstance(error, dict):
        facts.add_row("error", Text(error_summary(error), style="red"))
    _time_facts(facts, task, tz)
    parts: list[RenderableType] = [facts, Text("data", style="bold"), Text(pretty_json(task.get("data")))]
    if task.get("result") is not None:
        parts += [Text("result", style="bold"), Text(pretty_json(task.get("result")))]
    return Group(*parts)


def _time_facts(facts: Table, task: JsonObject, tz: tzinfo | None) -> None:
    """What a waiting task waits for, its timers, and its relatives."""
    waiting = task.get("waiting_for")
    if isinstance(waiting, dict):
        reasons = []
        if waiting.get("park_until"):
            reasons.append(f"parked until {format_time(waiting['park_until'], tz)}")
        if waiting.get("timeout"):
            reasons.append("its timeout")
        children = waiting.get("children")
        if isinstance(children, list) and children:
            reasons.append(f"{len(children)} subtask(s): {', '.join(str(c) for c in children)}")
        facts.add_row("waits for", Text("; ".join(reasons), style="blue"))
    timeout = task.get("timeout")
    if isinstance(timeout, dict):
        ends = "completes" if timeout.get("on_expire") == "complete" else "fails"
        facts.add_row("timeout", Text(f"{format_time(timeout.get('expires_at'), tz)} (then {ends})"))
    if task.get("wake_at"):
        facts.add_row("wakes at", Text(format_time(task.get("wake_at"), tz)))
    if task.get("parent"):
        facts.add_row("parent", _text(task.get("parent")))
    children = task.get("children")
    if isinstance(children, list) and children:
        lines = [
            " ".join(
                str(part)
                for part in (child.get("id"), child.get("name"), f"({child.get('ended') or 'open'})")
                if part
            )
            for child in children
            if isinstance(child, dict)
        ]
        facts.add_row("subtasks", Text("\n".join(lines)))


def error_summary(error: JsonObject) -> str:
    where = [
        f"step {error['step']!r}" if error.get("step") else "",
        f"line {error['line']}" if error.get("line") else "",
    ]
    place = ", ".join(part for part in where if part)
    return f"{error.get('message')}" + (f" ({place})" if place else "")


def pretty_json(value: JsonValue) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2)


def connectors_table(connectors: list[JsonObject]) -> Table:
    table = Table("namespace", "type", "config")
    for connector in connectors:
        table.add_row(
            _text(connector.get("namespace")),
            _text(connector.get("type")),
            Text(compact_json(connector.get("config")), overflow="fold"),
        )
    return table


def webhooks_table(webhooks: list[JsonObject]) -> Table:
    table = Table("name", "signed", "keeps headers", "per minute", Column("id", no_wrap=True))
    for webhook in webhooks:
        signing = webhook.get("signing")
        signed = f"{signing.get('scheme')} ({signing.get('secret')})" if isinstance(signing, dict) else "no"
        kept = webhook.get("keep_headers")
        table.add_row(
            _text(webhook.get("name")),
            Text(signed, style="" if isinstance(signing, dict) else "yellow"),
            Text(", ".join(str(name) for name in kept) if isinstance(kept, list) else ""),
            _text(webhook.get("rate_limit_per_minute")),
            _text(webhook.get("id")),
        )
    return table


def schedules_table(schedules: list[JsonObject], tz: tzinfo | None = None) -> Table:
    """Firing times in the viewer's zone, like every other time the CLI shows."""
    table = Table(
        "name", "cron", "timezone", Column("next firing", no_wrap=True), Column("last firing", no_wrap=True)
    )
    for schedule in schedules:
        table.add_row(
            _text(schedule.get("name")),
            _text(schedule.get("cron")),
            _text(schedule.get("timezone")),
            Text(format_time(schedule.get("next_fire_at"), tz)),
            _last_firing(schedule, tz),
        )
    return table


def _last_firing(schedule: JsonObject, tz: tzinfo | None) -> Text:
    last = schedule.get("last_fired_at")
    return Text("never", style="dim") if last is None else Text(format_time(last, tz))


def schedule_view(schedule: JsonObject, tz: tzinfo | None = None) -> Group:
    facts = Table.grid(padding=(0, 2))
    facts.add_column(style="bold")
    facts.add_column()
    facts.add_row("name", _text(schedule.get("name")))
    facts.add_row("cron", Text.assemble(str(schedule.get("cron")), f"  ({schedule.get('timezone')})"))
    facts.add_row("tasks named", _text(schedule.get("task_name")))
    facts.add_row("next firing", Text(format_time(schedule.get("next_fire_at"), tz)))
    facts.add_row("last firing", _last_firing(schedule, tz))
    if schedule.get("last_task_id") is not None:
        facts.add_row("last task", _text(schedule.get("last_task_id")))
    facts.add_row("updated", Text(format_time(schedule.get("updated_at"), tz)))
    return Group(facts, Text("data", style="bold"), Text(pretty_json(schedule.get("data"))))


def libraries_table(libraries: list[JsonObject]) -> Table:
    table = Table("name", "version", Column("updated", no_wrap=True))
    for library in libraries:
        table.add_row(
            _text(library.get("name")),
            _text(library.get("version")),
            Text(format_time(library.get("updated_at"))),
        )
    return table


def library_view(library: JsonObject) -> Group:
    header = Text.assemble(
        (f"lib/{library.get('name')}.js", "bold"),
        f"  v{library.get('version')}",
        f"  updated {format_time(library.get('updated_at'))}",
    )
    # Line numbers, because upload and run errors name lines of this file.
    source = Syntax(
        str(library.get("source") or ""), "javascript", line_numbers=True, background_color="default"
    )
    return Group(header, source)


def names_table(title: str, names: list[str]) -> Table:
    table = Table(title)
    for name in names:
        table.add_row(Text(name))
    return table


def sync_summary(report: SyncReport) -> Group:
    """One line per library and step that was not refused (refusals go to stderr as errors), then
    a tally (libraries only when the directory has some)."""
    lines = []
    named = [(f"lib/{library.name}.js", library) for library in report.libraries]
    for name, result in [*named, *((result.name, result) for result in report.results)]:
        if result.outcome is Outcome.REFUSED:
            continue
        version = f" (v{result.version})" if result.version is not None else ""
        lines.append(
            Text.assemble((f"{result.outcome.value:<10}", _OUTCOME_STYLE[result.outcome]), name, version)
        )
    if report.libraries:
        counts = Counter(library.outcome for library in report.libraries)
        tally = ", ".join(f"{counts[o]} {o.value}" for o in Outcome if counts[o])
        many = len(report.libraries) != 1
        lines.append(Text(f"{len(report.libraries)} librar{'ies' if many else 'y'}: {tally}", style="bold"))
    tally = ", ".join(f"{report.count(o)} {o.value}" for o in Outcome if report.count(o))
    total = len(report.results)
    lines.append(
        Text(f"{total} step{'' if total == 1 else 's'}: {tally}" if total else "no steps", style="bold")
    )
    return Group(*lines)
