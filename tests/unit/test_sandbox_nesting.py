"""Deeply nested values a step builds fail its run with a clear error, never the sandbox itself."""

import pytest
from sandbox_support import FAST, FakeHost, ok, run_body

from aloma_core.limits import MIB, STACK

# The largest stack the limits allow: JavaScript then writes values deeper than Python reads JSON.
DEEP_STACK = FAST.model_copy(update={"stack_bytes": 4 * MIB})


def nested(levels: int) -> str:
    return f"let o = {{}};\nfor (let i = 0; i < {levels}; i++) o = {{ o }};\n"


@pytest.mark.parametrize(
    ("use", "what"),
    [
        ("data.deep = o;", "`data`"),
        ("await connectors.crm.save(o);", "the arguments of connectors.crm.save"),
        ("task.complete(o);", "what the run asked of `task`"),
    ],
    ids=["data", "connector-arguments", "task-result"],
)
def test_a_value_nested_deeper_than_python_reads_fails_the_run_clearly(use: str, what: str) -> None:
    host = FakeHost()
    result = run_body(nested(3000) + use, host=host, limits=DEEP_STACK)
    assert result.error is not None
    assert result.error.message.startswith("nested too deeply for the sandbox: ")
    assert what in result.error.message
    assert result.data is None
    assert host.calls == []


def test_a_value_nested_some_hundreds_of_levels_is_fine() -> None:
    host = FakeHost(results={"crm.save": "saved"})
    body = nested(300) + "data.saved = await connectors.crm.save(o);\ndata.deep = o;\ntask.complete(o);"
    result = ok(run_body(body, host=host, limits=DEEP_STACK))
    assert result.data is not None and result.data["saved"] == "saved"
    assert result.actions.complete


@pytest.mark.parametrize("use", ["data.deep = o;", "task.complete(o);"], ids=["data", "task-result"])
def test_writing_a_value_too_deep_for_the_stack_names_the_stack_limit(use: str) -> None:
    result = run_body(nested(100_000) + use)
    assert result.error is not None
    assert result.error.limit == STACK
    assert "stack limit exceeded" in result.error.message


@pytest.mark.parametrize(
    ("use", "message"),
    [
        ("data.big = 1n;", "TypeError: `data` is not JSON: "),
        ("task.complete({ big: 1n });", "TypeError: task.complete(result) must be JSON: "),
    ],
    ids=["data", "task-result"],
)
def test_a_value_that_is_no_json_is_still_a_type_error(use: str, message: str) -> None:
    result = run_body(use)
    assert result.error is not None
    assert result.error.limit is None
    assert result.error.message.startswith(message)
