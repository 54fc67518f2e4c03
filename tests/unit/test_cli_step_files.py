"""Step files on disk: which files are steps, what they are called, where pulled steps go."""

from pathlib import Path

import pytest
from cli_support import rendered

from aloma_core.cli.errors import UsageProblem
from aloma_core.cli.render import sync_summary
from aloma_core.cli.sync import Outcome, StepFile, StepOutcome, SyncReport, step_file_path, step_files


def test_every_js_file_is_a_step_named_by_its_stem(tmp_path: Path) -> None:
    for name in ["validate email.js", "a.b.js", "README.md", "notes.js.bak", "add to crm.js"]:
        (tmp_path / name).write_text("x")
    (tmp_path / "folder.js").mkdir()
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "nested.js").write_text("x")

    files = step_files(tmp_path)

    assert files == [
        StepFile("a.b", tmp_path / "a.b.js"),
        StepFile("add to crm", tmp_path / "add to crm.js"),
        StepFile("validate email", tmp_path / "validate email.js"),
    ]


def test_an_editor_lock_link_to_nowhere_is_not_a_step(tmp_path: Path) -> None:
    (tmp_path / "real.js").write_text("x")
    (tmp_path / ".#real.js").symlink_to(tmp_path / "gone")

    assert [f.name for f in step_files(tmp_path)] == ["real"]


def test_a_missing_directory_is_a_usage_problem(tmp_path: Path) -> None:
    with pytest.raises(UsageProblem, match="not a directory"):
        step_files(tmp_path / "nope")


def test_pulled_step_files_are_named_after_the_step(tmp_path: Path) -> None:
    assert step_file_path(tmp_path, "validate email") == tmp_path / "validate email.js"


@pytest.mark.parametrize("name", ["", "..", ".", "../escape", "a/b", "a\\b", "nul\x00"])
def test_a_step_name_that_would_leave_the_directory_is_refused(tmp_path: Path, name: str) -> None:
    with pytest.raises(UsageProblem, match="cannot be a file name"):
        step_file_path(tmp_path, name)


REPORT = SyncReport(
    [
        StepOutcome("add to crm", Outcome.CREATED, 1),
        StepOutcome(
            "broken", Outcome.REFUSED, message="line 3: SyntaxError (invalid_step)", path=Path("broken.js")
        ),
        StepOutcome("validate email", Outcome.UNCHANGED, 4),
        StepOutcome("welcome", Outcome.UPDATED, 2),
        StepOutcome("old", Outcome.DELETED),
    ]
)


def test_a_report_with_a_refusal_is_not_ok() -> None:
    assert not REPORT.ok
    assert SyncReport([StepOutcome("a", Outcome.CREATED, 1)]).ok
    assert SyncReport().ok


def test_report_lines_tally_every_outcome_and_leave_refusals_to_stderr() -> None:
    text = rendered(sync_summary(REPORT))

    assert text.splitlines() == [
        "created   add to crm (v1)",
        "unchanged validate email (v4)",
        "updated   welcome (v2)",
        "deleted   old",
        "5 steps: 1 created, 1 updated, 1 unchanged, 1 refused, 1 deleted",
    ]


def test_report_json_names_each_outcome() -> None:
    assert REPORT.to_json()["ok"] is False
    assert REPORT.results[1].to_json() == {
        "name": "broken",
        "outcome": "refused",
        "version": None,
        "message": "line 3: SyntaxError (invalid_step)",
        "path": "broken.js",
    }
