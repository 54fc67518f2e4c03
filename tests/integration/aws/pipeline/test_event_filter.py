"""The FilterCriteria emulation the driver applies to stream records: one row per rule."""

import json
from typing import Any

import pytest
from event_filter import UnsupportedPattern, matches, passes

TASK = {"eventName": "MODIFY", "dynamodb": {"NewImage": {"kind": {"S": "task"}, "tags": ["a", "b"]}}}


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ({"dynamodb": {"NewImage": {"kind": {"S": ["task"]}}}}, True),
        ({"dynamodb": {"NewImage": {"kind": {"S": ["event"]}}}}, False),
        ({"eventName": ["INSERT", "MODIFY"]}, True),
        ({"eventName": ["REMOVE"]}, False),
        ({"dynamodb": {"OldImage": {"kind": {"S": ["task"]}}}}, False),
        ({"dynamodb": {"NewImage": {"tags": ["b"]}}}, True),
        ({"dynamodb": {"NewImage": {"tags": ["c"]}}}, False),
        ({"eventName": {"nested": ["MODIFY"]}}, False),
        ({}, True),
    ],
)
def test_pattern_rules(pattern: dict[str, Any], expected: bool) -> None:
    assert matches(pattern, TASK) is expected


def test_true_is_not_one() -> None:
    assert not matches({"flag": [1]}, {"flag": True})
    assert matches({"flag": [True]}, {"flag": True})


def test_any_filter_lets_a_record_through_and_none_lets_all() -> None:
    criteria = {"Filters": [{"Pattern": json.dumps({"eventName": [name]})} for name in ("INSERT", "MODIFY")]}
    assert passes(criteria, TASK)
    assert not passes({"Filters": criteria["Filters"][:1]}, TASK)
    assert passes(None, TASK)


@pytest.mark.parametrize(
    "pattern",
    [{"eventName": [{"prefix": "MOD"}]}, {"eventName": "MODIFY"}, {"eventName": [["MODIFY"]]}],
)
def test_operators_not_emulated_are_refused(pattern: dict[str, Any]) -> None:
    with pytest.raises(UnsupportedPattern):
        matches(pattern, TASK)
