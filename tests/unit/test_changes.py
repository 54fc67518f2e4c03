"""diff / apply / conflicts / merge patch: the merge rules parallel runs rely on."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from aloma_core.changes import Change, apply, conflicting_paths, diff, json_equal, merge_patch
from aloma_core.json_types import JsonObject, JsonValue

json_scalars = (
    st.none()
    | st.booleans()
    | st.integers(-(2**53), 2**53)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=5)
)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=4), inner, max_size=4),
    max_leaves=20,
)
json_objects = st.dictionaries(st.text(max_size=4), json_values, max_size=6)


@given(json_objects, json_objects)
def test_apply_of_diff_rebuilds_the_target(before: JsonObject, after: JsonObject) -> None:
    assert json_equal(apply(diff(before, after), before), after)


@given(json_objects)
def test_no_change_gives_no_changes(data: JsonObject) -> None:
    assert diff(data, data) == []


def test_diff_recurses_into_objects_and_replaces_arrays_whole() -> None:
    before: JsonObject = {"a": {"b": 1, "c": 2}, "list": [1, 2], "gone": True}
    after: JsonObject = {"a": {"b": 1, "c": 3}, "list": [1, 2, 3], "new": None}
    assert diff(before, after) == [
        Change("delete", ("gone",)),
        Change("set", ("a", "c"), 3),
        Change("set", ("list",), [1, 2, 3]),
        Change("set", ("new",), None),
    ]


def test_true_and_one_are_different_values() -> None:
    assert diff({"v": 1}, {"v": True}) == [Change("set", ("v",), True)]
    assert not json_equal(True, 1)
    assert json_equal(1, 1.0)
    assert json_equal(Decimal("1.5"), 1.5)
    assert not json_equal(Decimal("1"), True)


def test_apply_creates_missing_parents_and_replaces_scalar_parents() -> None:
    assert apply([Change("set", ("a", "b", "c"), 1)], {}) == {"a": {"b": {"c": 1}}}
    assert apply([Change("set", ("a", "b"), 1)], {"a": 5}) == {"a": {"b": 1}}


def test_apply_deletes_and_ignores_missing_paths() -> None:
    assert apply([Change("delete", ("a", "b"))], {"a": {"b": 1, "c": 2}}) == {"a": {"c": 2}}
    assert apply([Change("delete", ("x", "y"))], {"a": 1}) == {"a": 1}


def test_apply_sets_array_elements_by_index() -> None:
    assert apply([Change("set", ("l", 1), "x")], {"l": [1, 2]}) == {"l": [1, "x"]}


def test_apply_does_not_mutate_its_input() -> None:
    data: JsonObject = {"a": {"b": 1}}
    apply([Change("set", ("a", "b"), 2)], data)
    assert data == {"a": {"b": 1}}


def test_parallel_changes_to_different_fields_both_survive() -> None:
    base: JsonObject = {"customer": {"email": "a@b.c"}}
    crm = diff(base, {"customer": {"email": "a@b.c", "crm_id": 7}})
    mail = diff(base, {"customer": {"email": "a@b.c"}, "welcome_sent": True})
    merged = apply(mail, apply(crm, base))
    assert merged == {"customer": {"email": "a@b.c", "crm_id": 7}, "welcome_sent": True}
    assert conflicting_paths(crm, mail) == []


@pytest.mark.parametrize(
    ("first", "second", "expected"),
    [
        ([Change("set", ("a",), 1)], [Change("set", ("a",), 2)], [("a",)]),
        ([Change("set", ("a",), {})], [Change("set", ("a", "b"), 2)], [("a",)]),
        ([Change("delete", ("a", "b"))], [Change("set", ("a",), 2)], [("a",)]),
        ([Change("set", ("a", "b"), 1)], [Change("set", ("a", "c"), 2)], []),
    ],
)
def test_conflicts_are_overlapping_paths(
    first: list[Change], second: list[Change], expected: list[tuple[str, ...]]
) -> None:
    assert conflicting_paths(first, second) == expected


def test_change_json_round_trip_and_refusals() -> None:
    change = Change("set", ("a", 0), {"x": 1})
    assert Change.from_json(change.to_json()) == change
    assert Change.from_json({"op": "delete", "path": ["a"]}) == Change("delete", ("a",))
    with pytest.raises(ValueError, match="not a change"):
        Change.from_json({"op": "move", "path": ["a"]})
    with pytest.raises(ValueError, match="bad path key"):
        Change.from_json({"op": "set", "path": [True], "value": 1})


@pytest.mark.parametrize(
    ("target", "patch", "expected"),
    [
        ({"a": "b"}, {"a": "c"}, {"a": "c"}),
        ({"a": "b"}, {"b": "c"}, {"a": "b", "b": "c"}),
        ({"a": "b"}, {"a": None}, {}),
        ({"a": "b", "b": "c"}, {"a": None}, {"b": "c"}),
        ({"a": ["b"]}, {"a": "c"}, {"a": "c"}),
        ({"a": "c"}, {"a": ["b"]}, {"a": ["b"]}),
        ({"a": {"b": "c"}}, {"a": {"b": "d", "c": None}}, {"a": {"b": "d"}}),
        ({"a": [{"b": "c"}]}, {"a": [1]}, {"a": [1]}),
        (["a", "b"], ["c", "d"], ["c", "d"]),
        ({"a": "b"}, ["c"], ["c"]),
        ({"e": None}, {"a": 1}, {"e": None, "a": 1}),
        ([1, 2], {"a": "b", "c": None}, {"a": "b"}),
        ({}, {"a": {"bb": {"ccc": None}}}, {"a": {"bb": {}}}),
    ],
)
def test_merge_patch_follows_rfc_7396_examples(
    target: JsonValue, patch: JsonValue, expected: JsonValue
) -> None:
    assert merge_patch(target, patch) == expected
