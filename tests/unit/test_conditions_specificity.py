"""Specificity orders steps in sequential mode: the number of leaf tests a match guarantees."""

import pytest

from aloma_core.conditions import parse_condition
from aloma_core.json_types import JsonObject

STRING = {"$type": "string"}


@pytest.mark.parametrize(
    ("wire", "expected"),
    [
        ({}, 0),
        ({"a": 1}, 1),
        ({"a": None}, 1),
        ({"a": STRING}, 1),
        ({"a": {"$regex": "x"}}, 1),
        ({"customer": {"email": STRING, "validated": None}}, 2),
        ({"a": {}}, 1),
        ({"a": []}, 1),
        ({"a": [1, STRING]}, 2),
        ({"a": [{"b": 1, "c": 2}]}, 2),
        ({"a": {"$gt": 1}}, 1),
        ({"a": {"$gt": 1, "$lt": 5}}, 2),
        ({"a": {"$exists": True, "$ne": None}}, 2),
        ({"a": {"$in": [1, 2, 3]}}, 1),
        ({"a": {"$ne": {"b": 1, "c": 2}}}, 1),
        ({"a": {"$or": [STRING, {"b": 1, "c": 2}]}}, 1),
        ({"a": {"$or": [{"b": 1, "c": 2}, {"b": 1, "c": 2, "d": 3}]}}, 2),
        ({"a": {"$not": {"b": 1, "c": 2}}}, 1),
        ({"$or": [{"a": 1}, {"b": 1, "c": 1}]}, 1),
        ({"$not": {"a": 1}}, 1),
        ({"a": 1, "b": {"c": {"$prefix": "x"}, "d": [{"$gte": 0}]}}, 3),
    ],
)
def test_specificity(wire: JsonObject, expected: int) -> None:
    assert parse_condition(wire).specificity == expected


def test_a_narrower_condition_is_more_specific() -> None:
    broad = parse_condition({"customer": {"email": STRING}})
    narrow = parse_condition({"customer": {"email": STRING, "validated": True}})
    assert narrow.specificity > broad.specificity
