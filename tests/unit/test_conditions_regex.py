"""JavaScript regexes run by RE2 with the JavaScript meaning; QuickJS is the oracle.

Every translated row is checked against QuickJS too, so a row cannot encode a wrong belief
about JavaScript.
"""

import json

import pytest
import quickjs
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from aloma_core.conditions import parse_condition
from aloma_core.conditions.regex import RegexRefused, normalize_source, translate

_JS = quickjs.Context()


def js_test(source: str, flags: str, text: str) -> bool:
    result = _JS.eval(f"new RegExp({json.dumps(source)}, {json.dumps(flags)}).test({json.dumps(text)})")
    assert isinstance(result, bool)
    return result


def py_test(source: str, flags: str, text: str) -> bool:
    return translate(source, flags).matches(text)


# (construct, source, flags, text, expected)
TRANSLATED: list[tuple[str, str, str, str, bool]] = [
    ("$ is end of input only", "a$", "", "a\n", False),
    ("$ is end of input only", "a$", "", "xa", True),
    ("^ is start of input only", "^b", "", "a\nb", False),
    ("m: ^ $ at any line terminator", "^b$", "m", "a\rb\u2028c", True),
    ("m: ^ $ at any line terminator", "^b$", "m", "a\nbc", False),
    (". excludes the four line terminators", "a.b", "", "a\rb", False),
    (". excludes the four line terminators", "a.b", "", "a\u2029b", False),
    (". excludes the four line terminators", "a.b", "", "a\x85b", True),
    ("s: . matches line terminators", "a.b", "s", "a\rb", True),
    ("\\d is ASCII", "\\d", "", "\u0663", False),
    ("\\d is ASCII", "\\d", "", "7", True),
    ("\\w is ASCII", "\\w", "", "\u00e9", False),
    ("\\w is ASCII", "^\\w+$", "", "a_Z9", True),
    ("\\s is JavaScript whitespace", "\\s", "", "\u00a0", True),
    ("\\s is JavaScript whitespace", "\\s", "", "\ufeff", True),
    ("\\s is JavaScript whitespace", "\\s", "", "\x1c", False),
    ("\\s is JavaScript whitespace", "\\s", "", "\x85", False),
    ("\\S complements \\s", "\\S", "", "\x1c", True),
    ("\\b uses ASCII words", "\\bfoo", "", "\u00e9foo", True),
    ("\\b uses ASCII words", "\\bfoo", "", "_foo", False),
    ("\\B", "o\\B", "", "foo", True),
    ("\\B", "o\\B", "", "fo o", False),
    ("named groups", "(?<year>\\d{4})-(?<$m>\\d\\d)", "", "2024-05", True),
    ("named groups", "(?<year>\\d{4})-(?<$m>\\d\\d)", "", "2024-5", False),
    ("groups", "^(a|bc)+$", "", "abca", True),
    ("groups", "^(a|bc)+$", "", "abcb", False),
    ("m: $ before each terminator", "a$", "m", "a\u2029b", True),
    ("m: ^ after \\r\\n", "^b", "m", "a\r\nb", True),
    ("m: \\B between terminators", "^\\B$", "m", "\r\n", True),
    ("\\B next to a terminator", "a\\B", "", "a\r", False),
    ("\\b next to a terminator", "\\b\\n", "", "a\nb", True),
    ("a terminator in a class", "[\\r]", "", "\n", False),
    ("a terminator in a class", "a[^b]c", "", "a\u2028c", True),
    ("lone surrogates in the text", "[\\ud800-\\udbff]", "", "\ud800", True),
    ("lone surrogates in the text", "^.$", "", "\udc00", True),
    ("[^] is any unit", "a[^]b", "", "a\nb", True),
    ("[] matches nothing", "a[]", "", "a", False),
    ("\\/ is a slash", "a\\/b", "", "a/b", True),
    ("slash in a class", "[/]", "", "/", True),
    ("UTF-16 units: astral is two", "^.$", "", "\U0001f600", False),
    ("UTF-16 units: astral is two", "^..$", "", "\U0001f600", True),
    ("UTF-16 units: lone surrogate escape", "\\ud83d", "", "x\U0001f600", True),
    ("UTF-16 units: astral literal", "\U0001f600+", "", "\U0001f600", True),
    ("i: no long s for s", "s", "i", "\u017f", False),
    ("i: no Kelvin sign for k", "k", "i", "\u212a", False),
    ("i: accented letters", "\u00e9", "i", "\u00c9", True),
    ("i: final sigma", "\u03c3", "i", "\u03c2", True),
    ("i: sharp s has no single uppercase", "\u00df", "i", "\u1e9e", False),
    ("i: classes", "[a-z]", "i", "K", True),
    ("i: classes", "[a-z]", "i", "\u212a", False),
    ("i: negated classes", "[^a]", "i", "A", False),
    ("i: \\w stays ASCII", "\\w", "i", "\u017f", False),
    ("[\\b] is backspace", "[\\b]", "", "\b", True),
    ("control escapes", "\\cJ\\t\\0", "", "\n\t\x00", True),
    ("hex and unicode escapes", "\\x41\\u0042", "", "AB", True),
    ("lazy quantifiers", "^a+?b{1,2}c{2,}$", "", "aabbcc", True),
    ("lazy quantifiers", "^a+?b{1,2}c{2,}$", "", "abbbcc", False),
    ("repeat counts up to 1000", "^a{1000}$", "", "a" * 1000, True),
    ("repeat counts up to 1000", "^a{0,1000}$", "", "a" * 1001, False),
    ("lone ] and } are literal", "a]}", "", "a]}", True),
    ("identity escapes", "\\@\\-\\.", "", "@-.", True),
    ("identity escapes", "\\.", "", "a", False),
    ("dash at class ends", "[-a][a-]", "", "-a", True),
    ("empty regex", "", "", "anything", True),
    ("search finds a match anywhere", "b", "", "abc", True),
]

# (construct, source, flags, part of the message)
REFUSED: list[tuple[str, str, str, str]] = [
    ("flag g", "a", "g", 'flag "g"'),
    ("flag u", "a", "u", 'flag "u"'),
    ("flag y", "a", "y", 'flag "y"'),
    ("flag d", "a", "d", 'flag "d"'),
    ("flag v", "a", "v", 'flag "v"'),
    ("unknown flag", "a", "x", "not a JavaScript regex flag"),
    ("repeated flag", "a", "mm", "more than once"),
    ("lookbehind", "(?<=a+)b", "", "(?<= is a lookbehind, which is not supported"),
    ("negative lookbehind", "(?<!a|bc)d", "", "(?<! is a negative lookbehind"),
    ("lookahead", "a(?=b)", "", "(?= is a lookahead, which is not supported"),
    ("negative lookahead", "a(?!b)", "", "(?! is a negative lookahead"),
    ("lookaround says why", "a(?=b)", "", "linear time (RE2)"),
    ("backreference", "(a+)-\\1", "", "a backreference to group 1, which is not supported"),
    ("named backreference", "(?<year>\\d{4})-\\k<year>", "", "a backreference to group 1"),
    ("forward backreference", "\\1(a)", "", "not a backreference to a group closed before it"),
    ("backreference inside its group", "(a\\1)", "", "not a backreference"),
    ("octal-looking backreference", "(a)\\2", "", "not a backreference"),
    ("unknown named backreference", "(?<a>x)\\k<b>", "", "\\k must name a group"),
    ("\\k without groups", "\\k", "", "\\k must name a group"),
    ("\\k in a class", "(?<a>x)[\\k]", "", "\\k is not allowed in a character class"),
    ("octal escape", "\\01", "", "octal"),
    ("octal escape in a class", "[\\1]", "", "octal"),
    ("inline flags", "(?i)a", "", "(?i is not a JavaScript group"),
    ("modifiers", "(?i:a)", "", "(?i is not a JavaScript group"),
    ("Python named group", "(?P<x>a)", "", "(?P is not a JavaScript group"),
    ("Python comment", "(?#c)a", "", "(?# is not a JavaScript group"),
    ("bad group name", "(?<1a>x)", "", "must be an identifier"),
    ("duplicate group name", "(?<a>x)|(?<a>y)", "", 'name "a" is used twice'),
    ("\\p without u", "\\p{L}", "", "\\p is not a JavaScript regex escape"),
    ("unknown letter escape", "\\a", "", "\\a is not"),
    ("Python anchors", "\\Aa\\Z", "", "\\A is not"),
    ("\\B in a class", "[\\B]", "", "\\B is not"),
    ("\\u{...} without u", "\\u{1F600}", "", "needs the u flag"),
    ("short \\x", "\\x4", "", "two hex digits"),
    ("short \\u", "\\u12", "", "four hex digits"),
    ("\\c without a letter", "\\c1", "", "\\c must be followed by a letter"),
    ("lone {", "a{", "", "a lone {"),
    ("lone { that Python reads as a quantifier", "a{,5}", "", "a lone {"),
    ("braces with non-ASCII digits are no quantifier", "a{\u0661}", "", "a lone {"),
    ("braced quantifier with nothing to repeat", "{1}", "", "nothing to repeat"),
    ("quantifier with nothing to repeat", "*a", "", "nothing to repeat"),
    ("quantifier after |", "a|+", "", "nothing to repeat"),
    ("possessive-looking quantifier", "a*+", "", "two quantifiers"),
    ("quantified anchor", "^*", "", "cannot follow an assertion"),
    ("quantified word boundary", "\\b+", "", "cannot follow an assertion"),
    ("quantifier numbers out of order", "a{3,1}", "", "out of order"),
    ("unmatched )", "a)", "", "unmatched )"),
    ("missing )", "(a", "", "missing )"),
    ("missing ]", "[a", "", "missing ]"),
    ("class range out of order", "[z-a]", "", "range out of order"),
    ("class range with a class escape", "[\\d-z]", "", "a range with \\d"),
    ("trailing backslash", "a\\", "", "\\ at the end"),
    ("deep nesting", "(" * 60 + "a" + ")" * 60, "", "nested deeper than 50"),
    ("repeat count RE2 cannot hold", "a{99999999999}", "", "a repeat count over 1000"),
    ("repeat count over RE2's 1000", "a{2,1001}", "", "a repeat count over 1000 in {2,1001}"),
    ("program over RE2's memory bound", "(?:[^a]{1000}){1000}", "", "RE2 cannot run this regex"),
]


@pytest.mark.parametrize(
    ("source", "flags", "text", "expected"),
    [pytest.param(s, f, t, e, id=f"{c}-{i}") for i, (c, s, f, t, e) in enumerate(TRANSLATED)],
)
def test_translated_constructs_behave_as_in_javascript(
    source: str, flags: str, text: str, expected: bool
) -> None:
    assert js_test(normalize_source(source), flags, text) is expected
    assert py_test(source, flags, text) is expected


@pytest.mark.parametrize(
    ("source", "flags", "problem"),
    [pytest.param(s, f, p, id=f"{c}-{i}") for i, (c, s, f, p) in enumerate(REFUSED)],
)
def test_refused_constructs_name_the_construct(source: str, flags: str, problem: str) -> None:
    with pytest.raises(RegexRefused) as caught:
        translate(source, flags)
    assert problem in str(caught.value)


def test_refusal_message_gives_the_position() -> None:
    with pytest.raises(RegexRefused, match="at character 3 of the regex"):
        translate("ab)", "")


@pytest.mark.parametrize(
    ("source", "normalized"),
    [
        ("a/b", "a\\/b"),
        ("a\\/b", "a\\/b"),
        ("[/]", "[/]"),
        ("[]/]", "[]\\/]"),
        ("a\nb", "a\\nb"),
        ("a\\\nb", "a\\nb"),
        ("\r\u2028\u2029", "\\r\\u2028\\u2029"),
        ("\ud800", "\\ud800"),
        ("", "(?:)"),
        ("\U0001f600", "\U0001f600"),
    ],
)
def test_sources_are_normalized_to_a_literal_body(source: str, normalized: str) -> None:
    assert normalize_source(source) == normalized
    assert normalize_source(normalized) == normalized
    assert translate(source, "").source == normalized


def test_flags_are_normalized_to_canonical_order() -> None:
    assert parse_condition({"a": {"$regex": "x", "$flags": "smi"}}).wire == {
        "a": {"$regex": "x", "$flags": "ims"}
    }
    assert parse_condition({"a": {"$regex": "x", "$flags": ""}}).wire == {"a": {"$regex": "x"}}


def test_regex_matches_only_strings() -> None:
    condition = parse_condition({"a": {"$regex": "1"}})
    assert condition.matches({"a": "1"})
    assert not condition.matches({"a": 1})
    assert not condition.matches({"a": ["1"]})


_PIECES = st.sampled_from(
    [
        "a",
        "b",
        "\u00e9",
        "K",
        "s",
        ".",
        "\\d",
        "\\w",
        "\\s",
        "\\W",
        "\\S",
        "[ab]",
        "[^a]",
        "[a-c]",
        "[\\s\\d]",
        "\\r",
        "[^\\n]",
        "[\\n\\u2028]",
    ]
)
_ASSERTIONS = st.sampled_from(["^", "$", "\\b", "\\B"])
_QUANTIFIERS = st.sampled_from(["", "", "*", "+", "?", "{1,2}", "*?", "+?", "{2}"])


def _regexes() -> st.SearchStrategy[str]:
    atoms = st.one_of(
        st.tuples(_PIECES, _QUANTIFIERS).map("".join),
        _ASSERTIONS,
    )

    def extend(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
        return st.one_of(
            st.lists(inner, min_size=1, max_size=4).map("".join),
            st.tuples(inner, inner).map("|".join),
            st.tuples(st.sampled_from(["(", "(?:"]), inner, _QUANTIFIERS).map(
                lambda t: f"{t[0]}{t[1]}){t[2]}"
            ),
        )

    return st.recursive(atoms, extend, max_leaves=8)


_TEXT = st.lists(
    st.sampled_from(
        [
            "a",
            "b",
            "c",
            "A",
            "1",
            " ",
            "\n",
            "\r",
            "\u2028",
            "\u2029",
            "\ud83d",
            "\u00e9",
            "\u00c9",
            "K",
            "\u212a",
            "\u017f",
            "S",
            "_",
            "\U0001f600",
            "\u00a0",
            "\x1c",
        ]
    ),
    max_size=8,
).map("".join)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.filter_too_much])
@given(source=_regexes(), flags=st.sampled_from(["", "i", "m", "s", "im", "ims"]), text=_TEXT)
def test_random_regexes_agree_with_quickjs(source: str, flags: str, text: str) -> None:
    try:
        translated = translate(source, flags)
    except RegexRefused:
        assume(False)
        return
    expected = js_test(translated.source, flags, text)
    assert translated.matches(text) is expected
