"""ConditionIndex: the same answers as testing every condition, with work that follows the task."""

from collections.abc import Callable
from decimal import Decimal

import pytest
from test_conditions_matching import ABSENT, ROWS

from aloma_core.conditions import Condition, ConditionIndex, clauses, parse_condition
from aloma_core.conditions.nodes import Node
from aloma_core.json_types import JsonObject, JsonValue


@pytest.fixture
def tested(monkeypatch: pytest.MonkeyPatch) -> list[Condition]:
    """Records every condition the index runs a whole matcher for."""
    calls: list[Condition] = []
    original = Condition.matches

    def spy(self: Condition, data: JsonObject) -> bool:
        calls.append(self)
        return original(self, data)

    monkeypatch.setattr(Condition, "matches", spy)
    return calls


@pytest.fixture
def checked(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """Records every residual check the index runs (the value it was given)."""
    calls: list[object] = []
    original = clauses.compile_node

    def counting(node: Node) -> Callable[[object], bool]:
        matcher = original(node)

        def check(value: object) -> bool:
            calls.append(value)
            return matcher(value)

        return check

    monkeypatch.setattr(clauses, "compile_node", counting)
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


def test_conditions_without_a_positive_test_are_the_only_ones_matched_whole(tested: list[Condition]) -> None:
    index = ConditionIndex()
    index.add("optional", parse_condition({"a": None, "b": {"$ne": 1}, "c": {"$exists": False}}))
    index.add("top or", parse_condition({"$or": [{"a": 1}, {"b": 2}]}))
    index.add("top not", parse_condition({"$not": {"a": 1}}))
    assert index.matching({}) == ["optional", "top not"]
    assert index.matching({"b": 2}) == ["optional", "top or", "top not"]
    assert index.matching({"b": 1, "a": 1}) == ["top or"]
    assert set(tested) == {
        parse_condition({"a": None, "b": {"$ne": 1}, "c": {"$exists": False}}),
        parse_condition({"$not": {"a": 1}}),
    }


def test_ten_thousand_steps_run_no_matcher_and_only_the_checks_of_reached_clauses(
    tested: list[Condition], checked: list[object]
) -> None:
    index = ConditionIndex()
    for i in range(5_000):
        index.add(f"range {i}", parse_condition({"type": f"t{i % 1000}", "n": {"$gt": i}}))
        index.add(f"regex {i}", parse_condition({"type": f"t{i}", "email": {"$regex": "@x\\.com$"}}))
    found = index.matching({"type": "t7", "n": 5000, "email": "a@x.com"})
    assert found == ["range 7", "regex 7", "range 1007", "range 2007", "range 3007", "range 4007"]
    assert tested == []
    assert checked == ["a@x.com"]


def test_shared_tests_are_filed_once_and_matched_by_lookup(tested: list[Condition]) -> None:
    index = ConditionIndex()
    for i in range(10_000):
        condition = {"customer": {"email": {"$type": "string"}, "tier": f"tier {i % 100}"}, "k": i}
        index.add(f"step {i}", parse_condition(condition))
    data: JsonObject = {"customer": {"email": "a@b.c", "tier": "tier 42"}, "k": 4242}
    assert index.matching(data) == ["step 4242"]
    assert tested == []


# Each row of the condition table, embedded in conditions the index files in different ways.
EMBEDDINGS: list[tuple[Callable[[JsonValue], JsonValue], Callable[[object], object]]] = [
    (lambda p: {"v": p}, lambda v: {} if v is ABSENT else {"v": v}),
    (lambda p: {"k": "x", "v": p}, lambda v: {"k": "x"} if v is ABSENT else {"k": "x", "v": v}),
    (lambda p: {"o": {"v": p, "w": 1}}, lambda v: {"o": {"w": 1} if v is ABSENT else {"v": v, "w": 1}}),
    (lambda p: {"a": [{"v": p}]}, lambda v: {"a": [{"w": 1}, {} if v is ABSENT else {"v": v}]}),
    (
        lambda p: {"a": [{"v": p, "w": 1}]},
        lambda v: {"a": [{"w": 1}, {"w": 1} if v is ABSENT else {"v": v, "w": 1}]},
    ),
    (lambda p: {"$or": [{"v": p}, {"z": 1}]}, lambda v: {} if v is ABSENT else {"v": v}),
]


@pytest.mark.parametrize("embedding", range(len(EMBEDDINGS)))
def test_every_row_of_the_condition_table_through_the_index(embedding: int) -> None:
    wrap, place = EMBEDDINGS[embedding]
    index = ConditionIndex()
    conditions = {f"row {i}": parse_condition(wrap(pattern)) for i, (_, pattern, _, _) in enumerate(ROWS)}
    for name, condition in conditions.items():
        index.add(name, condition)
    for _, _, value, _ in ROWS:
        data = place(value)
        assert isinstance(data, dict)
        assert index.matching(data) == [name for name, c in conditions.items() if c.matches(data)], data


def test_array_elements_reach_every_step_they_satisfy() -> None:
    index = ConditionIndex()
    index.add("a", parse_condition({"tags": ["a"]}))
    index.add("b", parse_condition({"tags": ["b"]}))
    index.add("both", parse_condition({"tags": ["a", "b"]}))
    index.add("same element", parse_condition({"lines": [{"sku": "x", "qty": 2}]}))
    index.add("any element", parse_condition({"lines": [{"sku": "x"}, {"qty": 2}]}))
    assert index.matching({"tags": ["b", "a", "b"]}) == ["a", "b", "both"]
    assert index.matching({"lines": [{"sku": "x", "qty": 1}, {"sku": "y", "qty": 2}]}) == ["any element"]
    assert index.matching({"lines": [{"sku": "x", "qty": 2}]}) == ["same element", "any element"]
    assert index.matching({"tags": "a", "lines": {"sku": "x", "qty": 2}}) == []


def test_ranges_prefixes_and_suffixes_at_their_edges() -> None:
    index = ConditionIndex()
    index.add("gt", parse_condition({"n": {"$gt": 1}}))
    index.add("gte lt", parse_condition({"n": {"$gte": 1, "$lt": 2}}))
    index.add("lte", parse_condition({"n": {"$lte": 1}}))
    index.add("empty prefix", parse_condition({"s": {"$prefix": ""}}))
    index.add("empty suffix", parse_condition({"s": {"$suffix": ""}}))
    index.add("suffix", parse_condition({"s": {"$suffix": "ab"}}))
    assert index.matching({"n": 1}) == ["gte lt", "lte"]
    assert index.matching({"n": Decimal("1.5")}) == ["gt", "gte lt"]
    assert index.matching({"n": 2.0}) == ["gt"]
    assert index.matching({"n": Decimal("NaN")}) == []
    assert index.matching({"n": True}) == []
    assert index.matching({"s": "ab"}) == ["empty prefix", "empty suffix", "suffix"]
    assert index.matching({"s": "b"}) == ["empty prefix", "empty suffix"]
    assert index.matching({"s": ""}) == ["empty prefix", "empty suffix"]


def test_data_keys_spelled_like_operators_are_ordinary_data() -> None:
    index = ConditionIndex()
    index.add("via", parse_condition({"$via": {"type": "webhook"}}))
    index.add("ne", parse_condition({"x": {"$ne": 1}, "k": 1}))
    assert index.matching({"$via": {"type": "webhook"}, "k": 1, "x": {"$ne": 1}}) == ["via", "ne"]
    assert index.matching({"via": {"type": "webhook"}, "k": 1, "x": 1}) == []


def test_removing_every_step_empties_the_trie() -> None:
    index = ConditionIndex()
    wires: list[JsonObject] = [
        {"a": 1, "b": {"$gt": 2}},
        {"a": 1, "c": [{"d": "x"}]},
        {"$or": [{"a": 1}, {"a": 1}, {"e": {"$prefix": "p"}}]},
        {"f": {"$regex": "x"}, "g": None},
    ]
    for i, wire in enumerate(wires):
        index.add(f"step {i}", parse_condition(wire))
    for i in range(len(wires)):
        index.remove(f"step {i}")
    assert len(index) == 0
    assert index.matching({"a": 1, "b": 3, "c": [{"d": "x"}], "e": "p", "f": "x"}) == []
    assert repr(index) == repr(ConditionIndex()) == "ConditionIndex(0 conditions, 1 trie nodes, 0 paths)"
