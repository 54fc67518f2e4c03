"""Exit code 2 paths: every one is caught before a request is sent (unit tests refuse sockets)."""

import json
from pathlib import Path

import pytest
from cli_support import one_error_line, run_cli


def test_without_a_key_the_cli_says_how_to_get_one(tmp_path: Path) -> None:
    result = run_cli(tmp_path, "step", "list", key=None)

    assert result.exit_code == 2
    assert "ALOMA_API_KEY" in one_error_line(result)


def test_a_url_without_scheme_is_a_usage_error(tmp_path: Path) -> None:
    result = run_cli(tmp_path, "task", "list", url="localhost:8000")

    assert result.exit_code == 2
    assert "http://" in one_error_line(result)


@pytest.mark.parametrize(
    ("args", "complaint"),
    [
        (["task", "new", "-d", "{not json"], "not valid JSON"),
        (["task", "new", "-d", "[1, 2]"], "must be a JSON object"),
        (["task", "new", "-d", '"text"'], "must be a JSON object"),
        (["task", "new"], "either -d JSON or -f FILE"),
        (["task", "new", "-d", "{}", "-f", "data.json"], "either -d JSON or -f FILE"),
        (["task", "new", "-f", "missing.json"], "cannot read task data file"),
        (["connector", "set", "crm", "--type", "remote", "--config", "[]"], "--config must be a JSON object"),
        (["webhook", "add", "gh", "--scheme", "github"], "--signing-secret and --scheme go together"),
        (["webhook", "add", "gh", "--signing-secret", "GH"], "--signing-secret and --scheme go together"),
        (["webhook", "add", "gh", "--header", "X-Sig"], "needs --signing-secret and --scheme"),
        (["step", "sync", "no-such-dir"], "is not a directory"),
        (["step", "sync", "empty", "--prune"], "refusing to --prune"),
        (["dev", "no-such-dir"], "is not a directory"),
        (["logs"], "no local log"),
    ],
)
def test_bad_local_input_exits_2_with_one_line(tmp_path: Path, args: list[str], complaint: str) -> None:
    (tmp_path / "empty").mkdir()

    result = run_cli(tmp_path, *args)

    assert result.exit_code == 2
    assert complaint in one_error_line(result)
    assert result.stdout == ""


def test_task_data_file_must_hold_an_object(tmp_path: Path) -> None:
    (tmp_path / "data.json").write_text(json.dumps([1]))

    result = run_cli(tmp_path, "task", "new", "-f", "data.json")

    assert result.exit_code == 2
    assert "data.json must be a JSON object" in one_error_line(result)


@pytest.mark.parametrize(
    "args",
    [
        ["nonsense"],
        ["task", "list", "--state", "finished"],
        ["task", "list", "--limit", "0"],
        ["task", "show"],
        ["logs", "--since", "5 weeks"],
        ["logs", "--since", "1.5h"],
        ["connector", "set", "crm", "--config", "{}"],
        ["webhook", "add", "gh", "--signing-secret", "GH", "--scheme", "md5"],
        ["webhook", "add", "gh", "--rate-limit", "0"],
        ["webhook", "delete"],
        ["dev", "--port", "70000"],
    ],
)
def test_typer_usage_errors_exit_2(tmp_path: Path, args: list[str]) -> None:
    result = run_cli(tmp_path, *args)

    assert result.exit_code == 2
    assert "Traceback" not in result.output


def test_no_arguments_prints_help(tmp_path: Path) -> None:
    result = run_cli(tmp_path)

    assert "step" in result.output
    assert "task" in result.output
