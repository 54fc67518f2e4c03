"""ConditionIndex: same answers as testing every condition, while testing only plausible ones."""

from decimal import Decimal

import pytest

from aloma_core.conditions import Condition, ConditionIndex, parse_condition
from aloma_core.json_types import JsonObject


@pytest.fixture
def tested(monkeypatch: pytest.MonkeyPatch) -> list[Condition]:
    """Records every condition the index runs a matcher for."""
    calls: list[Condition] = []
    original = Condition.matches

    def spy(self: Condition, data: JsonObject) -> bool:
        calls.append(self)
        return original(self, data)

    monkeypatch.setattr(Condition, "matches", spy)
    return calls


def test_answers_in_the_order_conditions_were_added() -> None:
    index = ConditionIndex()
    index.add("b", parse_condition({"x": 1}))
    index.add("a", parse_condition({}))
    index.add("c", parse_condition({"y": {"$type": "string"}}))
    assert index.matching({"x": 1, "y": "s"}) == ["b", "a", "c"]
    assert index.matching({"x": 2}) == ["a"]


def test_add_replaces_and_remove_forgets() -> None:
    index = ConditionIndex()
    index.add("s", parse_condition({"x": 1}))
    index.add("s", parse_condition({"x": 2}))
    assert len(index) == 1
    assert index.matching({"x": 1}) == []
    assert index.matching({"x": 2}) == ["s"]
    index.remove("s")
    index.remove("s")
    assert "s" not in index
    assert index.matching({"x": 2}) == []


def test_pinned_values_follow_json_equality() -> None:
    index = ConditionIndex()
    index.add("one", parse_condition({"n": 1}))
    index.add("true", parse_condition({"n": True}))
    assert index.matching({"n": 1.0}) == ["one"]
    assert index.matching({"n": Decimal("1")}) == ["one"]
    assert index.matching({"n": True}) == ["true"]


def test_conditions_that_accept_absent_keys_are_always_tested() -> None:
    index = ConditionIndex()
    index.add("optional", parse_condition({"a": None, "b": {"$ne": 1}, "c": {"$exists": False}}))
    index.add("top or", parse_condition({"$or": [{"a": 1}, {"b": 2}]}))
    index.add("top not", parse_condition({"$not": {"a": 1}}))
    assert index.matching({}) == ["optional", "top not"]
    assert index.matching({"b": 2}) == ["optional", "top or", "top not"]
    assert index.matching({"b": 1, "a": 1}) == ["top or"]


def test_ten_thousand_pinned_steps_test_only_the_pinned_bucket(tested: list[Condition]) -> None:
    index = ConditionIndex()
    for i in range(10_000):
        index.add(f"step {i}", parse_condition({"type": f"t{i % 1000}", "n": {"$gt": i}}))
    assert index.matching({"type": "t7", "n": 5000}) == [f"step {i}" for i in range(7, 5000, 1000)]
    assert len(tested) == 10


def test_required_keys_prefilter_steps(tested: list[Condition]) -> None:
    index = ConditionIndex()
    for i in range(10_000):
        index.add(f"step {i}", parse_condition({f"k{i}": {"$type": "string"}, "other": None}))
    assert index.matching({"k1": "x", "k2": 3, "unrelated": 1}) == ["step 1"]
    assert len(tested) == 2


def test_required_keys_follow_the_absent_rule() -> None:
    condition = parse_condition(
        {
            "a": 1,
            "b": None,
            "c": {"$ne": 1},
            "d": {"$ne": None},
            "e": {"$in": [None, 1]},
            "f": {"$not": {"$exists": True}},
            "g": {"$or": [None, 1]},
            "h": {"$not": {"$type": "string"}},
        }
    )
    assert condition.required_keys == {"a", "d"}
