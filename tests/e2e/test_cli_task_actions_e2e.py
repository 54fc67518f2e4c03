"""`aloma task rerun|clone|resume|counts|list` with filters, as a user runs them against a local home."""

import json
from pathlib import Path

import pytest
from e2e_support import Server, Workspace
from test_cli_e2e import Cli, error_line

from lifecycle_scenarios import runs_of, step_file

FLAKY = step_file("{n: Number}", "throw new Error('broken');")
FIXED = step_file("{n: Number}", "data.fixed = true; task.complete(data.n);")


@pytest.fixture
def ws(server: Server) -> Workspace:
    return server.workspace("cli-actions")


@pytest.fixture
def cli(server: Server, ws: Workspace, tmp_path: Path) -> Cli:
    return Cli(server.url, ws.key, tmp_path)


def failed_tasks(ws: Workspace, count: int, name: str = "batch") -> list[str]:
    ws.put_step("flaky", FLAKY)
    task_ids = [ws.new_task({"n": n}, name=name) for n in range(count)]
    assert {ws.settle(task_id)["state"] for task_id in task_ids} == {"error"}
    return task_ids


def test_bulk_resume_loops_the_pages_and_prints_what_it_did(cli: Cli, ws: Workspace) -> None:
    task_ids = failed_tasks(ws, 3)
    ws.put_step("flaky", FIXED)

    result = cli("task", "resume", "--state", "error", "--step", "flaky")

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "resumed 3, skipped 0"
    assert [ws.settle(task_id)["state"] for task_id in task_ids] == ["done"] * 3


def test_bulk_resume_reports_what_it_skipped(cli: Cli, ws: Workspace) -> None:
    waiting = ws.new_task({"other": True}, name="solo")
    ws.settle(waiting)
    resumable = ws.new_task({"other": True}, name="solo")
    ws.settle(resumable)
    assert ws.cancel(waiting)[0] == 200
    assert cli.json("task", "resume", "--name", "solo", "--state", "done") == {"changed": [], "skipped": []}

    result = cli("task", "resume", "--name", "solo")

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "resumed 1, skipped 1"
    assert result.stderr.startswith(f"skipped {waiting}: ") and "cancelled" in result.stderr


def test_rerun_from_a_run_with_edited_data(cli: Cli, ws: Workspace, tmp_path: Path) -> None:
    [task_id] = failed_tasks(ws, 1)
    ws.put_step("flaky", FIXED)
    [run] = runs_of(ws.events(task_id), "flaky")
    edited = tmp_path / "data.json"
    edited.write_text(json.dumps({"n": 7}), encoding="utf-8")

    task = cli.json("task", "rerun", task_id, "--from", str(run["seq"]), "--data", str(edited))

    assert task["state"] == "running"
    settled = ws.settle(task_id)
    assert (settled["state"], settled["data"], settled["result"]) == ("done", {"n": 7, "fixed": True}, 7)


def test_bulk_rerun_by_state_and_step(cli: Cli, ws: Workspace) -> None:
    task_ids = failed_tasks(ws, 2, name="rerun-batch")
    ws.put_step("flaky", FIXED)
    result = cli("task", "rerun", "--state", "error", "--step", "flaky", "--name", "rerun-batch")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "rerun 2, skipped 0"
    assert [ws.settle(task_id)["result"] for task_id in task_ids] == [0, 1]


def test_rerun_of_a_cancelled_task_is_a_server_error_naming_clone(cli: Cli, ws: Workspace) -> None:
    task_id = ws.new_task({})
    ws.settle(task_id)
    assert ws.cancel(task_id)[0] == 200
    result = cli("task", "rerun", task_id)
    assert result.returncode == 1
    assert "clone" in error_line(result)


def test_clone_prints_the_new_id_and_takes_a_name(cli: Cli, ws: Workspace) -> None:
    source = ws.new_task({"a": 1}, name="original")
    clone_id = cli.ok("task", "clone", source, "--name", "copy").strip()
    assert clone_id != source
    clone = ws.task(clone_id)
    assert (clone["name"], clone["data"]) == ("copy", {"a": 1})
    assert ws.events(clone_id)[0]["cloned_from"] == source


def test_list_filters_and_counts(cli: Cli, ws: Workspace) -> None:
    failed_tasks(ws, 2, name="counted")
    other = ws.new_task({"plan": "pro"}, name="other")
    ws.settle(other)

    listed = cli.json("task", "list", "--name", "counted", "--since", "1h")
    assert {t["name"] for t in listed["tasks"]} == {"counted"} and len(listed["tasks"]) == 2
    assert [t["id"] for t in cli.json("task", "list", "--search", '"plan":"pro"')["tasks"]] == [other]
    assert cli.json("task", "list", "--until", "2000-01-01")["tasks"] == []
    counts = cli.json("task", "counts", "--step", "flaky", "--name", "counted")
    assert (counts["counts"]["error"], counts["total"]) == (2, 2)
    table = cli.ok("task", "counts", "--name", "counted")
    assert "error" in table and "total" in table


@pytest.mark.parametrize(
    ("args", "complaint"),
    [
        (["task", "resume", "some-id", "--state", "error"], "not both"),
        (["task", "resume"], "filters such as --state"),
        (["task", "rerun", "--state", "error", "--from", "3"], "give its ID"),
        (["task", "list", "--since", "yesterday"], "--since"),
    ],
)
def test_usage_problems_exit_2(cli: Cli, args: list[str], complaint: str) -> None:
    result = cli(*args)
    assert result.returncode == 2
    assert complaint in error_line(result)
