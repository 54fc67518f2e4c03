"""Helpers for the CLI unit tests: run `aloma` in a given directory and read Rich output as text."""

import contextlib
import io
from pathlib import Path

from rich.console import Console, RenderableType
from typer.testing import CliRunner, Result

from aloma_core.cli.main import app


def run_cli(
    cwd: Path, *args: str, key: str | None = "test-key", url: str | None = None, stdin: str | None = None
) -> Result:
    """`aloma ARGS` in `cwd`, with only the ALOMA_* variables the test names."""
    env = {"ALOMA_API_KEY": key, "ALOMA_URL": url, "ALOMA_LOG_GROUPS": None, "COLUMNS": "200"}
    with contextlib.chdir(cwd):
        return CliRunner().invoke(app, list(args), env=env, input=stdin, catch_exceptions=False)


def rendered(renderable: RenderableType) -> str:
    console = Console(file=io.StringIO(), width=200, record=True, color_system=None)
    console.print(renderable)
    return console.export_text()


def one_error_line(result: Result) -> str:
    """Errors are a single `error: ...` line on stderr; return its text after the prefix."""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ")
    return lines[0].removeprefix("error: ")
