"""Errors carry the line in the step file, wherever the sandbox's own code sits on the stack."""

from sandbox_support import HEAD, FakeHost, run_source

# Line numbers below are the lines of these texts, 1-based.
STEP = """// validate email.js
export const condition = { customer: { email: String } };

const helper = (value) => {
  if (!value.includes('@')) {
    // the throw is on line 7
    throw new Error('not an email: ' + value);
  }
  return true;
};

export const content = async () => {
  const ok = helper(data.customer.email);
  data.customer.validated = ok;
};
"""


def line_of(source: str, data: object = None, host: FakeHost | None = None) -> tuple[str, int | None]:
    result = run_source(source, data if isinstance(data, dict) else {}, host=host)
    assert result.error is not None
    return result.error.message, result.error.line


def test_a_throw_on_line_7_reports_line_7() -> None:
    message, line = line_of(STEP, {"customer": {"email": "nope"}})
    assert message == "Error: not an email: nope"
    assert line == 7


def test_a_throw_in_nested_functions_reports_its_own_line() -> None:
    source = """export const condition = {};
function outer() {
  return inner();
}
function inner() {
  return [1].map(() => {
    null.boom;
  });
}
export const content = async () => {
  outer();
};
"""
    message, line = line_of(source)
    assert message.startswith("TypeError")
    assert line == 7


def test_a_throw_after_an_await_reports_its_line() -> None:
    source = """export const condition = {};
export const content = async () => {
  await null;
  await new Promise((resolve) => setTimeout(resolve, 1));

  throw new RangeError('late');
};
"""
    assert line_of(source) == ("RangeError: late", 6)


def test_a_rejected_awaited_call_reports_the_line_of_the_call() -> None:
    source = """export const condition = {};
export const content = async () => {
  const contact = await connectors.crm.find({ id: 1 });

  await connectors.crm.update({ id: contact.id });
};
"""
    host = FakeHost(results={"crm.find": {"id": 1}}, failures={"crm.update": "conflict"})
    assert line_of(source, host=host) == ("Error: conflict", 5)


def test_a_call_spread_over_lines_reports_a_line_of_the_call() -> None:
    """QuickJS places a call at the last position it recorded: here `contact.id`, inside the arguments."""
    source = """export const condition = {};
export const content = async () => {
  const contact = await connectors.crm.find({ id: 1 });
  await connectors.crm.update({
    id: contact.id,
  });
};
"""
    host = FakeHost(results={"crm.find": {"id": 1}}, failures={"crm.update": "conflict"})
    message, line = line_of(source, host=host)
    assert message == "Error: conflict"
    assert line in (4, 5, 6)


def test_a_throw_in_a_timer_callback_fails_the_run_with_its_line() -> None:
    source = """export const condition = {};
export const content = async () => {
  setTimeout(() => {
    throw new Error('in a timer');
  }, 1);
  await new Promise((resolve) => setTimeout(resolve, 20));
};
"""
    assert line_of(source) == ("Error: in a timer", 4)


def test_an_error_from_a_sandbox_helper_points_at_the_step_line() -> None:
    source = """export const condition = {};
export const content = async () => {
  const fine = new URL('https://example.com');
  const broken = new URL('not a url');
};
"""
    message, line = line_of(source)
    assert message == "TypeError: Invalid URL: not a url"
    assert line == 4


def test_a_throw_at_the_top_of_the_module_reports_its_line() -> None:
    source = HEAD + "\nthrow new Error('top');\n"
    assert line_of(source) == ("Error: top", 4)


def test_a_step_file_without_a_final_newline_or_ending_in_a_comment_still_runs() -> None:
    source = "export const condition = {};\nexport const content = async () => { data.a = 1; }; // end"
    result = run_source(source)
    assert result.error is None
    assert result.data == {"a": 1}


def test_lines_are_right_in_a_long_step_file() -> None:
    filler = "\n".join(f"const unused{i} = {i};" for i in range(500))
    content = "export const content = async () => {\n  throw new Error('deep');\n};\n"
    source = f"export const condition = {{}};\n{filler}\n{content}"
    assert line_of(source) == ("Error: deep", 503)
