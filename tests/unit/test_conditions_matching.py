"""The condition table of semantics.md section 3: one positive and one negative row per rule, plus traps."""

from decimal import Decimal

import pytest

from aloma_core.conditions import parse_condition
from aloma_core.json_types import JsonValue

STRING: JsonValue = {"$type": "string"}
NUMBER: JsonValue = {"$type": "number"}
BOOLEAN: JsonValue = {"$type": "boolean"}
OBJECT: JsonValue = {"$type": "object"}
ARRAY: JsonValue = {"$type": "array"}
ABSENT = object()


def regex(source: str, flags: str = "") -> JsonValue:
    return {"$regex": source, "$flags": flags} if flags else {"$regex": source}


# (row of the table, pattern P for key "v", data value V or ABSENT, expected)
ROWS: list[tuple[str, JsonValue, object, bool]] = [
    ("String", STRING, "text", True),
    ("String", STRING, "", True),
    ("String", STRING, 1, False),
    ("String", STRING, None, False),
    ("String", STRING, ABSENT, False),
    ("Number", NUMBER, 1, True),
    ("Number", NUMBER, 2.5, True),
    ("Number", NUMBER, Decimal("3.1"), True),
    ("Number", NUMBER, True, False),
    ("Number", NUMBER, "1", False),
    ("Boolean", BOOLEAN, False, True),
    ("Boolean", BOOLEAN, 0, False),
    ("Boolean", BOOLEAN, None, False),
    ("Object", OBJECT, {}, True),
    ("Object", OBJECT, {"a": 1}, True),
    ("Object", OBJECT, [], False),
    ("Object", OBJECT, None, False),
    ("Array", ARRAY, [], True),
    ("Array", ARRAY, [1, "a"], True),
    ("Array", ARRAY, {}, False),
    ("Array", ARRAY, ABSENT, False),
    ("null", None, ABSENT, True),
    ("null", None, None, True),
    ("null", None, 0, False),
    ("null", None, "", False),
    ("null", None, False, False),
    ("null", None, {}, False),
    ("literal string", "text", "text", True),
    ("literal string", "text", "Text", False),
    ("literal string", "1", 1, False),
    ("literal number", 42, 42, True),
    ("literal number", 42, 42.0, True),
    ("literal number", 42.0, 42, True),
    ("literal number", 0.1, Decimal("0.1"), True),
    ("literal number", 42, Decimal("42"), True),
    ("literal number", 42, "42", False),
    ("literal number", 42, 43, False),
    ("literal number", 1, True, False),
    ("literal number", 0, False, False),
    ("literal boolean", True, True, True),
    ("literal boolean", True, 1, False),
    ("literal boolean", True, 1.0, False),
    ("literal boolean", True, Decimal("1"), False),
    ("literal boolean", False, 0, False),
    ("literal boolean", False, None, False),
    ("literal boolean", False, ABSENT, False),
    ("regex", regex("ab+c"), "xxabbbcxx", True),
    ("regex", regex("ab+c"), "ac", False),
    ("regex", regex("1"), 1, False),
    ("regex", regex("^$"), ABSENT, False),
    ("regex flag i", regex("ab+c", "i"), "xABBCx", True),
    ("regex flag i", regex("ab+c"), "xABBCx", False),
    ("regex flag m", regex("^b$", "m"), "a\nb\nc", True),
    ("regex flag m", regex("^b$"), "a\nb\nc", False),
    ("regex flag s", regex("a.b", "s"), "a\nb", True),
    ("regex flag s", regex("a.b"), "a\nb", False),
    ("nested object", {"a": 1, "b": STRING}, {"a": 1, "b": "x", "extra": []}, True),
    ("nested object", {"a": 1, "b": STRING}, {"a": 1}, False),
    ("nested object", {"a": 1}, [{"a": 1}], False),
    ("nested object", {"a": {"b": {"c": None}}}, {"a": {"b": {}}}, True),
    ("nested object", {"a": {"b": {"c": None}}}, {"a": {}}, False),
    ("nested empty object", {}, {"any": "thing"}, True),
    ("nested empty object", {}, [], False),
    ("array", [1, STRING], ["x", 2, 1], True),
    ("array", [1, STRING], [1, 2], False),
    ("array", [1, STRING], {"0": 1, "1": "x"}, False),
    ("array", [{"id": 2}], [{"id": 1}, {"id": 2, "more": True}], True),
    ("array", [{"id": 3}], [{"id": 1}, {"id": 2}], False),
    ("array", [1, 1], [1], True),
    ("array", [1, 1], [2], False),
    ("empty array", [], [], True),
    ("empty array", [], [1, 2], True),
    ("empty array", [], "[]", False),
    ("empty array", [], ABSENT, False),
    ("$ne null", {"$ne": None}, 0, True),
    ("$ne null", {"$ne": None}, None, False),
    ("$ne null", {"$ne": None}, ABSENT, False),
    ("$ne value", {"$ne": "x"}, ABSENT, True),
    ("$ne value", {"$ne": "x"}, "y", True),
    ("$ne value", {"$ne": "x"}, "x", False),
    ("$ne value", {"$ne": 1}, True, True),
    ("$ne value", {"$ne": 1}, 1.0, False),
    ("$ne value", {"$ne": 1}, Decimal("1"), False),
    ("$ne value", {"$ne": {"a": [1, 2]}}, {"a": [1, 2.0]}, False),
    ("$ne value", {"$ne": {"a": [1, 2]}}, {"a": [2, 1]}, True),
    ("$exists true", {"$exists": True}, None, True),
    ("$exists true", {"$exists": True}, ABSENT, False),
    ("$exists false", {"$exists": False}, ABSENT, True),
    ("$exists false", {"$exists": False}, None, False),
    ("$in", {"$in": ["a", "b"]}, "b", True),
    ("$in", {"$in": ["a", "b"]}, "c", False),
    ("$in", {"$in": ["a", "b"]}, ABSENT, False),
    ("$in", {"$in": [1, 2]}, 2.0, True),
    ("$in", {"$in": [1, 2]}, Decimal("2"), True),
    ("$in", {"$in": [1, 2]}, True, False),
    ("$in", {"$in": [True]}, 1, False),
    ("$in", {"$in": [False]}, False, True),
    ("$in", {"$in": [{"a": 1}, [1, 2]]}, [1, 2], True),
    ("$in", {"$in": [{"a": 1}, [1, 2]]}, {"a": 1, "b": 2}, False),
    ("$in", {"$in": [None, "x"]}, ABSENT, True),
    ("$in", {"$in": [None, "x"]}, None, True),
    ("$gt", {"$gt": 5}, 6, True),
    ("$gt", {"$gt": 5}, 5, False),
    ("$gt", {"$gt": 0}, True, False),
    ("$gt", {"$gt": 0}, "1", False),
    ("$gt", {"$gt": 0}, ABSENT, False),
    ("$gt", {"$gt": 0.5}, Decimal("0.6"), True),
    ("$gte", {"$gte": 5}, 5.0, True),
    ("$gte", {"$gte": 5}, 4.9, False),
    ("$lt", {"$lt": 5}, -1, True),
    ("$lt", {"$lt": 5}, 5, False),
    ("$lt", {"$lt": 5}, False, False),
    ("$lte", {"$lte": 5}, 5, True),
    ("$lte", {"$lte": 5}, Decimal("5.01"), False),
    ("combined range", {"$gt": 1, "$lt": 5}, 3, True),
    ("combined range", {"$gt": 1, "$lt": 5}, 5, False),
    ("combined range", {"$gte": 1, "$lte": 1}, 1, True),
    ("$prefix", {"$prefix": "ab"}, "abc", True),
    ("$prefix", {"$prefix": "ab"}, "cab", False),
    ("$prefix", {"$prefix": "1"}, 12, False),
    ("$suffix", {"$suffix": "@x.com"}, "a@x.com", True),
    ("$suffix", {"$suffix": "@x.com"}, "a@x.com.org", False),
    ("$suffix", {"$suffix": ""}, ABSENT, False),
    ("$or", {"$or": [STRING, {"$gt": 10}]}, "x", True),
    ("$or", {"$or": [STRING, {"$gt": 10}]}, 11, True),
    ("$or", {"$or": [STRING, {"$gt": 10}]}, 5, False),
    ("$or", {"$or": [None, 1]}, ABSENT, True),
    ("$not", {"$not": STRING}, 1, True),
    ("$not", {"$not": STRING}, ABSENT, True),
    ("$not", {"$not": STRING}, "x", False),
    ("$not", {"$not": None}, ABSENT, False),
    ("$not", {"$not": {"$in": [1, 2]}}, 3, True),
    ("operators combined", {"$exists": True, "$ne": "x"}, None, True),
    ("operators combined", {"$exists": True, "$ne": "x"}, ABSENT, False),
    ("operators combined", {"$prefix": "a", "$suffix": "z"}, "abz", True),
    ("operators combined", {"$prefix": "a", "$suffix": "z"}, "ab", False),
]


def _data(value: object) -> dict[str, object]:
    return {} if value is ABSENT else {"v": value}


@pytest.mark.parametrize(
    ("pattern", "value", "expected"),
    [pytest.param(p, v, e, id=f"{row}-{i}") for i, (row, p, v, e) in enumerate(ROWS)],
)
def test_condition_table(pattern: JsonValue, value: object, expected: bool) -> None:
    condition = parse_condition({"v": pattern})
    assert condition.matches(_data(value)) is expected


def test_every_row_of_the_table_has_a_positive_and_a_negative_case() -> None:
    outcomes: dict[str, set[bool]] = {}
    for row, _, _, expected in ROWS:
        outcomes.setdefault(row, set()).add(expected)
    assert {row: found for row, found in outcomes.items() if found != {True, False}} == {}


def test_every_key_must_match_and_extra_data_keys_are_ignored() -> None:
    condition = parse_condition({"a": 1, "b": STRING})
    assert condition.matches({"a": 1, "b": "x", "c": "ignored"})
    assert not condition.matches({"a": 1, "b": 2})
    assert not condition.matches({"b": "x"})


def test_an_empty_condition_matches_any_data() -> None:
    assert parse_condition({}).matches({})
    assert parse_condition({}).matches({"a": 1})


def test_dollar_keys_that_are_not_reserved_are_ordinary_data() -> None:
    condition = parse_condition({"$via": {"type": "webhook"}})
    assert condition.matches({"$via": {"type": "webhook", "name": "hook"}})
    assert not condition.matches({"$via": {"type": "schedule"}})
    assert not condition.matches({"via": {"type": "webhook"}})


def test_top_level_or_and_not_apply_to_the_whole_data() -> None:
    either = parse_condition({"$or": [{"a": 1}, {"b": STRING}]})
    assert either.matches({"b": "x"})
    assert not either.matches({"a": 2, "b": 3})
    neither = parse_condition({"$not": {"done": True}})
    assert neither.matches({})
    assert not neither.matches({"done": True})


def test_spec_example_step_condition() -> None:
    condition = parse_condition({"customer": {"email": STRING, "validated": None}})
    assert condition.matches({"customer": {"email": "a@b.c"}})
    assert not condition.matches({"customer": {"email": "a@b.c", "validated": True}})


def test_decimal_data_from_dynamodb_matches_like_json_numbers() -> None:
    condition = parse_condition({"n": {"$gte": 1.5, "$lt": 3}, "ids": [2], "flag": True})
    data: dict[str, object] = {"n": Decimal("1.5"), "ids": [Decimal("1"), Decimal("2")], "flag": True}
    assert condition.matches(data)
    data["flag"] = Decimal("1")
    assert not condition.matches(data)


def test_decimal_values_in_a_condition_are_normalized() -> None:
    condition = parse_condition({"a": Decimal("2"), "b": {"$gt": Decimal("0.5")}})
    assert condition.wire == {"a": 2, "b": {"$gt": 0.5}}
    assert type(condition.wire["a"]) is int
