"""Random conditions and data: wire round trip, JavaScript round trip, and a reference matcher.

The reference matcher below reads semantics.md section 3 directly off the wire JSON, with no
compilation, so the compiled closures are checked against a second, plain reading of the table.
"""

import json
import operator
from collections.abc import Callable
from decimal import Decimal

import quickjs
from hypothesis import given, settings
from hypothesis import strategies as st

from aloma_core.changes import json_equal, json_number
from aloma_core.conditions import CONDITION_TO_WIRE_JS, ConditionIndex, parse_condition, to_js
from aloma_core.conditions.regex import translate

KEYS = st.sampled_from(["a", "b", "c", "$via", "first name", "__proto__", "\u00e9"])
STRINGS = st.one_of(st.sampled_from(["", "a", "ab", "abc", "A", "x/y", "\U0001f600"]), st.text(max_size=4))
NUMBERS = st.one_of(
    st.sampled_from([0, 1, 2, -1, 2.5, 1.0]),
    st.integers(-(2**53), 2**53),
    st.floats(allow_nan=False, allow_infinity=False),
)
SCALARS = st.one_of(st.booleans(), STRINGS, NUMBERS)
LITERALS = st.recursive(
    st.none() | SCALARS,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(KEYS, inner, max_size=3),
    max_leaves=5,
)
TYPES = st.sampled_from(["string", "number", "boolean", "object", "array"]).map(lambda k: {"$type": k})
REGEXES = st.sampled_from(
    [
        {"$regex": "a"},
        {"$regex": "^a", "$flags": "i"},
        {"$regex": "b$", "$flags": "m"},
        {"$regex": "x\\/y"},
        {"$regex": "[/]"},
        {"$regex": "\\d+"},
        {"$regex": "(?:)"},
        {"$regex": "\\u2028|^$", "$flags": "ims"},
        {"$regex": "^.$", "$flags": "s"},
    ]
)
OPERATOR_NAMES = ["$ne", "$exists", "$in", "$gt", "$gte", "$lt", "$lte", "$prefix", "$suffix", "$or", "$not"]


def _operator_value(name: str, patterns: st.SearchStrategy[object]) -> st.SearchStrategy[object]:
    values: dict[str, st.SearchStrategy[object]] = {
        "$ne": LITERALS,
        "$exists": st.booleans(),
        "$in": st.lists(LITERALS, min_size=1, max_size=3),
        "$prefix": STRINGS,
        "$suffix": STRINGS,
        "$or": st.lists(patterns, min_size=1, max_size=3),
        "$not": patterns,
    }
    return values.get(name, NUMBERS)


def _operators(patterns: st.SearchStrategy[object]) -> st.SearchStrategy[object]:
    names = st.lists(st.sampled_from(OPERATOR_NAMES), min_size=1, max_size=3, unique=True)
    return names.flatmap(
        lambda chosen: st.fixed_dictionaries({n: _operator_value(n, patterns) for n in chosen})
    )


PATTERNS = st.recursive(
    st.none() | SCALARS | TYPES | REGEXES,
    lambda inner: st.one_of(
        st.dictionaries(KEYS, inner, max_size=3), st.lists(inner, max_size=3), _operators(inner)
    ),
    max_leaves=8,
)
OBJECT_CONDITIONS = st.dictionaries(KEYS, PATTERNS, max_size=4)
CONDITIONS = st.one_of(
    OBJECT_CONDITIONS,
    OBJECT_CONDITIONS,
    st.fixed_dictionaries({"$or": st.lists(OBJECT_CONDITIONS, min_size=1, max_size=2)}),
    st.fixed_dictionaries({"$not": OBJECT_CONDITIONS}),
)

DATA_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.sampled_from(["", "a", "ab", "abc", "A", "x/y", "b\nc", "\u2028", "\U0001f600", "\u00e9"])
    | st.sampled_from([0, 1, 2, -1, 2.5, 1.0, Decimal("1"), Decimal("2.5"), Decimal("-1")]),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(KEYS, inner, max_size=4),
    max_leaves=10,
)
DATA = st.dictionaries(KEYS, DATA_VALUES, max_size=5)

ABSENT = object()
_COMPARE: dict[str, Callable[[float, float], bool]] = {
    "$gt": operator.gt,
    "$gte": operator.ge,
    "$lt": operator.lt,
    "$lte": operator.le,
}
_TYPE_CHECKS: dict[str, Callable[[object], bool]] = {
    "string": lambda v: isinstance(v, str),
    "number": lambda v: isinstance(v, int | float | Decimal) and not isinstance(v, bool),
    "boolean": lambda v: isinstance(v, bool),
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
}


def reference(pattern: object, value: object) -> bool:
    """semantics.md section 3, read directly off the wire form."""
    if pattern is None:
        return value is ABSENT or value is None
    if isinstance(pattern, bool | str):
        return type(value) is type(pattern) and value == pattern
    if isinstance(pattern, int | float):
        return _TYPE_CHECKS["number"](value) and json_number(value) == pattern
    if isinstance(pattern, list):
        return isinstance(value, list) and all(any(reference(p, e) for e in value) for p in pattern)
    assert isinstance(pattern, dict)
    if "$type" in pattern:
        return _TYPE_CHECKS[pattern["$type"]](value)
    if "$regex" in pattern:
        translated = translate(pattern["$regex"], pattern.get("$flags", ""))
        return isinstance(value, str) and translated.matches(value)
    if any(key in OPERATOR_NAMES for key in pattern):
        return all(_reference_operator(name, argument, value) for name, argument in pattern.items())
    return isinstance(value, dict) and all(reference(p, value.get(k, ABSENT)) for k, p in pattern.items())


def _literal_equal(literal: object, value: object) -> bool:
    if literal is None:
        return value is ABSENT or value is None
    return value is not ABSENT and json_equal(value, literal)


def _reference_operator(name: str, argument: object, value: object) -> bool:
    if name == "$ne":
        return not _literal_equal(argument, value)
    if name == "$exists":
        return (value is not ABSENT) == argument
    if name == "$in":
        return any(_literal_equal(item, value) for item in argument)
    if name in _COMPARE:
        return _TYPE_CHECKS["number"](value) and _COMPARE[name](json_number(value), argument)
    if name == "$prefix":
        return isinstance(value, str) and value.startswith(argument)
    if name == "$suffix":
        return isinstance(value, str) and value.endswith(argument)
    if name == "$or":
        return any(reference(p, value) for p in argument)
    return not reference(argument, value)


def js_round_trip(wire: dict[str, object]) -> object:
    context = quickjs.Context()
    context.eval(CONDITION_TO_WIRE_JS)
    return json.loads(context.eval(f"__alomaConditionToWire({to_js(wire)})"))


@settings(max_examples=150, deadline=None)
@given(wire=CONDITIONS)
def test_wire_form_round_trips_through_parse(wire: dict[str, object]) -> None:
    condition = parse_condition(wire)
    assert json_equal(condition.wire, wire)
    assert parse_condition(condition.wire) == condition


@settings(max_examples=100, deadline=None)
@given(wire=CONDITIONS, data=st.lists(DATA, max_size=4))
def test_javascript_form_round_trips_through_quickjs(
    wire: dict[str, object], data: list[dict[str, object]]
) -> None:
    original = parse_condition(wire)
    back = js_round_trip(wire)
    assert json_equal(back, wire)
    again = parse_condition(back)
    assert again == original
    for item in data:
        assert again.matches(item) is original.matches(item)


@settings(max_examples=300, deadline=None)
@given(wire=CONDITIONS, data=DATA)
def test_compiled_matching_agrees_with_the_reference_reading(
    wire: dict[str, object], data: dict[str, object]
) -> None:
    assert parse_condition(wire).matches(data) is reference(wire, data)


@settings(max_examples=60, deadline=None)
@given(
    wires=st.lists(CONDITIONS, max_size=12),
    removed=st.sets(st.integers(0, 11), max_size=4),
    data=st.lists(DATA, min_size=1, max_size=4),
)
def test_index_answers_like_testing_every_condition(
    wires: list[dict[str, object]], removed: set[int], data: list[dict[str, object]]
) -> None:
    index = ConditionIndex()
    conditions = {f"step {i}": parse_condition(wire) for i, wire in enumerate(wires)}
    for name, condition in conditions.items():
        index.add(name, condition)
    for i in removed:
        index.remove(f"step {i}")
        conditions.pop(f"step {i}", None)
    assert len(index) == len(conditions)
    for item in data:
        assert index.matching(item) == [name for name, c in conditions.items() if c.matches(item)]
