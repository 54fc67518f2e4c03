"""Bad conditions are refused at upload with a message that names where the problem is."""

import math
from decimal import Decimal

import pytest

from aloma_core.conditions import parse_condition
from aloma_core.errors import ConditionError, InvalidInput


def _nested(depth: int) -> dict[str, object]:
    wire: dict[str, object] = {}
    for _ in range(depth):
        wire = {"a": wire}
    return wire


def _cycle() -> dict[str, object]:
    loop: dict[str, object] = {}
    loop["self"] = loop
    return loop


REFUSALS: list[tuple[object, str, str]] = [
    ([], "condition", "expected an object"),
    ("x", "condition", "expected an object"),
    (None, "condition", "expected an object"),
    ({"$type": "string"}, "condition", "expected an object of data keys"),
    ({"$regex": "a"}, "condition", "expected an object of data keys"),
    ({"$gt": 1}, "condition.$gt", "only $or and $not can be used at the top level"),
    ({"$exists": True}, "condition.$exists", "only $or and $not"),
    ({"v": {"$gt": "x"}}, "condition.v.$gt", "expected a number"),
    ({"v": {"$gte": True}}, "condition.v.$gte", "expected a number"),
    ({"v": {"$lt": None}}, "condition.v.$lt", "expected a number"),
    ({"v": {"$lte": [1]}}, "condition.v.$lte", "expected a number"),
    ({"v": {"$gt": math.inf}}, "condition.v.$gt", "expected a finite number"),
    ({"v": {"$gt": Decimal("NaN")}}, "condition.v.$gt", "expected a finite number"),
    ({"v": math.nan}, "condition.v", "expected a finite number"),
    ({"v": 2**64 + 1}, "condition.v", "cannot be represented exactly in JavaScript"),
    ({"v": 10**400}, "condition.v", "cannot be represented exactly in JavaScript"),
    ({"a": {"$in": "x"}}, "condition.a.$in", "expected a list"),
    ({"a": {"$in": []}}, "condition.a.$in", "expected a non-empty list"),
    ({"a": {"$in": [1, {"$type": "string"}]}}, "condition.a.$in[1].$type", "$type is reserved"),
    ({"a": {"$in": [{"b": {"$gt": 1}}]}}, "condition.a.$in[0].b.$gt", "$gt is reserved"),
    ({"a": {"$in": [math.inf]}}, "condition.a.$in[0]", "expected a finite number"),
    ({"a": {"$ne": {"$regex": "x"}}}, "condition.a.$ne.$regex", "$regex is reserved"),
    ({"a": {"$ne": {1, 2}}}, "condition.a.$ne", "expected a JSON value, got set"),
    ({"x": {"$or": []}}, "condition.x.$or", "expected a non-empty list"),
    ({"x": {"$or": {"a": 1}}}, "condition.x.$or", "expected a non-empty list"),
    ({"x": {"$or": [1, {"$gt": "a"}]}}, "condition.x.$or[1].$gt", "expected a number"),
    ({"x": {"$not": {"$in": 3}}}, "condition.x.$not.$in", "expected a list"),
    ({"x": {"$exists": 1}}, "condition.x.$exists", "expected true or false"),
    ({"x": {"$prefix": 1}}, "condition.x.$prefix", "expected a string"),
    ({"x": {"$suffix": None}}, "condition.x.$suffix", "expected a string"),
    ({"x": {"$gt": 1, "y": 2}}, "condition.x", "cannot mix operators ($gt) with data keys (y)"),
    ({"x": {"$type": "string", "y": 2}}, "condition.x", "cannot mix operators ($type)"),
    ({"x": {"$type": "date"}}, "condition.x.$type", "unknown type 'date'"),
    ({"x": {"$type": "string", "$gt": 1}}, "condition.x", "$type stands alone"),
    ({"x": {"$regex": "a", "$gt": 1}}, "condition.x", "$regex only goes with $flags"),
    ({"x": {"$flags": "i"}}, "condition.x.$flags", "$flags needs a $regex"),
    ({"x": {"$regex": 1}}, "condition.x.$regex", "expected a string"),
    ({"x": {"$regex": "a", "$flags": 1}}, "condition.x.$flags", "expected a string of flags"),
    ({"x": {"$regex": "a", "$flags": "g"}}, "condition.x.$flags", 'flag "g" is not supported'),
    ({"x": {"$regex": "a", "$flags": "u"}}, "condition.x.$flags", 'flag "u" is not supported'),
    ({"x": {"$regex": "a", "$flags": "y"}}, "condition.x.$flags", 'flag "y" is not supported'),
    ({"x": {"$regex": "a", "$flags": "ii"}}, "condition.x.$flags", "appears more than once"),
    ({"x": {"$regex": "a("}}, "condition.x.$regex", "missing )"),
    ({"x": [{"$regex": "(?<=a+)"}]}, "condition.x[0].$regex", "lookbehind"),
    ({"a": {"b": [1, {"c": object()}]}}, "condition.a.b[1].c", "expected a JSON value, got object"),
    ({"a": {1: "x"}}, "condition.a", "object keys must be strings"),
    ({"a": (1, 2)}, "condition.a", "expected a JSON value, got tuple"),
    (_nested(40), "condition", "nested deeper than 32 levels"),
    ({"a": {"$in": [_cycle()]}}, "condition", "nested deeper than 32 levels"),
]


@pytest.mark.parametrize(("wire", "path", "problem"), REFUSALS)
def test_refusal_names_the_path(wire: object, path: str, problem: str) -> None:
    with pytest.raises(ConditionError) as caught:
        parse_condition(wire)
    assert caught.value.path == path
    assert problem in caught.value.problem
    assert caught.value.message == f"{path}: {caught.value.problem}"


def test_brief_examples_have_exactly_these_messages() -> None:
    cases = {
        "condition.v.$gt: expected a number": {"v": {"$gt": "x"}},
        "condition.a.$in: expected a list": {"a": {"$in": 1}},
        "condition.x.$or: expected a non-empty list": {"x": {"$or": []}},
    }
    for message, wire in cases.items():
        with pytest.raises(ConditionError) as caught:
            parse_condition(wire)
        assert caught.value.message == message


def test_condition_error_is_invalid_input_for_the_api() -> None:
    with pytest.raises(InvalidInput):
        parse_condition({"a": {"$gt": "x"}})


def test_the_path_prefix_can_be_chosen_by_the_caller() -> None:
    with pytest.raises(ConditionError) as caught:
        parse_condition({"a": {"$gt": "x"}}, path="steps[2].condition")
    assert caught.value.path == "steps[2].condition.a.$gt"


def test_accepted_edge_cases() -> None:
    assert parse_condition({"a": {"$gt": 2**53}}).wire == {"a": {"$gt": 2**53}}
    assert parse_condition({"a": 2**70}).wire == {"a": float(2**70)}
    assert parse_condition({"": 1, "a b": {}, "$via": None}).wire == {"": 1, "a b": {}, "$via": None}
    assert parse_condition({"a": {"$in": [{"$via": 1}]}}).matches({"a": {"$via": 1}})


@pytest.mark.parametrize(
    ("number", "canonical"),
    [(1.0, 1), (-0.0, 0), (2.5, 2.5), (2**53, 2**53), (2.0**60, 2.0**60), (2**60, 2.0**60), (1e300, 1e300)],
)
def test_numbers_are_canonical_as_javascript_holds_them(number: float, canonical: float) -> None:
    value = parse_condition({"a": number}).wire["a"]
    assert value == canonical
    assert type(value) is type(canonical)
