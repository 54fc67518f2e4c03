"""ECMAScript regexes run in linear time by RE2 with exactly the JavaScript meaning, or refused.

Step authors write JavaScript regex literals; the matcher is Python. A backtracking engine
(Python's `re`, JavaScript's own) can take exponential time on a pattern like `(a+)+$` and would
stall the matcher for every workspace, so a pattern is parsed with the ECMAScript grammar
(non-Unicode mode, the only one conditions allow) and re-emitted for RE2, whose matching time is
linear in the text. Every construct is spelled out so that no RE2 default leaks in:

- Strings are searched as UTF-16 code units, as JavaScript does without the `u` flag: an
  emoji is two units, so `.` and `[^a]` see the same units in both engines. RE2 reads UTF-8,
  which cannot hold a lone surrogate, so `subject` writes each surrogate unit as one code point
  of plane 16 (never present otherwise, since astral characters are split into units first).
- JavaScript has four line terminators, RE2's multi-line `^` and `$` know only `\\n`: `subject`
  writes each terminator as `\\n`, a plane-15 code point naming which one, `\\n`, and the pattern
  consumes that triple as one unit, so `(?m:^)` and `(?m:$)` see every terminator. The search is
  anchored at the start and skips whole units, so no match can begin inside a triple.
- `\\d`, `\\w`, `\\b` are ASCII, `\\s` is JavaScript's whitespace set, `.` excludes the four
  JavaScript line terminators, and without `m` `$` is the end of input only.
- The `i` flag is no case-folding option of the engine (which would fold the long s U+017F into
  `s` and the Kelvin sign into `k`): every literal and class is expanded with ECMAScript's
  Canonicalize (simple uppercase, never mapping non-ASCII to ASCII).

What RE2 cannot do in linear time (backreferences, lookahead, lookbehind), anything whose
meaning would differ, and what is only legacy leniency of JavaScript (octal escapes, `\\p` read
as `p`, a lone `{`) is refused with a message that names it.
"""

import bisect
import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, NoReturn

import re2

# The engine under re2's wrapper, whose match objects cost three times the search itself. Reached
# as an attribute of `re2` because it is a top-level module in the 1.1 wheels (Lambda's aarch64
# build) and a submodule in later ones; its RE2(pattern, options).Match(...) is the same in both.
from re2 import _re2

_ANCHORED = _re2.RE2.Anchor.ANCHOR_START

Ranges = tuple[tuple[int, int], ...]

ALLOWED_FLAGS = "ims"
LINE_TERMINATORS = "\n\r\u2028\u2029"
_MAX_UNIT = 0xFFFF
_MAX_GROUP_DEPTH = 50
# RE2's own bound; past it RE2 would read the braces as literal text.
_MAX_REPEAT = 1000
# Where `subject` puts what RE2 would not see as JavaScript does (see the module docstring).
_TERMINATOR_MARK = 0xF0000
_SURROGATE_MARK = 0x100000
_TERMINATOR_INDEX = {0x0A: 0, 0x0D: 1, 0x2028: 2, 0x2029: 3}
# A program larger than this is refused at upload rather than compiled.
_RE2_MAX_MEM = 8 << 20

_DIGIT: Ranges = ((0x30, 0x39),)
_WORD: Ranges = ((0x30, 0x39), (0x41, 0x5A), (0x5F, 0x5F), (0x61, 0x7A))
_SPACE: Ranges = (
    (0x09, 0x0D),
    (0x20, 0x20),
    (0xA0, 0xA0),
    (0x1680, 0x1680),
    (0x2000, 0x200A),
    (0x2028, 0x2029),
    (0x202F, 0x202F),
    (0x205F, 0x205F),
    (0x3000, 0x3000),
    (0xFEFF, 0xFEFF),
)
_LINE_TERMINATOR_RANGES: Ranges = ((0x0A, 0x0A), (0x0D, 0x0D), (0x2028, 0x2029))
_ALL_UNITS: Ranges = ((0, _MAX_UNIT),)
_CONTROL_ESCAPES = {"f": 0x0C, "n": 0x0A, "r": 0x0D, "t": 0x09, "v": 0x0B}
_FLAG_REASONS = {
    "g": "a condition only asks whether the text matches, so global matching has no meaning",
    "y": "sticky matching depends on lastIndex, which a condition does not have",
    "u": "Unicode mode is not supported",
    "v": "Unicode sets mode is not supported",
    "d": "match indices have no meaning in a condition",
}
_LINEAR_ONLY = "conditions match in linear time (RE2), which rules it out"
_LOOKAROUNDS = (
    ("(?=", "lookahead"),
    ("(?!", "negative lookahead"),
    ("(?<=", "lookbehind"),
    ("(?<!", "negative lookbehind"),
)
_DECIMAL = frozenset("0123456789")
_BRACED = re.compile(r"\{([0-9]+)(,([0-9]*))?\}")
_HEX2 = re.compile(r"[0-9A-Fa-f]{2}")
_HEX4 = re.compile(r"[0-9A-Fa-f]{4}")
_GROUP_NAME = re.compile(r"<([^>]*)>")
_ASTRAL = re.compile("[\U00010000-\U0010ffff]")


class RegexRefused(ValueError):
    """A regex that is not valid JavaScript, would not mean the same in RE2, or needs backtracking."""


@dataclass(frozen=True)
class Translated:
    """A JavaScript regex (normalized source and flags) and the RE2 program that runs it."""

    source: str
    flags: str
    program: Any = field(repr=False)

    def matches(self, text: str) -> bool:
        """JavaScript's `regex.test(text)`, in time linear in the length of `text`."""
        encoded = subject(text).encode()
        start: int = self.program.Match(_ANCHORED, encoded, 0, len(encoded))[0][0]
        return start >= 0


def to_units(text: str) -> str:
    """`text` as JavaScript sees it: characters beyond U+FFFF become their two surrogate units."""
    if text.isascii():
        return text
    return _ASTRAL.sub(_surrogate_pair, text)


def _surrogate_pair(match: re.Match[str]) -> str:
    offset = ord(match.group()) - 0x10000
    return chr(0xD800 + (offset >> 10)) + chr(0xDC00 + (offset & 0x3FF))


_SUBJECT_UNITS: dict[int, str] = {
    **{unit: f"\n{chr(_TERMINATOR_MARK + index)}\n" for unit, index in _TERMINATOR_INDEX.items()},
    **{unit: chr(_SURROGATE_MARK + unit - 0xD800) for unit in range(0xD800, 0xE000)},
}


def subject(text: str) -> str:
    """`text` in the form the RE2 program searches: UTF-16 units, terminators as marked triples."""
    if text.isascii() and "\n" not in text and "\r" not in text:
        return text
    return to_units(text).translate(_SUBJECT_UNITS)


def normalize_flags(flags: str) -> str:
    """The flags in JavaScript's canonical order; anything but i, m, s is refused."""
    for flag in flags:
        if flag not in ALLOWED_FLAGS:
            reason = _FLAG_REASONS.get(flag, "it is not a JavaScript regex flag")
            raise RegexRefused(f'flag "{flag}" is not supported ({reason}); only i, m and s are')
        if flags.count(flag) > 1:
            raise RegexRefused(f'flag "{flag}" appears more than once')
    return "".join(sorted(flags))


def normalize_source(source: str) -> str:
    """The source as a JavaScript regex literal body, which is also what `.source` returns for it.

    A `/` outside a class is escaped and raw line terminators and lone surrogates become escapes,
    so the text can sit between slashes in a step file and read back unchanged.
    """
    if source == "":
        return "(?:)"
    out: list[str] = []
    in_class = False
    i = 0
    while i < len(source):
        char = source[i]
        if char == "\\" and i + 1 < len(source):
            following = source[i + 1]
            out.append(_unit_escape(following) if _needs_escape(following) else char + following)
            i += 2
            continue
        if in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
        if char == "/" and not in_class:
            out.append("\\/")
        else:
            out.append(_unit_escape(char) if _needs_escape(char) else char)
        i += 1
    return "".join(out)


def _needs_escape(char: str) -> bool:
    return char in LINE_TERMINATORS or 0xD800 <= ord(char) <= 0xDFFF


def _unit_escape(char: str) -> str:
    return {"\n": "\\n", "\r": "\\r"}.get(char, f"\\u{ord(char):04x}")


def translate(source: str, flags: str) -> Translated:
    """Validate a JavaScript regex and compile the RE2 program with its exact meaning."""
    flags = normalize_flags(flags)
    source = normalize_source(source)
    body = _Parser(to_units(source), flags).parse()
    options = re2.Options()
    options.max_mem = _RE2_MAX_MEM
    options.log_errors = False
    options.never_capture = True
    program = _re2.RE2(f"\\A{_class_text(_ALL_UNITS)}*?(?:{body})".encode(), options)
    if not program.ok():
        reason = program.error()
        reason = reason.decode("utf-8", "replace") if isinstance(reason, bytes) else str(reason)
        raise RegexRefused(f"RE2 cannot run this regex ({reason})")
    return Translated(source, flags, program)


def _merge(ranges: Iterable[tuple[int, int]]) -> Ranges:
    merged: list[tuple[int, int]] = []
    for lo, hi in sorted(ranges):
        if merged and lo <= merged[-1][1] + 1:
            merged[-1] = (merged[-1][0], max(hi, merged[-1][1]))
        else:
            merged.append((lo, hi))
    return tuple(merged)


def _complement(ranges: Ranges) -> Ranges:
    out: list[tuple[int, int]] = []
    start = 0
    for lo, hi in ranges:
        if lo > start:
            out.append((start, lo - 1))
        start = hi + 1
    if start <= _MAX_UNIT:
        out.append((start, _MAX_UNIT))
    return tuple(out)


def _contains(ranges: Ranges, unit: int) -> bool:
    index = bisect.bisect_right(ranges, (unit, _MAX_UNIT + 1)) - 1
    return index >= 0 and ranges[index][0] <= unit <= ranges[index][1]


def _canonicalize(unit: int) -> int:
    """ECMAScript Canonicalize for the `i` flag without `u`."""
    upper = chr(unit).upper()
    if len(upper) != 1:
        return unit
    if unit >= 128 and ord(upper) < 128:
        return unit
    return ord(upper)


@functools.cache
def _case_groups() -> dict[int, tuple[int, ...]]:
    """For every code unit that has case partners: all units with the same canonical form."""
    groups: dict[int, list[int]] = {}
    for unit in range(_MAX_UNIT + 1):
        groups.setdefault(_canonicalize(unit), []).append(unit)
    return {unit: tuple(group) for group in groups.values() if len(group) > 1 for unit in group}


def _fold(ranges: Ranges) -> Ranges:
    extra = [
        (partner, partner)
        for unit, group in _case_groups().items()
        if _contains(ranges, unit)
        for partner in group
    ]
    return _merge([*ranges, *extra])


def _code_point_text(point: int) -> str:
    char = chr(point)
    return char if char.isascii() and char.isalnum() else f"\\x{{{point:x}}}"


def _subject_point(unit: int) -> int:
    """The code point `subject` writes for a unit that is neither a terminator nor split."""
    return _SURROGATE_MARK + unit - 0xD800 if 0xD800 <= unit <= 0xDFFF else unit


def _points(ranges: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """Unit ranges without the terminators, as the code point ranges `subject` writes for them."""
    out: list[tuple[int, int]] = []
    for lo, hi in _merge(ranges):
        for part_lo, part_hi in (
            (lo, min(hi, 0xD7FF)),
            (max(lo, 0xD800), min(hi, 0xDFFF)),
            (max(lo, 0xE000), hi),
        ):
            if part_lo <= part_hi:
                out.append((_subject_point(part_lo), _subject_point(part_hi)))
    return out


def _class_text(ranges: Ranges) -> str:
    """An RE2 expression consuming exactly one unit in `ranges` of the subject."""
    plain = _complement(_merge([*_complement(ranges), *_LINE_TERMINATOR_RANGES]))
    marks = [_TERMINATOR_MARK + index for unit, index in _TERMINATOR_INDEX.items() if _contains(ranges, unit)]
    options = []
    if plain:
        points = _points(plain)
        if len(points) == 1 and points[0][0] == points[0][1]:
            options.append(_code_point_text(points[0][0]))
        else:
            parts = [
                _code_point_text(lo) if lo == hi else f"{_code_point_text(lo)}-{_code_point_text(hi)}"
                for lo, hi in points
            ]
            options.append("[" + "".join(parts) + "]")
    if marks:
        options.append("\\n[" + "".join(_code_point_text(mark) for mark in marks) + "]\\n")
    if not options:
        return "[^\\x00-\\x{10ffff}]"
    return options[0] if len(options) == 1 else f"(?:{'|'.join(options)})"


class _Parser:
    """Recursive descent over the ECMAScript Pattern grammar, emitting RE2 pattern text."""

    def __init__(self, text: str, flags: str) -> None:
        self.text = text
        self.pos = 0
        self.ignore_case = "i" in flags
        self.multiline = "m" in flags
        self.dot_all = "s" in flags
        self.group_count = 0
        self.closed_groups: set[int] = set()
        self.group_names: dict[str, int] = {}
        self.open_names: set[str] = set()
        self.depth = 0

    def parse(self) -> str:
        out = self.disjunction()
        if self.pos < len(self.text):
            self.refuse("unmatched )")
        return out

    def refuse(self, problem: str, at: int | None = None) -> NoReturn:
        position = self.pos if at is None else at
        raise RegexRefused(f"{problem}, at character {position + 1} of the regex")

    def peek(self, offset: int = 0) -> str:
        index = self.pos + offset
        return self.text[index] if index < len(self.text) else ""

    def startswith(self, prefix: str) -> bool:
        return self.text.startswith(prefix, self.pos)

    def disjunction(self) -> str:
        alternatives = [self.alternative()]
        while self.peek() == "|":
            self.pos += 1
            alternatives.append(self.alternative())
        return "|".join(alternatives)

    def alternative(self) -> str:
        parts: list[str] = []
        while self.pos < len(self.text) and self.peek() not in "|)":
            parts.append(self.term())
        return "".join(parts)

    def term(self) -> str:
        assertion = self.assertion()
        if assertion is not None:
            if self.quantifier_ahead():
                self.refuse("a quantifier cannot follow an assertion (^, $, \\b or \\B)")
            return assertion
        atom = self.atom()
        text = self.quantifier()
        if text is None:
            return atom
        if self.quantifier_ahead():
            self.refuse("nothing to repeat: two quantifiers in a row")
        return f"(?:{atom}){text}"

    def quantifier_ahead(self) -> bool:
        return self.peek() in ("*", "+", "?") or (
            self.peek() == "{" and _BRACED.match(self.text, self.pos) is not None
        )

    def quantifier(self) -> str | None:
        char = self.peek()
        if char in ("*", "+", "?"):
            self.pos += 1
            text = char
        elif char == "{" and (braced := _BRACED.match(self.text, self.pos)) is not None:
            low = int(braced.group(1))
            high = low if braced.group(2) is None else (int(braced.group(3)) if braced.group(3) else None)
            if high is not None and high < low:
                self.refuse(f"numbers out of order in quantifier {braced.group()}")
            if max(low, high or 0) > _MAX_REPEAT:
                self.refuse(f"a repeat count over {_MAX_REPEAT} in {braced.group()}, which RE2 does not run")
            self.pos = braced.end()
            text = braced.group()
        else:
            return None
        if self.peek() == "?":
            self.pos += 1
            text += "?"
        return text

    def assertion(self) -> str | None:
        if self.startswith("^"):
            self.pos += 1
            return "(?m:^)" if self.multiline else "\\A"
        if self.startswith("$"):
            self.pos += 1
            return "(?m:$)" if self.multiline else "\\z"
        if self.startswith("\\b") or self.startswith("\\B"):
            self.pos += 2
            return self.text[self.pos - 2 : self.pos]
        for opener, name in _LOOKAROUNDS:
            if self.startswith(opener):
                self.refuse(f"{opener} is a {name}, which is not supported: {_LINEAR_ONLY}")
        return None

    def group_body(self, opener: str) -> str:
        start = self.pos
        self.depth += 1
        if self.depth > _MAX_GROUP_DEPTH:
            self.refuse(f"groups nested deeper than {_MAX_GROUP_DEPTH} levels")
        inner = self.disjunction()
        self.depth -= 1
        if self.peek() != ")":
            self.refuse("missing ) for the group opened here", start - len(opener))
        self.pos += 1
        return f"{opener}{inner})"

    def atom(self) -> str:
        char = self.peek()
        if char == ".":
            self.pos += 1
            return _class_text(_ALL_UNITS if self.dot_all else _complement(_LINE_TERMINATOR_RANGES))
        if char == "(":
            return self.group()
        if char == "[":
            return self.character_class()
        if char == "\\":
            return self.atom_escape()
        if char in ("*", "+", "?"):
            self.refuse(f"nothing to repeat before {char}")
        if char == "{":
            if _BRACED.match(self.text, self.pos):
                self.refuse("nothing to repeat before {")
            self.refuse("a lone { (write \\{ for a literal brace)")
        self.pos += 1
        return self.literal(ord(char))

    def group(self) -> str:
        if self.startswith("(?:"):
            self.pos += 3
            return self.group_body("(?:")
        name: str | None = None
        if self.startswith("(?<"):
            found = _GROUP_NAME.match(self.text, self.pos + 2)
            if found is None or not found.group(1).replace("$", "_").isidentifier():
                self.refuse("a group name must be an identifier, like (?<name>...)")
            name = found.group(1)
            if name in self.group_names or name in self.open_names:
                self.refuse(f'the group name "{name}" is used twice')
            self.pos = found.end()
        elif self.startswith("(?"):
            self.refuse(
                f"(?{self.peek(2)} is not a JavaScript group (only (?:, (?=, (?!, (?<=, (?<! and (?<name>)"
            )
        else:
            self.pos += 1
        self.group_count += 1
        number = self.group_count
        if name is not None:
            self.open_names.add(name)
        text = self.group_body("(")
        self.closed_groups.add(number)
        if name is not None:
            self.open_names.discard(name)
            self.group_names[name] = number
        return "(?:" + text[1:]

    def atom_escape(self) -> str:
        start = self.pos
        self.pos += 1
        char = self.peek()
        if char == "":
            self.refuse("\\ at the end of the regex", start)
        if char in "123456789":
            end = self.pos
            while end < len(self.text) and self.text[end] in _DECIMAL:
                end += 1
            group, self.pos = int(self.text[self.pos : end]), end
            self.backreference(group, start)
        if char == "k":
            found = _GROUP_NAME.match(self.text, self.pos + 1)
            if found is None or found.group(1) not in self.group_names:
                self.refuse("\\k must name a group that is defined and closed earlier, like \\k<name>", start)
            self.pos = found.end()
            self.backreference(self.group_names[found.group(1)], start)
        escaped = self.class_escape(start, in_class=False)
        if isinstance(escaped, tuple):
            return _class_text(_fold(escaped) if self.ignore_case else escaped)
        return self.literal(escaped)

    def backreference(self, group: int, start: int) -> NoReturn:
        if group not in self.closed_groups:
            self.refuse(
                f"\\{group} is not a backreference to a group closed before it "
                "(JavaScript would read it as an octal escape or an empty forward reference)",
                start,
            )
        self.refuse(f"a backreference to group {group}, which is not supported: {_LINEAR_ONLY}", start)

    def class_escape(self, start: int, *, in_class: bool) -> int | Ranges:
        """The escape after a backslash: a code unit, or the ranges of \\d \\w \\s and negations."""
        char = self.peek()
        self.pos += 1
        sets = {"d": _DIGIT, "w": _WORD, "s": _SPACE}
        if char.lower() in sets:
            ranges = sets[char.lower()]
            return ranges if char.islower() else _complement(ranges)
        if char in _CONTROL_ESCAPES:
            return _CONTROL_ESCAPES[char]
        if in_class and char == "b":
            return 0x08
        if char == "0":
            if self.peek() and self.peek() in _DECIMAL:
                self.refuse("octal escapes are not supported (write \\x.. or \\u....)", start)
            return 0
        if char in _DECIMAL:
            self.refuse(f"\\{char} is an octal escape here, which is not supported", start)
        if char == "c":
            letter = self.peek()
            if not (letter.isascii() and letter.isalpha()):
                self.refuse("\\c must be followed by a letter A-Z", start)
            self.pos += 1
            return ord(letter) % 32
        if char == "x":
            return self.hex_escape(_HEX2, "\\x needs two hex digits, like \\x41", start)
        if char == "u":
            if self.peek() == "{":
                self.refuse("\\u{...} needs the u flag, which conditions do not support", start)
            return self.hex_escape(_HEX4, "\\u needs four hex digits, like \\u00e9", start)
        if char.isascii() and char.isalpha():
            self.refuse(f"\\{char} is not a JavaScript regex escape (it would match {char} itself)", start)
        return ord(char)

    def hex_escape(self, digits: re.Pattern[str], problem: str, start: int) -> int:
        found = digits.match(self.text, self.pos)
        if found is None:
            self.refuse(problem, start)
        self.pos = found.end()
        return int(found.group(), 16)

    def character_class(self) -> str:
        start = self.pos
        self.pos += 1
        negate = self.peek() == "^"
        if negate:
            self.pos += 1
        ranges: list[tuple[int, int]] = []
        while self.peek() != "]":
            if self.peek() == "":
                self.refuse("missing ] for the class opened here", start)
            atom_start = self.pos
            low = self.class_atom()
            if self.peek() == "-" and self.peek(1) not in ("]", ""):
                self.pos += 1
                high = self.class_atom()
                if isinstance(low, tuple) or isinstance(high, tuple):
                    self.refuse("a range with \\d, \\w or \\s at an end (write \\- for a -)", atom_start)
                if high < low:
                    self.refuse("range out of order in character class", atom_start)
                ranges.append((low, high))
            elif isinstance(low, tuple):
                ranges.extend(low)
            else:
                ranges.append((low, low))
        self.pos += 1
        merged = _merge(ranges)
        if self.ignore_case:
            merged = _fold(merged)
        if negate:
            merged = _complement(merged)
        return _class_text(merged)

    def class_atom(self) -> int | Ranges:
        char = self.peek()
        if char != "\\":
            self.pos += 1
            return ord(char)
        start = self.pos
        self.pos += 1
        if self.peek() == "":
            self.refuse("\\ at the end of the regex", start)
        if self.peek() == "-":
            self.pos += 1
            return ord("-")
        if self.peek() == "k":
            self.refuse("\\k is not allowed in a character class", start)
        return self.class_escape(start, in_class=True)

    def literal(self, unit: int) -> str:
        if self.ignore_case and unit in _case_groups():
            return _class_text(_merge((partner, partner) for partner in _case_groups()[unit]))
        return _class_text(((unit, unit),))
