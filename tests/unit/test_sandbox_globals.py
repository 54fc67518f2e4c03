"""The globals of semantics.md section 4 as a step's content sees them, and what a run hands back."""

import pytest
from sandbox_support import FakeHost, messages, ok, run_body, run_source, step_file

from aloma_core.changes import Change
from aloma_core.sandbox.types import SubtaskRequest, TaskActions


def test_data_is_a_mutable_copy_and_the_result_is_its_changes() -> None:
    given = {"customer": {"email": "a@b.c"}, "drop": 1}
    result = ok(run_body("data.customer.validated = true;\ndelete data.drop;\ndata.list = [1, 2];", given))
    assert given == {"customer": {"email": "a@b.c"}, "drop": 1}
    assert result.data == {"customer": {"email": "a@b.c", "validated": True}, "list": [1, 2]}
    assert result.changes == [
        Change("delete", ("drop",)),
        Change("set", ("customer", "validated"), True),
        Change("set", ("list",), [1, 2]),
    ]


def test_data_may_be_replaced_by_another_object() -> None:
    result = ok(run_body("data = { fresh: 1 };", {"old": 1}))
    assert result.data == {"fresh": 1}


@pytest.mark.parametrize(("value", "kind"), [("5", "number"), ("[1]", "an array"), ("null", "null")])
def test_data_replaced_by_a_non_object_fails_clearly(value: str, kind: str) -> None:
    result = run_body(f"data = {value};", {"a": 1})
    assert result.error is not None
    assert "`data` must stay a JSON object" in result.error.message
    assert kind in result.error.message
    assert result.data is None
    assert result.changes == []


def test_integers_beyond_double_precision_left_alone_are_no_change() -> None:
    result = ok(run_body("data.touched = true;", {"id": 1234567890123456789, "big": 2**60}))
    assert result.changes == [Change("set", ("touched",), True)]


def test_integers_come_back_as_integers() -> None:
    result = ok(run_body("data.n = 1; data.f = 1.5; data.neg = -0;"))
    assert result.data == {"n": 1, "f": 1.5, "neg": 0}
    assert isinstance(result.data["n"], int)


def test_task_metadata() -> None:
    result = ok(
        run_body(
            "data.id = task.id(); data.name = task.name(); data.tags = task.tags();\n"
            "data.key = task.config('KEY'); data.missing = typeof task.config('NOPE');",
            config={"KEY": "value"},
            tags=("a", "b"),
        )
    )
    assert result.data == {
        "id": "task-1",
        "name": "onboarding",
        "tags": ["a", "b"],
        "key": "value",
        "missing": "undefined",
    }


def test_task_name_and_tags_can_be_changed() -> None:
    result = ok(
        run_body(
            "task.name('renamed'); task.tags(['x']);\n"
            "const tags = task.tags(); tags.push('not kept');\n"
            "data.seen = [task.name(), task.tags()];"
        )
    )
    assert result.data == {"seen": ["renamed", ["x"]]}
    assert result.actions.name == "renamed"
    assert result.actions.tags == ["x"]


def test_task_actions_are_reported() -> None:
    result = ok(
        run_body(
            "task.complete({ total: 3 });\n"
            "task.timeout(60000); task.completeOnExpire({ expired: true });\n"
            "task.park(1500.4);\n"
            "task.subtask('child', { a: 1 }, { into: 'child.result', waitFor: true });\n"
            "task.subtask(undefined, { b: 2 });"
        )
    )
    assert result.actions == TaskActions(
        complete=True,
        result={"total": 3},
        timeout_ms=60000,
        complete_on_expire=True,
        expire_result={"expired": True},
        park_ms=1500,
        subtasks=[
            SubtaskRequest("child", {"a": 1}, "child.result", True),
            SubtaskRequest(None, {"b": 2}, None, False),
        ],
    )


def test_task_ignore_and_complete_without_result() -> None:
    result = ok(run_body("task.ignore(); task.complete();"))
    assert result.actions.ignore
    assert result.actions.complete
    assert result.actions.result is None


def test_task_result_is_taken_when_complete_is_called() -> None:
    result = ok(run_body("const r = { n: 1 }; task.complete(r); r.n = 2;"))
    assert result.actions.result == {"n": 1}


@pytest.mark.parametrize(
    ("call", "message"),
    [
        ("task.tags('a')", "task.tags(tags) takes an array of strings"),
        ("task.name(5)", "task.name(name) takes a string"),
        ("task.timeout(-1)", "task.timeout(ms) takes a number of milliseconds from 0"),
        ("task.park(400 * 24 * 3600 * 1000)", "task.park(ms) takes a number of milliseconds from 0 to"),
        ("task.park('soon')", "task.park(ms) takes a number"),
        ("task.subtask('x', {}, {waitfor: true})", 'unknown option "waitfor" (into, waitFor)'),
        ("task.subtask('x', {}, {into: 'a..b'})", "`into` must be a dotted path"),
        ("task.subtask('x', [1])", "data must be an object"),
        ("task.complete({ n: 1n })", "task.complete(result) must be JSON"),
    ],
)
def test_task_calls_check_their_arguments(call: str, message: str) -> None:
    result = run_body(f"{call};")
    assert result.error is not None
    assert message in result.error.message
    assert result.error.line == 3


def test_step_name_and_redo() -> None:
    result = ok(run_body("data.step = step.name(); step.redo();"))
    assert result.data == {"step": "validate email"}
    assert result.redo


def test_a_failed_run_has_no_actions_and_no_redo() -> None:
    result = run_body("task.complete(); step.redo(); throw new Error('no');")
    assert result.actions == TaskActions()
    assert not result.redo


def test_console_prints_like_node_with_objects_as_json() -> None:
    result = ok(
        run_body(
            "console.log('text', 42, -0, 1.5, true, null, undefined, 10n, { a: [1, 'x'] }, [1, { b: 2 }]);\n"
            "console.log(function named() {}, () => 1, Symbol('s'), new Date(0));\n"
            "const loop = { name: 'loop' }; loop.self = loop; console.log(loop);\n"
            "console.log('%s is %d years and %i days, %j %%', 'Ann', 42.5, 3.9, { x: 1 }, 'extra');\n"
            "console.log();"
        )
    )
    assert messages(result) == [
        'text 42 -0 1.5 true null undefined 10n {"a":[1,"x"]} [1,{"b":2}]',
        "[Function: named] [Function (anonymous)] Symbol(s) 1970-01-01T00:00:00.000Z",
        '{"name":"loop","self":"[Circular]"}',
        'Ann is 42.5 years and 3 days, {"x":1} % extra',
        "",
    ]


def test_console_prints_errors_with_their_frames_in_the_step_file() -> None:
    result = ok(run_body("try {\n  null.x;\n} catch (e) {\n  console.error(e);\n}"))
    assert result.logs[0].level == "error"
    assert result.logs[0].message.splitlines() == [
        "TypeError: cannot read property 'x' of null",
        "    at content (validate email:4:3)",
    ]


def test_console_levels_one_line_per_call() -> None:
    result = ok(run_body("console.log('a'); console.info('b'); console.warn('c'); console.error('d', 'e');"))
    assert [(line.level, line.message) for line in result.logs] == [
        ("log", "a"),
        ("info", "b"),
        ("warn", "c"),
        ("error", "d e"),
    ]


def test_audit_lines() -> None:
    result = ok(run_body("audit.log('approved by', 'Ann'); audit.log({ id: 7 });"))
    assert result.audit == ["approved by Ann", '{"id":7}']


def test_logs_and_audit_are_kept_when_the_run_fails() -> None:
    result = run_body("console.log('before'); audit.log('noted'); throw new Error('after');", {"a": 1})
    assert result.error is not None
    assert result.data is None
    assert result.changes == []
    assert messages(result) == ["before"]
    assert result.audit == ["noted"]


def test_config_values_are_masked_in_logs_audit_and_errors() -> None:
    secret = 's3cr"t-token'
    result = run_body(
        "const token = task.config('TOKEN');\n"
        "console.log('token', token, { token });\n"
        "audit.log('used ' + token);\n"
        "data.copy = token;\n"
        "throw new Error('bad token ' + token);",
        config={"TOKEN": secret, "EMPTY": ""},
    )
    assert messages(result) == ['token *** {"token":"***"}']
    assert result.audit == ["used ***"]
    assert result.error is not None
    assert result.error.message == "Error: bad token ***"


def test_nothing_survives_into_the_next_run() -> None:
    ok(
        run_body(
            "Object.prototype.polluted = 'yes'; globalThis.leftover = 1; Array.prototype.push = null;\n"
            "JSON.stringify = () => 'broken';"
        )
    )
    result = ok(run_body("data.seen = [typeof ({}).polluted, typeof leftover, typeof [].push];"))
    assert result.data == {"seen": ["undefined", "undefined", "function"]}


def test_a_step_that_breaks_builtins_still_gets_its_data_and_log_back() -> None:
    result = ok(run_body("JSON.stringify = () => 'broken'; JSON.parse = null; console.log('x'); data.a = 1;"))
    assert result.data == {"a": 1}
    assert messages(result) == ["x"]


@pytest.mark.parametrize(
    "expression",
    ["typeof require", "typeof process", "typeof std", "typeof os", "typeof fetch", "typeof XMLHttpRequest"],
)
def test_no_host_access(expression: str) -> None:
    result = ok(run_body(f"data.kind = {expression};"))
    assert result.data == {"kind": "undefined"}


def test_import_at_run_time_is_refused_with_its_line() -> None:
    result = run_source(step_file("  await import('os');"))
    assert result.error is not None
    assert "import() is not available" in result.error.message
    assert result.error.line == 3


def test_eval_of_import_still_cannot_load_a_module() -> None:
    result = run_body("await eval(\"import('os')\");")
    assert result.error is not None
    assert "could not load module" in result.error.message


def test_content_that_awaits_forever_fails_at_once() -> None:
    result = run_body("await new Promise(() => {});")
    assert result.error is not None
    assert "never finished" in result.error.message
    assert result.wall_ms < 1000


def test_a_non_error_throw_is_reported() -> None:
    result = run_body("throw { code: 42 };")
    assert result.error is not None
    assert result.error.message == 'Uncaught {"code":42}'


def test_the_source_is_the_step_file_so_content_must_be_a_function() -> None:
    result = run_source("export const condition = {};\nexport const content = 3;\n")
    assert result.error is not None
    assert "does not export a `content` function" in result.error.message


def test_cpu_and_wall_time_are_measured() -> None:
    result = ok(run_body("let x = 0; for (let i = 0; i < 1e6; i++) x += i; data.x = x;"))
    assert result.cpu_ms > 1
    assert result.wall_ms >= result.cpu_ms * 0.5


def test_every_run_gets_its_own_source_of_randomness() -> None:
    source = step_file("data.id = crypto.randomUUID();")
    first, second = (ok(run_source(source)).data for _ in range(2))
    assert first != second


def test_hosts_are_not_called_without_connector_calls() -> None:
    host = FakeHost()
    ok(run_body("data.a = 1;", host=host))
    assert host.calls == []
