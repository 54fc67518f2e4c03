"""`lib.NAME`: the workspace's libraries in a run, loaded on first touch, with their own lines."""

from collections.abc import Mapping

import pytest
from sandbox_support import FAST, FakeHost, ok, step_file

from aloma_core.errors import LibraryFileError
from aloma_core.json_types import JsonObject
from aloma_core.sandbox.library import check_library
from aloma_core.sandbox.run import run_content
from aloma_core.sandbox.types import RunInput, RunResult

CRM = """// lib/crm.js: shared CRM helpers
export function fullName(customer) {
  return customer.first + " " + lib.text.upper(customer.last);
}

export const region = (country) => (country === "DE" ? "eu" : "us");

function guard(value) {
  if (!value) {
    throw new Error("no customer id");
  }
  return value;
}
export { guard as requireId };
"""
TEXT = "export function upper(value) {\n  return value.toUpperCase();\n}\n"
COUNTED = "globalThis.loads = (globalThis.loads || 0) + 1;\nexport const n = 1;\n"
LIBRARIES = {"crm": CRM, "text": TEXT, "counted": COUNTED}


def run(body: str, libraries: Mapping[str, str] = LIBRARIES, data: JsonObject | None = None) -> RunResult:
    inp = RunInput(
        step_file(body), data or {}, "task-1", None, (), "step", "claim-1", limits=FAST, libraries=libraries
    )
    return run_content(inp, FakeHost())


def test_a_step_calls_library_functions_which_use_other_libraries() -> None:
    body = (
        "data.name = lib.crm.fullName({ first: 'Ada', last: 'Lovelace' });\n"
        "data.region = lib.crm.region('DE');"
    )
    assert ok(run(body)).data == {"name": "Ada LOVELACE", "region": "eu"}


def test_renamed_exports_are_there_and_unexported_names_are_not() -> None:
    body = "data.value = [typeof lib.crm.requireId, typeof lib.crm.guard, Object.keys(lib)];"
    assert ok(run(body)).data == {"value": ["function", "undefined", ["counted", "crm", "text"]]}


def test_an_unknown_library_is_undefined() -> None:
    result = run("data.value = typeof lib.missing;")
    assert ok(result).data == {"value": "undefined"}


def test_a_step_without_libraries_sees_an_empty_lib() -> None:
    assert ok(run("data.value = Object.keys(lib);", {})).data == {"value": []}


def test_a_library_is_evaluated_once_per_run_however_often_it_is_touched() -> None:
    body = "lib.counted.n; lib.counted.n; const again = lib.counted;\ndata.value = [loads, again.n];"
    assert ok(run(body)).data == {"value": [1, 1]}


def test_a_step_that_does_not_touch_lib_evaluates_nothing_of_it() -> None:
    """`lib` stays the lazy getter: not even the loader of the libraries ran."""
    failing = {"broken": "throw new Error('evaluated');\n", **LIBRARIES}
    body = (
        "const d = Object.getOwnPropertyDescriptor(globalThis, 'lib');\n"
        "data.value = [typeof d.get, typeof globalThis.loads];"
    )
    assert ok(run(body, failing)).data == {"value": ["function", "undefined"]}


def test_only_the_libraries_touched_are_evaluated() -> None:
    failing = {"broken": "throw new Error('evaluated');\n", **LIBRARIES}
    assert ok(run("data.value = lib.text.upper('x');", failing)).data == {"value": "X"}


def test_nothing_of_a_library_survives_into_the_next_run() -> None:
    ok(run("lib.crm.extra = 1; lib.text.upper = () => 'patched'; lib.counted.n;"))
    body = "data.value = [typeof lib.crm.extra, lib.text.upper('a'), globalThis.loads];"
    assert ok(run(body)).data == {"value": ["undefined", "A", None]}


def test_an_error_thrown_in_a_library_names_the_library_file_and_line() -> None:
    result = run("lib.crm.requireId(null);")
    assert result.error is not None
    assert result.error.file == "lib/crm.js"
    assert result.error.line == 10
    assert result.error.message == "Error: no customer id (at lib/crm.js:10)"


def test_a_type_error_in_a_library_called_through_another_library_names_the_innermost_file() -> None:
    result = run("lib.crm.fullName({ first: 'Ada' });")
    assert result.error is not None
    assert (result.error.file, result.error.line) == ("lib/text.js", 2)


def test_an_error_in_the_step_itself_keeps_the_step_line_and_no_file() -> None:
    result = run("lib.crm.region('DE');\nthrow new Error('step');")
    assert result.error is not None
    assert (result.error.file, result.error.line, result.error.message) == (None, 4, "Error: step")


def test_a_throw_at_a_library_top_level_fails_the_run_with_its_line() -> None:
    result = run("lib.broken;", {"broken": "const a = 1;\nthrow new Error('cannot load');\n"})
    assert result.error is not None
    assert (result.error.file, result.error.line) == ("lib/broken.js", 2)


def test_libraries_that_load_each_other_in_a_cycle_fail_with_the_cycle() -> None:
    cycle = {"a": "export const x = lib.b.y;\n", "b": "export const y = lib.a.x;\n"}
    result = run("data.value = lib.a.x;", cycle)
    assert result.error is not None
    assert "libraries use each other in a cycle: lib/a.js -> lib/b.js -> lib/a.js" in result.error.message


def test_libraries_may_call_each_other_both_ways_after_loading() -> None:
    mutual = {
        "a": "export const even = (n) => n === 0 || lib.b.odd(n - 1);\n",
        "b": "export const odd = (n) => n !== 0 && lib.a.even(n - 1);\n",
    }
    assert ok(run("data.value = lib.a.even(10);", mutual)).data == {"value": True}


def test_a_library_runs_in_strict_mode() -> None:
    result = run("data.value = lib.loose.f();", {"loose": "export function f() {\n  undeclared = 1;\n}\n"})
    assert result.error is not None
    assert (result.error.file, result.error.line) == ("lib/loose.js", 2)


@pytest.mark.parametrize(
    ("source", "line", "fragment"),
    [
        ("export function f( {\n  return 1;\n}\n", 2, "SyntaxError"),
        ("const ok = 1;\n\nexport const broken = ;\n", 3, "SyntaxError"),
        ("const ok = 1;\nimport x from 'y';\n", 2, "import is not available in libraries"),
        ("export default function () {}\n", 1, "exports names, not a default"),
    ],
)
def test_an_unusable_library_is_refused_with_its_file_and_line(source: str, line: int, fragment: str) -> None:
    with pytest.raises(LibraryFileError) as refused:
        check_library("crm", source)
    assert refused.value.line == line
    assert refused.value.message.startswith(f"lib/crm.js line {line}: ")
    assert fragment in refused.value.message


def test_a_valid_library_is_accepted_without_running_its_top_level() -> None:
    check_library("crm", "export const other = lib.notYetUploaded.value;\n" + CRM)
