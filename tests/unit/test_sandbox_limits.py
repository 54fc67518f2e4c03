"""Runaway code is stopped by the limits of semantics.md section 7, each named in the error."""

import time

import pytest
from sandbox_support import FAST, HEAD, FakeHost, messages, ok, run_body, run_source, step_file

from aloma_core.limits import CPU_TIME, LOG, MEMORY, MIB, STACK, TASK_SIZE, WALL_TIME, Limits
from aloma_core.sandbox.types import RunResult

# What a CPU-limit breach may overshoot the limit by: QuickJS checks its clock every few thousand
# operations, and the sandbox's own setup counts too.
CPU_MARGIN_MS = 50


def failed_on(result: RunResult, limit: str) -> None:
    assert result.error is not None
    assert result.error.limit == limit, result.error
    assert limit in result.error.message
    assert result.data is None
    assert result.changes == []


@pytest.mark.parametrize(
    "body",
    [
        "while (true) {}",
        "for (;;) { try { while (true) {} } catch (e) {} }",
        "for (;;) { await null; }",
        "const spin = async () => { for (;;) await Promise.resolve(); }; await spin();",
    ],
    ids=["loop", "loop-catching", "microtask-loop", "promise-loop"],
)
def test_cpu_limit_stops_a_loop_within_a_small_margin(body: str) -> None:
    """The whole run, setup included, costs this process little more CPU than the budget (CPU, not
    wall time: a busy machine delays the run without making it spend more)."""
    started = time.process_time()
    result = run_body(body)
    failed_on(result, CPU_TIME)
    assert FAST.cpu_time_ms <= result.cpu_ms < FAST.cpu_time_ms + CPU_MARGIN_MS
    assert time.process_time() - started < (FAST.cpu_time_ms + 200) / 1000


def test_catch_and_finally_do_not_run_once_the_cpu_limit_stops_a_loop() -> None:
    body = "try { while (true) {} } catch (e) { console.log('catch'); } finally { console.log('finally'); }"
    result = run_body(body)
    failed_on(result, CPU_TIME)
    assert messages(result) == []


def test_catch_and_finally_run_for_an_ordinary_error() -> None:
    body = "try { null.x; } catch (e) { console.log('catch'); } finally { console.log('finally'); }"
    assert messages(ok(run_body(body))) == ["catch", "finally"]


@pytest.mark.parametrize("prototype", ["Object.prototype", "Array.prototype"])
def test_a_to_json_getter_planted_on_a_prototype_does_not_cost_the_log(prototype: str) -> None:
    """The sandbox reads the log on its own budget after the run: none of the step's code may run then."""
    body = (
        "console.log('kept');\naudit.log('noted');\ntask.complete({ a: [1] });\n"
        f"Object.defineProperty({prototype}, 'toJSON', {{ get() {{ for (;;) {{}} }} }});\n"
        f"Object.freeze({prototype});"
    )
    result = run_body(body)
    failed_on(result, CPU_TIME)
    assert messages(result) == ["kept"]
    assert result.audit == ["noted"]


def test_a_to_json_method_on_a_logged_object_still_shapes_its_line() -> None:
    result = ok(run_body("console.log({ toJSON: () => 'shaped' });\nconsole.log([1, { b: 2 }]);"))
    assert messages(result) == ['"shaped"', '[1,{"b":2}]']


def test_cpu_limit_names_a_line_near_the_loop() -> None:
    """QuickJS records no position inside `while (true) {}`: the line is the last one it recorded."""
    result = run_body("data.a = 1;\nwhile (true) {}")
    failed_on(result, CPU_TIME)
    assert result.error is not None
    assert result.error.line in (3, 4)


def test_cpu_limit_counts_across_callbacks() -> None:
    """Each callback is short; together they exceed the budget (the clock restarts at every job)."""
    body = "const burn = () => { const end = Date.now() + 20; while (Date.now() < end) {} };\n"
    body += "for (;;) { burn(); await null; }"
    result = run_body(body)
    failed_on(result, CPU_TIME)


def test_cpu_limit_stops_a_loop_at_the_top_of_the_module() -> None:
    result = run_source(HEAD + "while (true) {}\n")
    failed_on(result, CPU_TIME)


def test_a_big_allocation_stops_with_the_memory_limit() -> None:
    result = run_body("const big = new ArrayBuffer(100 * 1024 * 1024);\ndata.size = big.byteLength;")
    failed_on(result, MEMORY)
    assert result.error is not None
    assert result.error.line == 3


def test_growing_memory_stops_with_the_memory_limit() -> None:
    body = "const all = [];\nwhile (true) all.push('x'.repeat(1000) + all.length);"
    result = run_body(body, limits=Limits(cpu_time_ms=5000))
    failed_on(result, MEMORY)


def test_memory_running_out_while_the_error_is_described_names_the_memory_limit() -> None:
    """Millions of empty log lines in a log limit big enough for them: memory runs out first."""
    limits = Limits(cpu_time_ms=3000, memory_bytes=16 * MIB, log_bytes=16 * MIB)
    result = run_body("for (let i = 0; i < 1e7; i++) console.log('');", limits=limits)
    failed_on(result, MEMORY)


def test_deep_recursion_stops_with_the_stack_limit() -> None:
    result = run_body("const down = (n) => n === 0 ? 0 : 1 + down(n - 1);\ndata.depth = down(10000);")
    failed_on(result, STACK)
    assert result.error is not None
    assert result.error.line == 3


def test_recursion_within_the_stack_limit_is_fine() -> None:
    result = ok(run_body("const down = (n) => n === 0 ? 0 : 1 + down(n - 1);\ndata.depth = down(100);"))
    assert result.data == {"depth": 100}


def test_a_caught_stack_overflow_is_the_steps_business() -> None:
    body = "const down = (n) => 1 + down(n + 1);\n"
    body += "try { down(0); } catch (e) { data.caught = e instanceof RangeError; }"
    assert ok(run_body(body)).data == {"caught": True}


def test_wall_time_limit_stops_a_slow_connector_call() -> None:
    host = FakeHost(delays={"slow.call": 5.0})
    started = time.perf_counter()
    result = run_body("await connectors.slow.call();", host=host, limits=Limits(wall_time_ms=200))
    failed_on(result, WALL_TIME)
    assert time.perf_counter() - started < 2.5  # far from the call's 5 s, even on a busy machine


def test_wall_time_limit_stops_a_long_timer() -> None:
    started = time.perf_counter()
    body = "await new Promise((resolve) => setTimeout(resolve, 60000));"
    result = run_body(body, limits=Limits(wall_time_ms=200))
    failed_on(result, WALL_TIME)
    assert 0.2 <= time.perf_counter() - started < 5  # far from the timer's 60 s


def test_wall_time_limit_stops_cpu_work_when_it_is_the_smaller_limit() -> None:
    result = run_body("while (true) {}", limits=Limits(cpu_time_ms=5000, wall_time_ms=150))
    failed_on(result, WALL_TIME)


def test_log_limit_truncates_with_a_marker_and_fails_the_run() -> None:
    body = "for (let i = 0; ; i++) console.log('line ' + i + ' ' + 'x'.repeat(100));"
    result = run_body(body, limits=Limits(log_bytes=1024))
    failed_on(result, LOG)
    assert result.error is not None
    assert result.error.line == 3
    *kept, marker = result.logs
    assert sum(len(line.message.encode()) + 1 for line in kept) == 1024
    assert kept[0].message.startswith("line 0 ")
    assert LOG in marker.message


def test_log_limit_holds_when_the_step_catches_the_error() -> None:
    body = "for (let i = 0; i < 100; i++) { try { console.log('x'.repeat(100)); } catch (e) {} }\n"
    body += "data.done = true;"
    result = run_body(body, limits=Limits(log_bytes=1024))
    failed_on(result, LOG)
    assert len(result.logs) == 12


def test_log_limit_counts_bytes_not_characters() -> None:
    result = run_body("console.log('é'.repeat(600));", limits=Limits(log_bytes=1024))
    failed_on(result, LOG)
    assert result.logs[0].message == "é" * 511


def test_log_just_under_the_limit_is_fine() -> None:
    result = ok(run_body("console.log('x'.repeat(1023));", limits=Limits(log_bytes=1024)))
    assert messages(result) == ["x" * 1023]


def test_log_one_byte_over_the_limit_fails() -> None:
    result = run_body("console.log('x'.repeat(1024));", limits=Limits(log_bytes=1024))
    failed_on(result, LOG)


@pytest.mark.parametrize("write", ["console.log('')", "console.log()", "audit.log('')"])
def test_a_flood_of_empty_lines_fills_the_log_too(write: str) -> None:
    result = run_body(f"for (let i = 0; i < 1e6; i++) {write};", limits=Limits(log_bytes=1024))
    failed_on(result, LOG)
    assert len(result.logs if write.startswith("console") else result.audit) == 1024 + 1


def test_empty_lines_within_the_log_limit_are_kept() -> None:
    result = ok(run_body("for (let i = 0; i < 1024; i++) console.log('');", limits=Limits(log_bytes=1024)))
    assert messages(result) == [""] * 1024


def test_audit_lines_are_bounded_by_the_log_limit_too() -> None:
    result = run_body("for (;;) audit.log('x'.repeat(100));", limits=Limits(log_bytes=1024))
    failed_on(result, LOG)


def test_an_audit_line_past_the_log_limit_is_cut_with_a_marker() -> None:
    result = run_body(
        "audit.log('a'.repeat(100));\naudit.log('x'.repeat(1e6));", limits=Limits(log_bytes=1024)
    )
    failed_on(result, LOG)
    *kept, marker = result.audit
    assert kept == ["a" * 100, "x" * 922]
    assert LOG in marker


def test_audit_lines_just_under_the_log_limit_are_kept_whole() -> None:
    result = ok(
        run_body("audit.log('a'.repeat(22));\naudit.log('x'.repeat(1000));", limits=Limits(log_bytes=1024))
    )
    assert result.audit == ["a" * 22, "x" * 1000]


def test_task_size_limit() -> None:
    result = run_body("data.blob = 'x'.repeat(2048);", limits=Limits(task_data_bytes=2048))
    failed_on(result, TASK_SIZE)


def test_data_at_the_task_size_limit_is_fine() -> None:
    # {"blob":"..."} is 11 bytes of JSON around the string.
    ok(run_body("data.blob = 'x'.repeat(2048 - 11);", limits=Limits(task_data_bytes=2048)))


def test_a_limit_in_one_run_does_not_affect_the_next() -> None:
    failed_on(run_body("while (true) {}"), CPU_TIME)
    assert ok(run_source(step_file("data.ok = true;"))).data == {"ok": True}
