"""What people read: tables, the task timeline, times, paths and changes."""

import io
from datetime import UTC, datetime, timedelta

import pytest
from cli_support import rendered
from rich.console import Console

from aloma_core.cli.render import connectors_table, steps_table, task_view, tasks_table, webhooks_table
from aloma_core.cli.timeline import event_summary, format_change, format_path, timeline_table
from aloma_core.cli.times import format_time
from aloma_core.json_types import JsonObject, JsonValue

T0 = datetime(2025, 1, 1, tzinfo=UTC)


def at(ms: int) -> str:
    """An API timestamp `ms` milliseconds after T0."""
    return (T0 + timedelta(milliseconds=ms)).isoformat(timespec="milliseconds").replace("+00:00", "Z")


@pytest.mark.parametrize(
    ("value", "precise", "expected"),
    [
        ("2025-01-01T00:00:01.234Z", True, "2025-01-01 00:00:01.234"),
        ("2025-01-01T00:00:00.999Z", False, "2025-01-01 00:00:00"),
        ("2025-01-01T01:00:00+01:00", False, "2025-01-01 00:00:00"),
        ("not a time", False, "not a time"),
        (None, False, ""),
    ],
)
def test_api_times_show_in_the_given_zone(value: JsonValue, precise: bool, expected: str) -> None:
    assert format_time(value, UTC, precise=precise) == expected


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        (["customer", "email"], "customer.email"),
        (["items", 0, "sku"], "items[0].sku"),
        (["$via", "id"], '["$via"].id'),
        (["first name"], '["first name"]'),
        ([], "(root)"),
    ],
)
def test_paths_read_like_javascript(path: JsonValue, expected: str) -> None:
    assert format_path(path) == expected


def test_changes_show_op_path_and_value() -> None:
    assert format_change({"op": "set", "path": ["a", "b"], "value": {"x": [1, 2]}}) == 'set a.b = {"x":[1,2]}'
    assert format_change({"op": "delete", "path": ["a"]}) == "delete a"


def test_long_values_are_cut_short() -> None:
    change = format_change({"op": "set", "path": ["blob"], "value": "x" * 500})

    assert len(change) < 100
    assert change.endswith("…")


RUN_OK: JsonObject = {
    "seq": 4,
    "at": at(40),
    "type": "run",
    "step": "validate email",
    "version": 2,
    "started_at": at(30),
    "duration_ms": 12.6,
    "changes": [{"op": "set", "path": ["customer", "validated"], "value": True}],
    "logs": [{"level": "info", "message": "checking a@b.c"}, {"level": "warn", "message": "slow"}],
    "error": None,
}
RUN_FAILED: JsonObject = {
    "seq": 5,
    "at": at(50),
    "type": "run",
    "step": "add to crm",
    "version": 1,
    "duration_ms": 3,
    "changes": [],
    "logs": [{"level": "error", "message": "boom"}],
    "error": {"step": "add to crm", "message": "TypeError: x is undefined", "line": 3},
}


@pytest.mark.parametrize(
    ("event", "summary"),
    [
        ({"type": "created", "name": "signup", "data": {"a": 1}}, "task 'signup' created with {\"a\":1}"),
        ({"type": "created", "name": None, "data": {}}, "task created with {}"),
        ({"type": "dispatched", "step": "s", "version": 3, "claim": "c"}, "queued v3"),
        (RUN_OK, "v2 ok in 13 ms, 1 change, 2 log lines"),
        (RUN_FAILED, "v1 failed in 3.0 ms: TypeError: x is undefined (step 'add to crm', line 3)"),
        (
            {"type": "skipped", "step": "s", "reason": "condition no longer matches"},
            "skipped: condition no longer matches",
        ),
        (
            {"type": "conflict", "paths": [["a", "b"], ["c"]]},
            "also changed by a parallel run; this later commit wins: a.b, c",
        ),
        (
            {"type": "state", "from": "running", "to": "done", "reason": "task.complete()"},
            "running -> done (task.complete())",
        ),
        ({"type": "resumed", "from": "error"}, "resumed from error"),
        (
            {"type": "patched", "changes": [{"op": "delete", "path": ["x"]}]},
            "data changed from outside: 1 change",
        ),
        ({"type": "audit", "step": "s", "text": "approved by Ann"}, "approved by Ann"),
        (
            {"type": "parked", "step": "s", "until_at": at(90)},
            f"parked until {at(90)}, or until its data changes from outside",
        ),
        (
            {"type": "timeout", "step": "s", "expires_at": at(90), "on_expire": "complete"},
            f"timeout set: the task completes at {at(90)} if still open",
        ),
        ({"type": "woken", "reason": "the park ended"}, "woken: the park ended"),
        ({"type": "expired", "on_expire": "error"}, "the timeout passed; the task failed"),
        (
            {"type": "subtask", "child": "c1", "name": "research a", "into": "r.a", "wait_for": True},
            "subtask c1 (research a) started, result into r.a, waiting for it",
        ),
        (
            {"type": "subtask", "child": "c2", "name": None, "into": None, "wait_for": False},
            "subtask c2 started",
        ),
        (
            {"type": "child_ended", "child": "c1", "state": "done", "into": "r.a"},
            "subtask c1 ended done, written to r.a",
        ),
        ({"type": "cancelled", "from": "waiting"}, "cancelled (was waiting)"),
        (
            {"type": "rerun", "from": 5, "edited": True, "data": {"a": 1}},
            'rerun from the run at 5 with edited data: {"a":1}',
        ),
        ({"type": "rerun", "from": None, "edited": False, "data": {}}, "rerun from the start: {}"),
        (
            {"type": "created", "name": None, "data": {}, "cloned_from": "t1"},
            "task created with {} (a clone of t1)",
        ),
        ({"type": "future", "seq": 1, "at": at(0), "detail": 7}, '{"detail":7}'),
    ],
)
def test_each_event_type_has_a_one_line_summary(event: JsonObject, summary: str) -> None:
    assert event_summary(event) == summary


EVENTS: list[JsonObject] = [
    {"seq": 1, "at": at(0), "type": "created", "name": "signup", "data": {"customer": {"email": "a@b.c"}}},
    {"seq": 2, "at": at(10), "type": "dispatched", "step": "validate email", "version": 2, "claim": "c1"},
    RUN_OK,
    RUN_FAILED,
    {"seq": 6, "at": at(60), "type": "state", "from": "running", "to": "error", "reason": "step failed"},
]


def test_timeline_lists_events_in_order_with_time_type_and_step() -> None:
    text = rendered(timeline_table(EVENTS, changes=False, logs=False, tz=UTC))

    rows = [line for line in text.splitlines() if "00:00:00.0" in line]
    assert [row.split("│")[1].strip() for row in rows] == ["1", "2", "4", "5", "6"]
    assert "2025-01-01 00:00:00.000" in rows[0]
    assert "2025-01-01" not in rows[2]
    assert "00:00:00.040" in rows[2]
    assert "validate email" in rows[2]
    assert "set customer.validated" not in text
    assert "checking a@b.c" not in text


def test_timeline_shows_the_date_again_when_it_changes() -> None:
    next_day: JsonObject = {"seq": 7, "at": at(86_400_000), "type": "resumed", "from": "error"}

    text = rendered(timeline_table([*EVENTS, next_day], changes=False, logs=False, tz=UTC))

    assert "2025-01-02 00:00:00.000" in text


def test_timeline_with_changes_and_logs_shows_them_under_each_run() -> None:
    text = rendered(timeline_table(EVENTS, changes=True, logs=True, tz=UTC))

    assert "set customer.validated = true" in text
    assert "[info] checking a@b.c" in text
    assert "[warn] slow" in text
    assert "[error] boom" in text


def test_timeline_with_logs_shows_each_connector_call_with_status_and_time() -> None:
    calls: list[JsonValue] = [
        {"connector": "crm", "method": "upsert", "status": "ok", "ms": 41.25},
        {"connector": "crm", "method": "flag", "status": "failed", "ms": 3.0, "message": "HTTP 409"},
        {"connector": "fetch", "method": "", "status": "unfinished", "ms": None},
    ]
    run: JsonObject = {"seq": 1, "at": at(0), "type": "run", "step": "sync", "logs": [], "calls": calls}

    with_logs = rendered(timeline_table([run], changes=False, logs=True, tz=UTC))
    without = rendered(timeline_table([run], changes=False, logs=False, tz=UTC))

    assert "[call] crm.upsert ok 41 ms" in with_logs
    assert "[call] crm.flag failed 3.0 ms: HTTP 409" in with_logs
    assert "[call] fetch unfinished" in with_logs
    assert "[call]" not in without


def test_user_text_is_never_read_as_rich_markup() -> None:
    steps: list[JsonObject] = [
        {
            "name": "[bold]odd[/bold]",
            "version": 1,
            "enabled": True,
            "specificity": 2,
            "condition": {"a": None},
        }
    ]

    assert "[bold]odd[/bold]" in rendered(steps_table(steps))


def test_steps_table_columns() -> None:
    steps: list[JsonObject] = [
        {
            "name": "validate email",
            "version": 3,
            "enabled": False,
            "specificity": 2,
            "condition": {"customer": {"email": {"$type": "string"}, "validated": None}},
        },
    ]

    text = rendered(steps_table(steps))

    for word in ["name", "version", "enabled", "specificity", "condition", "validate email", " 3 ", " no "]:
        assert word in text
    assert '{"customer":{"email":{"$type":"string"},"validated":null}}' in text


TASK: JsonObject = {
    "id": "01JTASK",
    "name": "signup",
    "state": "error",
    "data": {"customer": {"email": "a@b.c"}},
    "result": None,
    "tags": ["vip"],
    "created_at": at(0),
    "updated_at": at(60),
    "runs": 2,
    "error": {"step": "add to crm", "message": "TypeError: x is undefined", "line": 3},
}


def test_tasks_table_columns() -> None:
    text = rendered(tasks_table([TASK], UTC))

    for word in ["01JTASK", "signup", "error", "2025-01-01 00:00:00"]:
        assert word in text


def test_task_ids_are_never_cut_in_a_narrow_terminal() -> None:
    tasks = [{**TASK, "id": "01a2260813a677541874f44f6bf7", "name": "a rather long task name"}]

    console = Console(file=io.StringIO(), width=80, record=True, color_system=None)
    console.print(tasks_table(tasks, UTC))

    assert "01a2260813a677541874f44f6bf7" in console.export_text()


def test_task_view_shows_error_where_and_the_data() -> None:
    text = rendered(task_view(TASK, UTC))

    assert "TypeError: x is undefined (step 'add to crm', line 3)" in text
    assert '"email": "a@b.c"' in text
    assert "vip" in text
    assert "result" not in text


def test_task_view_says_what_a_waiting_task_waits_for_and_shows_its_relatives() -> None:
    waiting: JsonObject = {
        **TASK,
        "state": "waiting",
        "error": None,
        "wake_at": at(90_000),
        "timeout": {"expires_at": at(120_000), "on_expire": "complete", "result": None},
        "waiting_for": {"park_until": at(90_000), "timeout": False, "children": ["kid1"]},
        "parent": "01JPARENT",
        "children": [{"id": "kid1", "name": "research", "into": "r", "wait_for": True, "ended": None}],
    }
    text = rendered(task_view(waiting, UTC))

    assert "parked until 2025-01-01 00:01:30" in text
    assert "1 subtask(s): kid1" in text
    assert "2025-01-01 00:02:00 (then completes)" in text
    assert "01JPARENT" in text
    assert "kid1 research (open)" in text


def test_task_view_of_a_running_task_has_no_waiting_lines() -> None:
    text = rendered(task_view(TASK, UTC))
    assert "waits for" not in text and "subtasks" not in text and "parent" not in text


def test_connectors_table_shows_references_not_values() -> None:
    text = rendered(
        connectors_table(
            [{"namespace": "crm", "type": "remote", "config": {"url": "https://crm", "secret": "CRM_TOKEN"}}]
        )
    )
    assert "crm" in text and "remote" in text and '"secret":"CRM_TOKEN"' in text


def test_webhooks_table_says_how_each_is_signed() -> None:
    text = rendered(
        webhooks_table(
            [
                {
                    "id": "wh_1",
                    "name": "github",
                    "signing": {"scheme": "github", "secret": "GH_SECRET", "header": "X-Hub-Signature-256"},
                    "keep_headers": ["X-GitHub-Event", "X-GitHub-Delivery"],
                    "rate_limit_per_minute": 600,
                },
                {
                    "id": "wh_2",
                    "name": "plain",
                    "signing": None,
                    "keep_headers": [],
                    "rate_limit_per_minute": 5,
                },
            ]
        )
    )
    github, plain = (line for line in text.splitlines() if "wh_" in line)
    assert "github (GH_SECRET)" in github and "X-GitHub-Event, X-GitHub-Delivery" in github
    assert " no " in plain and "wh_2" in plain
