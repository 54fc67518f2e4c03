"""`aloma logs`: `--since` parsing, timestamps as Powertools writes them, filtering, printing."""

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cli_support import run_cli

from aloma_core.cli.commands.logs import log_line
from aloma_core.cli.logsource import LocalLogFile, LogQuery, parse_line, parse_since
from aloma_core.cli.times import parse_timestamp


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("30s", timedelta(seconds=30)),
        ("15m", timedelta(minutes=15)),
        ("1h", timedelta(hours=1)),
        ("2d", timedelta(days=2)),
        ("0s", timedelta(0)),
        (" 10m ", timedelta(minutes=10)),
    ],
)
def test_since_accepts_seconds_minutes_hours_days(text: str, expected: timedelta) -> None:
    assert parse_since(text) == expected


@pytest.mark.parametrize("text", ["", "1", "h", "1w", "-1h", "1.5h", "1h30m", "one hour"])
def test_since_refuses_anything_else(text: str) -> None:
    with pytest.raises(ValueError, match="30s, 15m, 1h or 2d"):
        parse_since(text)


@pytest.mark.parametrize(
    "text",
    [
        "2026-01-02T03:04:05.678+00:00",
        "2026-01-02T03:04:05.678Z",
        "2026-01-02 03:04:05,678+0000",
        "2026-01-02T04:04:05.678+01:00",
        "2026-01-02T03:04:05.678",
    ],
)
def test_timestamps_in_any_iso_form_mean_the_same_instant(text: str) -> None:
    assert parse_timestamp(text) == datetime(2026, 1, 2, 3, 4, 5, 678000, UTC)


@pytest.mark.parametrize("value", ["yesterday", 1735689600, None])
def test_unreadable_timestamps_are_none(value: object) -> None:
    assert parse_timestamp(value) is None


def test_lines_that_are_not_json_objects_are_skipped() -> None:
    assert parse_line("{half a line") is None
    assert parse_line("[1, 2]") is None
    assert parse_line("") is None


def log_file(directory: Path, *records: dict[str, object]) -> Path:
    path = directory / ".aloma" / "logs" / "aloma.jsonl"
    path.parent.mkdir(parents=True)
    path.write_text("\n".join(json.dumps(r) for r in records) + "\n{cut off mid-wri", encoding="utf-8")
    return path


def entry(minutes_ago: int, message: str, **extra: object) -> dict[str, object]:
    # Relative to the moment the test runs (a slow suite may run it long after the import).
    at = (datetime.now(UTC) - timedelta(minutes=minutes_ago)).isoformat()
    return {"timestamp": at, "level": "INFO", "message": message, "service": "aloma", **extra}


@pytest.fixture
def logged(tmp_path: Path) -> Path:
    log_file(
        tmp_path,
        entry(180, "old, about t1", task_id="t1", workspace="w"),
        entry(30, "recent, about t1", task_id="t1", step="validate email", claim="c1"),
        entry(10, "recent, about t2", task_id="t2"),
        entry(5, "recent, no task"),
        {"level": "INFO", "message": "no timestamp"},
    )
    return tmp_path


def messages(directory: Path, query: LogQuery) -> list[str]:
    source = LocalLogFile(directory / ".aloma" / "logs" / "aloma.jsonl")
    return [record.message for record in source.records(query)]


def test_no_filter_keeps_every_readable_line(logged: Path) -> None:
    assert len(messages(logged, LogQuery())) == 5


def test_task_filter(logged: Path) -> None:
    assert messages(logged, LogQuery(task_id="t1")) == ["old, about t1", "recent, about t1"]


def test_since_filter_drops_old_lines_and_lines_without_time(logged: Path) -> None:
    query = LogQuery(since=datetime.now(UTC) - timedelta(hours=1))

    assert messages(logged, query) == ["recent, about t1", "recent, about t2", "recent, no task"]


def test_filters_combine(logged: Path) -> None:
    assert messages(logged, LogQuery(task_id="t1", since=datetime.now(UTC) - timedelta(hours=1))) == [
        "recent, about t1"
    ]


def test_aloma_logs_prints_matching_lines_with_their_context(logged: Path) -> None:
    result = run_cli(logged, "logs", "--task", "t1", "--since", "1h", key=None)

    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert len(lines) == 1
    assert "INFO" in lines[0]
    assert "recent, about t1" in lines[0]
    assert "task_id=t1 step=validate email claim=c1" in lines[0]


def test_aloma_logs_json_prints_the_original_objects(logged: Path) -> None:
    result = run_cli(logged, "logs", "--since", "15m", "--json", key=None)

    assert result.exit_code == 0, result.output
    printed = [json.loads(line) for line in result.stdout.splitlines()]
    assert [p["message"] for p in printed] == ["recent, about t2", "recent, no task"]
    assert printed[0]["service"] == "aloma"


def test_log_line_layout() -> None:
    record = parse_line(
        json.dumps(
            {"timestamp": "2026-01-02T03:04:05.678Z", "level": "error", "message": "[bold]x", "task_id": "t9"}
        )
    )
    assert record is not None

    assert log_line(record, UTC).plain == "2026-01-02 03:04:05.678 ERROR   [bold]x  task_id=t9"


def test_non_text_messages_print_as_json() -> None:
    record = parse_line(
        json.dumps({"timestamp": "2026-01-02T03:04:05Z", "level": "INFO", "message": {"a": 1}})
    )

    assert record is not None
    assert record.message == '{"a": 1}'
