"""A small JavaScript tokenizer that finds a step file's imports and exports, with their lines.

QuickJS hides a module's exports and reports a failed `import` without a line, so the sandbox
reads both from the text. The tokenizer only has to tell code from comments, strings, template
literals and regex literals; it does not parse. A misread costs little: a missed `import` still
fails when QuickJS loads the module, and a missed export is reported as missing.
"""

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

TokenKind = Literal["name", "punct", "string", "template", "regex", "number"]

# After these names a `/` starts a regex literal, after any other name it divides.
_KEYWORDS_BEFORE_EXPRESSION = frozenset(
    (
        "return",
        "typeof",
        "instanceof",
        "in",
        "of",
        "new",
        "delete",
        "void",
        "throw",
        "case",
        "do",
        "else",
        "yield",
        "await",
        "export",
        "default",
        "extends",
    )
)
_NAME_START = re.compile(r"[A-Za-z_$\\\u0080-\U0010ffff]")
_NAME = re.compile(r"(?:[\w$\u0080-\U0010ffff]|\\u\{?[0-9A-Fa-f]+\}?)+")
_NUMBER = re.compile(r"(?:\d|\.\d)[\w.]*")
_PUNCT = re.compile(r"\.\.\.|\?\.(?!\d)|[^\s\w$]")


@dataclass(frozen=True)
class Token:
    """`start` is the token's offset in the text for names and punctuation (libraries rewrite `export`)."""

    kind: TokenKind
    value: str
    line: int
    start: int = -1


@dataclass(frozen=True)
class ModuleLoad:
    """An `import` (static or dynamic) or a re-export: something that needs a module loader."""

    line: int
    what: str


@dataclass(frozen=True)
class Export:
    local: str
    line: int


@dataclass(frozen=True)
class SourceScan:
    loads: tuple[ModuleLoad, ...]
    exports: Mapping[str, Export]


NUL_REFUSED = "a NUL character cannot be part of the source; inside a string write it as \\0 or \\u0000"


def nul_line(source: str) -> int | None:
    """The line of the first NUL character, which QuickJS cannot take in source text (its C API
    reads the text up to the first NUL), so it is refused at upload instead of failing later."""
    at = source.find("\x00")
    return None if at < 0 else source.count("\n", 0, at) + 1


@lru_cache(maxsize=256)
def scan(source: str) -> SourceScan:
    """Cached: a step's source is scanned at upload and again for each of its runs."""
    tokens = tokenize(source)
    return SourceScan(tuple(_module_loads(tokens)), _exports(tokens))


def tokenize(source: str) -> list[Token]:
    return _Lexer(source).run()


class _Lexer:
    """Walks the text once; `templates` holds the brace depth at which each open `${` resumes its template."""

    def __init__(self, source: str) -> None:
        self.src = source
        self.pos = 0
        self.line = 1
        self.tokens: list[Token] = []
        self.depth = 0
        self.templates: list[int] = []

    def run(self) -> list[Token]:
        while self.pos < len(self.src):
            self._step()
        return self.tokens

    def _step(self) -> None:
        src, pos = self.src, self.pos
        char = src[pos]
        if char == "\n":
            self.line += 1
            self.pos += 1
        elif char.isspace():
            self.pos += 1
        elif src.startswith("//", pos):
            end = src.find("\n", pos)
            self.pos = len(src) if end < 0 else end
        elif src.startswith("/*", pos):
            end = src.find("*/", pos + 2)
            end = len(src) if end < 0 else end + 2
            self._skip_to(end)
        elif char in "'\"":
            self._string(char)
        elif char == "`":
            self.pos += 1
            self._template_part()
        elif char == "}" and self.templates and self.templates[-1] == self.depth:
            self.templates.pop()
            self.pos += 1
            self._template_part()
        elif char == "/" and self._regex_allowed():
            self._regex()
        elif _NUMBER.match(src, pos):
            self._emit("number", _NUMBER)
        elif _NAME_START.match(src, pos):
            self._emit("name", _NAME)
        else:
            self._punct()

    def _skip_to(self, end: int) -> None:
        self.line += self.src.count("\n", self.pos, end)
        self.pos = end

    def _emit(self, kind: TokenKind, pattern: re.Pattern[str]) -> None:
        found = pattern.match(self.src, self.pos)
        text = found.group() if found else self.src[self.pos]
        self.tokens.append(Token(kind, text, self.line, self.pos))
        self.pos += len(text)

    def _punct(self) -> None:
        found = _PUNCT.match(self.src, self.pos)
        text = found.group() if found else self.src[self.pos]
        if text in "([{":
            self.depth += 1
        elif text in ")]}":
            self.depth -= 1
        self.tokens.append(Token("punct", text, self.line, self.pos))
        self.pos += len(text)

    def _string(self, quote: str) -> None:
        start_line, start = self.line, self.pos + 1
        pos = start
        while pos < len(self.src) and self.src[pos] not in (quote, "\n"):
            pos += 2 if self.src[pos] == "\\" else 1
        value = self.src[start : min(pos, len(self.src))]
        self._skip_to(min(pos + 1, len(self.src)))
        self.tokens.append(Token("string", value, start_line))

    def _template_part(self) -> None:
        """From inside a template literal to its end or to the next `${`."""
        start_line, pos = self.line, self.pos
        while pos < len(self.src):
            char = self.src[pos]
            if char == "\\":
                pos += 2
            elif char == "`":
                pos += 1
                break
            elif self.src.startswith("${", pos):
                pos += 2
                self.templates.append(self.depth)
                break
            else:
                pos += 1
        self._skip_to(min(pos, len(self.src)))
        self.tokens.append(Token("template", "", start_line))

    def _regex_allowed(self) -> bool:
        if not self.tokens:
            return True
        last = self.tokens[-1]
        if last.kind == "name":
            return last.value in _KEYWORDS_BEFORE_EXPRESSION
        if last.kind == "punct":
            return last.value not in (")", "]", "}")
        return False

    def _regex(self) -> None:
        pos, in_class = self.pos + 1, False
        while pos < len(self.src) and self.src[pos] != "\n":
            char = self.src[pos]
            if char == "\\":
                pos += 1
            elif char == "[":
                in_class = True
            elif char == "]":
                in_class = False
            elif char == "/" and not in_class:
                break
            pos += 1
        if pos >= len(self.src) or self.src[pos] != "/":
            self._punct()
            return
        flags = _NAME.match(self.src, pos + 1)
        end = flags.end() if flags else pos + 1
        self.tokens.append(Token("regex", self.src[self.pos : end], self.line))
        self.pos = end


def _module_loads(tokens: list[Token]) -> list[ModuleLoad]:
    found: list[ModuleLoad] = []
    for index, token in enumerate(tokens):
        before = tokens[index - 1] if index > 0 else None
        after = tokens[index + 1] if index + 1 < len(tokens) else None
        if token.kind != "name" or (before is not None and before.value in (".", "?.")) or after is None:
            continue
        if token.value == "import":
            if after.value == "(":
                found.append(ModuleLoad(token.line, "dynamic import()"))
            elif after.kind in ("name", "string") or after.value in ("{", "*"):
                found.append(ModuleLoad(token.line, "import"))
        elif token.value == "export" and _is_reexport(tokens, index + 1):
            found.append(ModuleLoad(token.line, "export ... from"))
    return found


def _is_reexport(tokens: list[Token], index: int) -> bool:
    """`export * from "m"` or `export { a } from "m"`."""
    if index >= len(tokens):
        return False
    if tokens[index].value == "*":
        return True
    if tokens[index].value != "{":
        return False
    close = _closing_brace(tokens, index)
    return close + 1 < len(tokens) and tokens[close + 1].value == "from"


def _closing_brace(tokens: list[Token], index: int) -> int:
    end = index
    while end < len(tokens) and tokens[end].value != "}":
        end += 1
    return end


def _exports(tokens: list[Token]) -> dict[str, Export]:
    exports: dict[str, Export] = {}
    for index, token in enumerate(tokens):
        if token.kind != "name" or token.value != "export":
            continue
        if index > 0 and tokens[index - 1].value in (".", "?."):
            continue
        exports.update(_exports_at(tokens, index + 1))
    return exports


def _exports_at(tokens: list[Token], index: int) -> dict[str, Export]:
    """What one `export` statement declares, from the token after `export`."""
    values = [token.value for token in tokens[index : index + 4]]
    if values[:1] == ["{"]:
        return _export_list(tokens, index)
    skip = 0
    if values[:2] == ["async", "function"]:
        skip = 2
    elif values[:1] and values[0] in ("const", "let", "var", "function", "class"):
        skip = 1
    if not skip:
        return {}
    if index + skip < len(tokens) and tokens[index + skip].value == "*":
        skip += 1
    if index + skip < len(tokens) and tokens[index + skip].kind == "name":
        name = tokens[index + skip]
        return {name.value: Export(name.value, name.line)}
    return {}


def _export_list(tokens: list[Token], index: int) -> dict[str, Export]:
    """`export { a, b as c }`: exported name -> local binding."""
    close = _closing_brace(tokens, index)
    if close + 1 < len(tokens) and tokens[close + 1].value == "from":
        return {}
    exports: dict[str, Export] = {}
    names = [token for token in tokens[index + 1 : close] if token.value != ","]
    position = 0
    while position < len(names):
        local = names[position]
        exported = local
        if position + 2 < len(names) and names[position + 1].value == "as":
            exported = names[position + 2]
            position += 3
        else:
            position += 1
        if local.kind == "name":
            exports[exported.value] = Export(local.value, exported.line)
    return exports
