"""The CLI's task filters: ages and times as epoch ms, and which options make query parameters."""

from datetime import UTC, datetime

import pytest
from cli_support import rendered

from aloma_core.cli.bulk import BulkTotals
from aloma_core.cli.errors import UsageProblem
from aloma_core.cli.task_counts import counts_table
from aloma_core.cli.task_filters import Filters, epoch_ms

NOW = datetime(2025, 1, 31, 12, 0, tzinfo=UTC)
NOW_MS = int(NOW.timestamp() * 1000)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1h", NOW_MS - 3_600_000),
        ("30s", NOW_MS - 30_000),
        ("2025-01-31", NOW_MS - 12 * 3_600_000),
        ("2025-01-31T13:00:00+01:00", NOW_MS),
    ],
)
def test_an_age_or_a_time_is_epoch_ms(text: str, expected: int) -> None:
    assert epoch_ms(text, "--since", NOW) == expected


@pytest.mark.parametrize("text", ["yesterday", "1w", ""])
def test_anything_else_is_a_usage_problem_naming_the_option(text: str) -> None:
    with pytest.raises(UsageProblem, match="--until"):
        epoch_ms(text, "--until", NOW)


def test_only_given_filters_become_parameters() -> None:
    assert Filters().params(NOW) == {}
    assert not Filters().given
    params = Filters(name="n", step="s", since="1h", search='"a":1').params(NOW)
    assert params == {"name": "n", "step": "s", "created_after": NOW_MS - 3_600_000, "q": '"a":1'}


def test_counts_table_lists_every_state_and_the_total() -> None:
    text = rendered(counts_table({"counts": {"running": 2, "error": 0}, "total": 2, "exact": True}))
    assert "running" in text and "error" in text and "total" in text and "at least" not in text
    assert "at least" in rendered(counts_table({"counts": {}, "total": 5, "exact": False}))


def test_bulk_summary_names_the_action() -> None:
    totals = BulkTotals(changed=["a", "b"], skipped=[{"id": "c", "reason": "done"}])
    assert totals.summary("resume") == "resumed 2, skipped 1"
    assert totals.summary("rerun") == "rerun 2, skipped 1"
