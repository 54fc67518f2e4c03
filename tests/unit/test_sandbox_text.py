"""Text a run hands back (log and audit lines, error messages) is encodable and keeps secrets masked."""

from sandbox_support import FAST, messages, ok, run_body

from aloma_core.limits import LOG, Limits


def test_a_lone_surrogate_becomes_the_replacement_character() -> None:
    result = ok(run_body("console.log('a\\ud800b');\naudit.log('c\\udc00d');"))
    assert messages(result) == ["a\ufffdb"]
    assert result.audit == ["c\ufffdd"]
    failed = run_body("throw new Error('e\\ud800');")
    assert failed.error is not None
    assert failed.error.message == "Error: e\ufffd"


def test_a_surrogate_pair_stays_the_character_it_encodes() -> None:
    result = ok(run_body("console.log('\\ud83d\\ude00 ok');"))
    assert messages(result) == ["\U0001f600 ok"]


def test_one_huge_log_line_costs_the_run_little_cpu_time() -> None:
    limits = Limits(log_bytes=1024, cpu_time_ms=FAST.cpu_time_ms)
    result = run_body("console.log('x'.repeat(5e6));", limits=limits)
    assert result.error is not None
    assert result.error.limit == LOG
    assert result.cpu_ms < FAST.cpu_time_ms / 2
    *kept, marker = result.logs
    assert [len(line.message) for line in kept] == [1023]
    assert LOG in marker.message


def test_a_secret_cut_by_the_log_limit_is_masked_not_half_shown() -> None:
    secret = "s3cret-value-123"
    body = "console.log('x'.repeat(1020) + task.config('TOKEN') + 'y'.repeat(100000));"
    result = run_body(body, limits=Limits(log_bytes=1024), config={"TOKEN": secret})
    assert result.error is not None and result.error.limit == LOG
    kept = messages(result)[0]
    assert kept == "x" * 1020 + "***"
    assert "s3c" not in "".join(messages(result))
