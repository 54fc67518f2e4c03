"""Line numbers in the step file, recovered from QuickJS stack traces.

QuickJS names every script `<input>`. The sandbox's own scripts are evaluated after as many
blank lines as the step file has (see bridge.py), so a frame whose line is beyond the step file's
last line is the sandbox's, and the first frame within it is where the step file went wrong.
`<eval>` frames are one-line snippets the Python side evaluates (or a step's own `eval`).
"""

import re

_FRAME = re.compile(r"^\s*at (?P<function>.*?) \(<input>:(?P<line>\d+):\d+\)\s*$", re.MULTILINE)
_SYNTAX = re.compile(r"^\s*at <input>:(?P<line>\d+):\d+\s*$", re.MULTILINE)


def step_line(stack: str, source_lines: int) -> int | None:
    """The innermost frame of the step file in a stack trace, if any."""
    for frame in _FRAME.finditer(stack):
        line = int(frame["line"])
        if frame["function"] != "<eval>" and line <= source_lines:
            return line
    return None


def syntax_error_line(text: str, source_lines: int) -> int | None:
    """The line of a SyntaxError; an error at the end of the text (an unclosed block) is the last line."""
    found = _SYNTAX.search(text)
    return None if found is None else min(int(found["line"]), source_lines)


def script_error_line(text: str, source_lines: int) -> int | None:
    """The line of an exception out of an eval: a syntax error's, else the innermost step frame's."""
    return syntax_error_line(text, source_lines) or step_line(text, source_lines)


def line_count(source: str) -> int:
    """Lines as an editor shows them: a final newline ends the last line rather than starting one."""
    return max(1, source.count("\n") + (0 if source.endswith("\n") else 1))
