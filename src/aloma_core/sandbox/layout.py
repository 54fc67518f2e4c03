"""Where each piece of a run's code sits in QuickJS's line numbers, and the way back to a file.

QuickJS names every script `<input>`, so files are told apart by line: the step file takes lines
1 to N, the sandbox's own scripts follow (evaluated after N + 1 blank lines, see bridge.py), and
each library is evaluated after enough blank lines to start past everything before it. A frame's
line then falls in exactly one file: the step's, a library's, or the sandbox's (skipped).
"""

import re
from collections.abc import Mapping
from dataclasses import dataclass

from ..json_types import JsonObject, JsonValue
from .frames import line_count
from .library import TRAILING_LINES, library_script
from .scripts import LIBRARY_JS, PRELUDE_JS

_FRAME = re.compile(r"^\s*at (?:(?P<function>.*?) \()?<input>:(?P<line>\d+):\d+\)?\s*$", re.MULTILINE)
# Every sandbox script starts right after the step file, and none is longer than all of them.
_SANDBOX_LINES = LIBRARY_JS.count("\n") + PRELUDE_JS.count("\n") + 2


@dataclass(frozen=True)
class _Span:
    name: str
    base: int
    lines: int


@dataclass(frozen=True)
class Location:
    """A line in the step file (`file` None) or in a library (`file` like `lib/crm.js`)."""

    file: str | None
    line: int

    def label(self) -> str:
        return f"line {self.line}" if self.file is None else f"{self.file}:{self.line}"


class SourceLayout:
    def __init__(self, source_lines: int, libraries: Mapping[str, str]) -> None:
        self.source_lines = source_lines
        self._spans: list[_Span] = []
        texts: list[str] = []
        index: JsonObject = {}
        start = len(LIBRARY_JS.encode("utf-16-le")) // 2
        base = source_lines + 1 + _SANDBOX_LINES
        for name in sorted(libraries):
            text = library_script(name, libraries[name])
            end = start + len(text.encode("utf-16-le")) // 2
            lines = line_count(libraries[name])
            self._spans.append(_Span(name, base, lines))
            entry: list[JsonValue] = [start, end, base]
            index[name] = entry
            texts.append(text)
            start = end
            base += lines + TRAILING_LINES + 1
        self.text = "".join(texts)
        self.index = index

    def locate(self, stack: str) -> Location | None:
        """The innermost frame of the step file or a library, skipping the sandbox's own frames."""
        for frame in _FRAME.finditer(stack):
            if frame["function"] == "<eval>":
                continue
            line = int(frame["line"])
            if line <= self.source_lines:
                return Location(None, line)
            for span in self._spans:
                if span.base < line <= span.base + span.lines:
                    return Location(f"lib/{span.name}.js", line - span.base)
        return None
