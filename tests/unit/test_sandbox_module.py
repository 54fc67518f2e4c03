"""`load_step_module`: a step file is read at upload, and refused with its line when it cannot run."""

import time

import pytest
from sandbox_support import HEAD

from aloma_core.errors import StepFileError
from aloma_core.limits import Limits
from aloma_core.sandbox.module import StepModule, load_step_module

SPEC_EXAMPLE = """// validate email.js
export const condition = {
  customer: { email: String, validated: null, },  // trailing commas and comments are fine
  tags: [/vip/i],
  age: { $gte: 18 },
};

/* the content */
export const content = async () => {
  data.customer.validated = data.customer.email.includes('@');
};
"""


def refused(source: str, limits: Limits | None = None) -> StepFileError:
    with pytest.raises(StepFileError) as caught:
        load_step_module(source, limits)
    return caught.value


def test_the_spec_example_loads() -> None:
    module = load_step_module(SPEC_EXAMPLE)
    assert module == StepModule(
        condition={
            "customer": {"email": {"$type": "string"}, "validated": None},
            "tags": [{"$regex": "vip", "$flags": "i"}],
            "age": {"$gte": 18},
        },
        content="async () => {\n  data.customer.validated = data.customer.email.includes('@');\n}",
    )


@pytest.mark.parametrize(
    "source",
    [
        "const condition = { a: String };\nasync function content() {}\nexport { condition, content };\n",
        "const when = { a: String };\nconst go = async () => {};\n"
        "export { when as condition, go as content };\n",
        "export const condition = { a: String };\nexport async function content() {}\n",
        "export const condition = { a: String };\nexport function content() {}\n",
    ],
)
def test_the_exports_may_be_written_in_several_ways(source: str) -> None:
    assert load_step_module(source).condition == {"a": {"$type": "string"}}


def test_a_local_binding_that_is_not_exported_does_not_count() -> None:
    error = refused("export const condition = {};\nconst content = async () => {};\n")
    assert "must export `content`" in error.message


def test_a_syntax_error_is_refused_with_its_line() -> None:
    error = refused("export const condition = {};\nexport const content = async () => {\n  const x = ;\n};\n")
    assert error.line == 3
    assert "SyntaxError" in error.message
    assert error.message.startswith("line 3: ")


def test_an_unclosed_block_is_refused_at_the_last_line() -> None:
    error = refused("export const condition = {};\nexport const content = async () => {\n  data.a = 1;\n")
    assert error.line == 3


@pytest.mark.parametrize(
    ("source", "line", "what"),
    [
        ("import fs from 'fs';\n" + HEAD, 1, "import"),
        (HEAD + "import { x } from 'y';\n", 3, "import"),
        (
            "export const condition = {};\nexport const content = async () => {\n  await import('os');\n};\n",
            3,
            "dynamic import()",
        ),
        ("export * from 'x';\n" + HEAD, 1, "export ... from"),
    ],
)
def test_imports_are_refused_with_their_line(source: str, line: int, what: str) -> None:
    error = refused(source)
    assert error.line == line
    reason = "is not available in steps: the sandbox has no modules; use connectors"
    assert error.message == f"line {line}: {what} {reason}"


def test_import_inside_strings_and_comments_is_fine() -> None:
    source = (
        "export const condition = {};\n// import fs from 'fs'\n"
        "export const content = async () => {\n"
        "  data.s = 'import(x)' + `import ${1}` + /import\\(/.source;\n};\n"
    )
    assert load_step_module(source).condition == {}


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("export const content = async () => {};\n", "must export `condition`"),
        ("export const condition = {};\n", "must export `content`"),
        ("", "must export `content`"),
    ],
)
def test_both_exports_are_needed(source: str, message: str) -> None:
    error = refused(source)
    assert message in error.message
    assert error.line is None


def test_content_must_be_a_function() -> None:
    error = refused("export const condition = {};\n\nexport const content = 'data.a = 1';\n")
    assert error.line == 3
    assert "`content` must be a function" in error.message


@pytest.mark.parametrize("condition", ["[{ a: 1 }]", "'a'", "null", "String", "/x/", "new Map()"])
def test_the_condition_must_be_a_plain_object(condition: str) -> None:
    error = refused(f"export const content = async () => {{}};\nexport const condition = {condition};\n")
    assert error.line == 2
    assert "`condition` must be a plain object" in error.message


def test_a_condition_the_wire_form_cannot_hold_is_refused_naming_the_path() -> None:
    source = "export const content = async () => {};\n\nexport const condition = { a: { b: new Date() } };\n"
    error = refused(source)
    assert error.line == 3
    assert "condition.a.b: Date objects are not allowed" in error.message


def test_a_throw_at_the_top_is_refused_with_its_line() -> None:
    error = refused(HEAD + "const cfg = JSON.parse('{');\n")
    assert error.line == 3
    assert "threw while loading: SyntaxError" in error.message


def test_an_endless_loop_at_the_top_stops_at_the_cpu_limit() -> None:
    started = time.perf_counter()
    error = refused(HEAD + "while (true) {}\n", Limits(cpu_time_ms=200))
    assert "CPU time limit" in error.message
    assert time.perf_counter() - started < 1


def test_a_top_level_await_that_never_settles_is_refused() -> None:
    error = refused(HEAD + "await new Promise(() => {});\n")
    assert "never finished loading" in error.message


def test_connectors_cannot_be_called_at_upload() -> None:
    error = refused(HEAD + "await connectors.crm.get();\n")
    assert error.line == 3
    assert "connectors cannot be called while a step file is uploaded" in error.message


def test_the_content_is_not_run_at_upload() -> None:
    source = "export const condition = {};\nexport const content = async () => { while (true) {} };\n"
    assert load_step_module(source, Limits(cpu_time_ms=50)).content == "async () => { while (true) {} }"


def test_the_content_text_is_the_function_as_written() -> None:
    source = "export const condition = {};\nexport async function content() {\n  // note\n  data.a = 1;\n}\n"
    assert load_step_module(source).content == "async function content() {\n  // note\n  data.a = 1;\n}"
