"""Shared libraries (`lib/NAME.js`) as the sandbox evaluates them: a module turned into a script.

A step run evaluates a library lazily, from JavaScript, when the step first touches `lib.NAME`;
QuickJS can only do that with `eval`, which takes scripts, not modules. So the library's
`export` keywords are blanked out (same length, so every line and column stays where it was)
and the text is wrapped in a function that returns the exports. Imports are refused as in steps.
"""

import json
from functools import lru_cache

from ..errors import LibraryFileError
from ..limits import Limits
from .engine import EXCLUSIVE, Engine, LimitBreach, ScriptError
from .frames import line_count, syntax_error_line
from .source_scan import NUL_REFUSED, Token, nul_line, scan, tokenize

# The wrapper adds nothing before line 1 and two lines after the library's last line.
TRAILING_LINES = 2


@lru_cache(maxsize=256)
def library_script(name: str, source: str) -> str:
    """An expression whose value is a function returning the library's exports, lines unchanged.

    Raises LibraryFileError for an import or an `export default` (a library's exports are named).
    """
    found = scan(source)
    if found.loads:
        first = found.loads[0]
        message = f"{first.what} is not available in libraries: use another library as lib.NAME"
        raise LibraryFileError(name, message, first.line)
    text = list(source)
    tokens = tokenize(source)
    for index, token in enumerate(tokens):
        if token.kind != "name" or token.value != "export":
            continue
        if index > 0 and tokens[index - 1].value in (".", "?."):
            continue
        _blank(text, token, _export_end(name, tokens, index))
    exports = ", ".join(f"{json.dumps(name)}: {export.local}" for name, export in found.exports.items())
    return f'0, function __alomaLibrary() {{"use strict";{"".join(text)}\nreturn {{{exports}}};\n}}'


def check_library(name: str, source: str, limits: Limits | None = None) -> None:
    """Compile the library without running it: a syntax error is refused with its line.

    Its top-level code is not run at upload: it may use other libraries, uploaded later.
    """
    nul = nul_line(source)
    if nul is not None:
        raise LibraryFileError(name, NUL_REFUSED, nul)
    script = library_script(name, source)
    lines = line_count(source)
    with EXCLUSIVE:
        engine = Engine(limits or Limits(), lines)
        try:
            engine.eval(script)
        except ScriptError as exc:
            raise LibraryFileError(name, exc.headline, syntax_error_line(exc.text, lines)) from None
        except LimitBreach as breach:
            raise LibraryFileError(name, f"could not compile: {breach.message}") from None


def _export_end(name: str, tokens: list[Token], index: int) -> int:
    """The end (exclusive offset) of what goes with the `export` at `tokens[index]`."""
    token = tokens[index]
    after = tokens[index + 1] if index + 1 < len(tokens) else None
    if after is not None and after.value == "default":
        message = "a library exports names, not a default: `export function fn(...)` is used as lib.NAME.fn"
        raise LibraryFileError(name, message, token.line)
    if after is None or after.value != "{":
        return token.start + len("export")
    close = index + 1
    while close < len(tokens) and tokens[close].value != "}":
        close += 1
    if close == len(tokens):
        return token.start + len("export")
    end = tokens[close].start + 1
    if close + 1 < len(tokens) and tokens[close + 1].value == ";":
        end = tokens[close + 1].start + 1
    return end


def _blank(text: list[str], token: Token, end: int) -> None:
    for position in range(token.start, end):
        if text[position] != "\n":
            text[position] = " "
