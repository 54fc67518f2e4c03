"""`aloma logs` argument handling for CloudWatch Logs, without AWS: which groups are read, and
which mistakes are bad usage (exit 2) before any AWS client exists."""

from pathlib import Path

import pytest
from cli_support import one_error_line, run_cli

from aloma_core.cli.commands.logs import GROUPS_VARIABLE, log_groups
from aloma_core.cli.errors import UsageProblem

API = "/aws/lambda/aloma-ApiFunction-1A2B3C"
RUN = "/aws/lambda/aloma-RunStepFunction-4D5E6F"


@pytest.mark.parametrize(
    ("options", "variable", "expected"),
    [
        ([], None, []),
        ([], "", []),
        ([], " , ", []),
        ([], f"{API},{RUN}", [API, RUN]),
        ([], f" {API} , {RUN} ,", [API, RUN]),
        ([], f"{API},{RUN},{API}", [API, RUN]),
        ([RUN], f"{API}", [RUN]),
        ([RUN, API, RUN], None, [RUN, API]),
    ],
)
def test_groups_come_from_the_options_else_the_stack_output(
    options: list[str], variable: str | None, expected: list[str]
) -> None:
    environ = {} if variable is None else {GROUPS_VARIABLE: variable}

    assert log_groups(options, environ) == expected


@pytest.mark.parametrize("name", ["has space", "aloma:api", "x" * 513, "ünïcode"])
def test_a_name_cloudwatch_would_refuse_is_bad_usage(name: str) -> None:
    with pytest.raises(UsageProblem, match="is not a log group name"):
        log_groups([name], {})
    with pytest.raises(UsageProblem, match="is not a log group name"):
        log_groups([], {GROUPS_VARIABLE: f"{API},{name}"})


def test_an_empty_option_is_bad_usage() -> None:
    with pytest.raises(UsageProblem, match="needs a log group name"):
        log_groups([API, ""], {})


@pytest.mark.parametrize(
    "args",
    [
        ("--log-group", "no spaces allowed"),
        ("--log-group", API, "--log-group", ""),
    ],
)
def test_aloma_logs_refuses_bad_group_names_with_exit_2(
    args: tuple[str, ...], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(GROUPS_VARIABLE, raising=False)
    result = run_cli(tmp_path, "logs", *args, key=None)

    assert result.exit_code == 2
    assert "log group name" in one_error_line(result)


def test_a_bad_since_is_exit_2_on_aws_too(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(GROUPS_VARIABLE, API)
    result = run_cli(tmp_path, "logs", "--since", "1w", key=None)

    assert result.exit_code == 2
    assert "30s, 15m, 1h or 2d" in result.stderr


def test_a_blank_variable_means_the_local_log(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(GROUPS_VARIABLE, " ")
    result = run_cli(tmp_path, "logs", key=None)

    assert result.exit_code == 2
    assert one_error_line(result).startswith("no local log at ")
