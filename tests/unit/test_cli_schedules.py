"""`aloma schedule`: usage errors (exit 2, caught before any request: unit tests refuse sockets) and
how schedules are shown."""

from datetime import UTC
from pathlib import Path

import pytest
from cli_support import one_error_line, rendered, run_cli

from aloma_core.cli.render import schedule_view, schedules_table
from aloma_core.json_types import JsonObject

NIGHTLY: JsonObject = {
    "name": "nightly",
    "cron": "0 3 * * *",
    "timezone": "Europe/Berlin",
    "data": {"report": "sales"},
    "task_name": "sales report",
    "next_fire_at": "2025-01-02T02:00:00.000Z",
    "last_fired_at": "2025-01-01T02:00:00.012Z",
    "last_task_id": "01941f0e5a8012ab34cd56ef7890",
    "created_at": "2024-12-31T10:00:00.000Z",
    "updated_at": "2024-12-31T11:00:00.000Z",
}
NEVER_FIRED: JsonObject = {
    **NIGHTLY,
    "name": "weekly",
    "cron": "0 9 * * MON",
    "timezone": "UTC",
    "task_name": "weekly",
    "last_fired_at": None,
    "last_task_id": None,
}


@pytest.mark.parametrize(
    ("args", "complaint"),
    [
        (["schedule", "set", "nightly", "--cron", "0 3 * * *", "-d", "{oops"], "-d is not valid JSON"),
        (["schedule", "set", "nightly", "--cron", "0 3 * * *", "-d", "[1]"], "-d must be a JSON object"),
        (["schedule", "set", "nightly", "--cron", "0 3 * * *", "-d", "{}", "-f", "d.json"], "not both"),
        (["schedule", "set", "nightly", "--cron", "0 3 * * *", "-f", "missing.json"], "cannot read"),
    ],
)
def test_bad_local_input_exits_2_with_one_line(tmp_path: Path, args: list[str], complaint: str) -> None:
    result = run_cli(tmp_path, *args)

    assert result.exit_code == 2
    assert complaint in one_error_line(result)
    assert result.stdout == ""


def test_a_data_file_must_hold_an_object(tmp_path: Path) -> None:
    (tmp_path / "data.json").write_text('"text"')

    result = run_cli(tmp_path, "schedule", "set", "nightly", "--cron", "0 3 * * *", "-f", "data.json")

    assert result.exit_code == 2
    assert "data.json must be a JSON object" in one_error_line(result)


@pytest.mark.parametrize(
    "args",
    [
        ["schedule", "set", "nightly"],
        ["schedule", "set", "--cron", "0 3 * * *"],
        ["schedule", "show"],
        ["schedule", "rm"],
        ["schedule", "delete", "nightly"],
    ],
)
def test_typer_usage_errors_exit_2(tmp_path: Path, args: list[str]) -> None:
    assert run_cli(tmp_path, *args).exit_code == 2


def test_the_schedule_group_lists_its_commands(tmp_path: Path) -> None:
    result = run_cli(tmp_path, "schedule", "--help")

    assert result.exit_code == 0
    for command in ["set", "list", "show", "rm"]:
        assert command in result.stdout


def test_schedules_table_shows_expression_zone_and_firings() -> None:
    text = rendered(schedules_table([NIGHTLY, NEVER_FIRED], UTC))

    for word in ["name", "cron", "timezone", "next firing", "last firing"]:
        assert word in text
    nightly, weekly = (line for line in text.splitlines() if "nightly" in line or "weekly" in line)
    assert "0 3 * * *" in nightly and "Europe/Berlin" in nightly
    assert "2025-01-02 02:00:00" in nightly and "2025-01-01 02:00:00" in nightly
    assert "0 9 * * MON" in weekly and "never" in weekly


def test_schedule_view_shows_firings_the_last_task_and_the_data() -> None:
    text = rendered(schedule_view(NIGHTLY, UTC))

    assert "0 3 * * *  (Europe/Berlin)" in text
    assert "sales report" in text
    assert "2025-01-02 02:00:00" in text
    assert "01941f0e5a8012ab34cd56ef7890" in text
    assert '"report": "sales"' in text


def test_a_schedule_that_never_fired_says_so() -> None:
    text = rendered(schedule_view(NEVER_FIRED, UTC))

    assert "never" in text
    assert "last task" not in text
