"""`aloma schedule` as a user runs it: a subprocess talking HTTP to the real app on a local home."""

import time
from dataclasses import replace

import pytest
from e2e_support import Server
from test_cli_e2e import Cli, error_line


@pytest.fixture
def cli(server: Server, tmp_path_factory: pytest.TempPathFactory) -> Cli:
    """The CLI with the key of a fresh workspace, run in an empty directory."""
    with server.admin() as admin:
        created = admin.post("/v1/workspaces", json={"name": "schedules"})
    assert created.status_code == 201, created.text
    return Cli(server.url, created.json()["api_key"], tmp_path_factory.mktemp("cli"))


def test_set_list_show_and_rm(cli: Cli) -> None:
    (cli.cwd / "data.json").write_text('{"report": "costs"}')

    set_out = cli.ok(
        "schedule", "set", "nightly", "--cron", "0 3 * * *", "--timezone", "Europe/Berlin",
        "-d", '{"report": "sales"}', "--task-name", "sales report",
    )  # fmt: skip
    from_file = cli.json("schedule", "set", "weekly", "--cron", "0 9 * * MON", "-f", "data.json")
    listed = cli.ok("schedule", "list")
    shown = cli.ok("schedule", "show", "nightly")
    as_json = cli.json("schedule", "show", "nightly")

    assert set_out.startswith("schedule nightly set; next firing ")
    assert from_file["data"] == {"report": "costs"}
    assert from_file["timezone"] == "UTC"
    assert from_file["task_name"] == "weekly"
    assert "0 3 * * *" in listed and "Europe/Berlin" in listed and "never" in listed
    assert "0 9 * * MON" in listed
    assert "sales report" in shown and '"report": "sales"' in shown
    assert as_json["cron"] == "0 3 * * *"
    assert as_json["task_name"] == "sales report"
    assert as_json["next_fire_at"].endswith(":00:00.000Z")
    assert [s["name"] for s in cli.json("schedule", "list")["schedules"]] == ["nightly", "weekly"]

    assert cli.ok("schedule", "rm", "nightly") == "schedule nightly removed\n"
    assert [s["name"] for s in cli.json("schedule", "list")["schedules"]] == ["weekly"]


def test_refusals_by_the_server_exit_1_with_one_line(cli: Cli) -> None:
    bad_cron = cli("schedule", "set", "nightly", "--cron", "61 * * * *")
    bad_zone = cli("schedule", "set", "nightly", "--cron", "0 3 * * *", "--timezone", "Mars/Olympus")
    unknown = cli("schedule", "show", "nope")
    gone = cli("schedule", "rm", "nope")

    for result in (bad_cron, bad_zone, unknown, gone):
        assert result.returncode == 1
        assert result.stdout == ""
        assert "Traceback" not in result.stderr
    assert error_line(bad_cron).startswith("error: cron: ")
    assert error_line(bad_cron).endswith("(invalid_input)")
    assert error_line(bad_zone).startswith("error: timezone: ")
    assert error_line(unknown).endswith("(not_found)")
    assert error_line(gone).endswith("(not_found)")


def test_a_due_schedule_is_fired_by_the_local_home_and_show_names_its_task(cli: Cli, server: Server) -> None:
    cli.ok("schedule", "set", "nightly", "--cron", "0 3 * * *", "-d", '{"report": "sales"}')
    home = server.home
    assert cli.key is not None
    workspace = home.platform.authenticate(cli.key)
    stored = home.schedules.get(workspace.id, "nightly")
    home.schedules.put(replace(stored, next_fire_at=home.clock.now_ms() - 1000))

    deadline = time.monotonic() + 30
    while (schedule := cli.json("schedule", "show", "nightly"))["last_task_id"] is None:
        assert time.monotonic() < deadline, "the local home did not fire the due schedule"
        time.sleep(0.2)

    task = cli.json("task", "show", schedule["last_task_id"])
    assert task["name"] == "nightly"
    assert task["data"]["report"] == "sales"
    assert task["data"]["$via"]["type"] == "schedule"
    assert task["data"]["$via"]["name"] == "nightly"
    assert schedule["next_fire_at"] > schedule["last_fired_at"]
    assert schedule["last_task_id"] in cli.ok("schedule", "show", "nightly")
