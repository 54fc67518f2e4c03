"""Adversarial regexes: patterns that make a backtracking engine take exponential time.

Each is run through the condition matcher and the condition index on texts long enough that a
backtracking engine would not finish in years; RE2 answers in time linear in the text. There is
no clock in these tests: each case must simply finish (pytest-timeout is the net) and give the
answer worked out independently of any regex engine. What RE2 cannot run is refused at upload
with the path of the condition and the reason.
"""

import json

import pytest
import quickjs

from aloma_core.conditions import ConditionIndex, parse_condition
from aloma_core.conditions.regex import RegexRefused, translate
from aloma_core.errors import ConditionError

pytestmark = pytest.mark.corpus

_LONG = 100_000
_JS = quickjs.Context()

# (name, source, flags, text, expected): the text is built so a backtracking engine explores an
# exponential number of ways before it can answer no (or, for the last rows, yes late).
CATASTROPHIC: list[tuple[str, str, str, str, bool]] = [
    ("nested plus", "(a+)+$", "", "a" * _LONG + "b", False),
    ("nested plus anchored", "^(a+)+$", "", "a" * _LONG + "!", False),
    ("nested star", "(a*)*b", "", "a" * _LONG, False),
    ("overlapping alternation", "(a|aa)+$", "", "a" * _LONG + "b", False),
    ("alternation of equals", "^(a|a)*$", "", "a" * _LONG + "b", False),
    ("repeated wildcard group", "(.*a){20}", "", "a" * 19 + "b" * _LONG, False),
    ("repeated wildcard group, enough", "(.*a){20}", "", "b" * _LONG + "a" * 20, True),
    ("nested classes", "^([a-z0-9]+)*@", "i", "A1" * (_LONG // 2) + "!", False),
    ("e-mail shaped", r"^([\w.-]+)+@([\w-]+\.)+\w+$", "", "x" * _LONG + "@", False),
    ("word runs with spaces", r"^(\w+\s?)*$", "", "word " * (_LONG // 5) + "!", False),
    ("dot-all nested", "(.*)*x", "s", "\n" * _LONG, False),
    ("multi-line anchors", "^(a+)+$", "m", ("a" * 1000 + "b\r") * 100, False),
    ("multi-line anchors, one line passes", "^(a+)+$", "m", "a" * _LONG + "b\u2028aaa", True),
    ("case-folded nesting", "(k+)+K$", "i", "K" * _LONG + "\u212a", False),
    ("astral units", "(\\ud83d\\ude00+)+!", "", "\U0001f600" * _LONG, False),
    ("bounded repeat of a repeat", "^(a{1,10}){1,10}$", "", "a" * 101, False),
    ("bounded repeat of a repeat, fits", "^(a{1,10}){1,10}$", "", "a" * 100, True),
]

REFUSED: list[tuple[str, str, str]] = [
    ("backreference", r"(a+)\1", "a backreference to group 1"),
    ("backreference after a repeat", r"^(a|b)*\1$", "a backreference to group 1"),
    ("named backreference", r"(?<x>a)\k<x>", "a backreference to group 1"),
    ("lookahead", "a(?=b)", "(?= is a lookahead"),
    ("negative lookahead", "^(?!.*admin)", "(?! is a negative lookahead"),
    ("lookbehind", "(?<=\\$)\\d+", "(?<= is a lookbehind"),
    ("negative lookbehind", "(?<!x)y", "(?<! is a negative lookbehind"),
    ("repeat count over RE2's bound", "a{1001}", "a repeat count over 1000"),
    ("open repeat from over RE2's bound", "a{5000,}", "a repeat count over 1000"),
    ("program over RE2's memory bound", "(?:(?:.{1000}){1000}){1000}", "RE2 cannot run this regex"),
]


def _condition(source: str, flags: str) -> dict[str, object]:
    regex: dict[str, object] = {"$regex": source, **({"$flags": flags} if flags else {})}
    return {"text": regex}


def _js_test(source: str, flags: str, text: str) -> bool:
    result = _JS.eval(f"new RegExp({json.dumps(source)}, {json.dumps(flags)}).test({json.dumps(text)})")
    assert isinstance(result, bool)
    return result


@pytest.mark.parametrize(
    ("source", "flags", "text", "expected"),
    [pytest.param(s, f, t, e, id=name) for name, s, f, t, e in CATASTROPHIC],
)
def test_catastrophic_patterns_finish_with_the_right_answer(
    source: str, flags: str, text: str, expected: bool
) -> None:
    condition = parse_condition(_condition(source, flags))
    assert condition.matches({"text": text}) is expected
    index = ConditionIndex()
    index.add("step", condition)
    assert index.matching({"text": text}) == (["step"] if expected else [])


@pytest.mark.parametrize(
    ("source", "flags", "text", "expected"),
    [pytest.param(s, f, t[:12] + t[-3:], None, id=name) for name, s, f, t, _ in CATASTROPHIC],
)
def test_catastrophic_patterns_agree_with_javascript_on_short_texts(
    source: str, flags: str, text: str, expected: None
) -> None:
    assert expected is None
    assert translate(source, flags).matches(text) is _js_test(source, flags, text)


def test_every_long_text_is_searched_to_its_end() -> None:
    """A match only at the very end of a long text is still found: nothing is cut short."""
    text = "a" * _LONG + "needle"
    assert translate("(a|aa)+needle$", "").matches(text)
    assert not translate("(a|aa)+needle$", "").matches(text[:-1])


def test_many_catastrophic_conditions_in_one_index() -> None:
    """A bounded number of such steps in one workspace: every one is answered for one task."""
    index = ConditionIndex()
    for number in range(50):
        index.add(f"step{number}", parse_condition(_condition(f"(a+)+{number}$", "")))
    assert index.matching({"text": "a" * 10_000 + "7"}) == ["step7"]
    assert index.matching({"text": "a" * 10_000 + "x"}) == []


@pytest.mark.parametrize(("source", "problem"), [pytest.param(s, p, id=n) for n, s, p in REFUSED])
def test_what_re2_cannot_run_is_refused_at_upload(source: str, problem: str) -> None:
    with pytest.raises(ConditionError) as caught:
        parse_condition({"order": {"note": [{"$regex": source}]}})
    message = str(caught.value)
    assert message.startswith("condition.order.note[0].$regex: ")
    assert problem in message


@pytest.mark.parametrize(
    "source", ["(a+)+$", "(?<x>a)(?:b|c)*?", "a{1000}", "[^\\n]+$", "\\bword\\B"], ids=str
)
def test_what_re2_can_run_is_accepted(source: str) -> None:
    assert translate(source, "ims").source == source


def test_a_refusal_says_why() -> None:
    with pytest.raises(RegexRefused, match=r"not supported: conditions match in linear time \(RE2\)"):
        translate("(a)\\1", "")
