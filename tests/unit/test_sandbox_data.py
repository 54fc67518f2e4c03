"""A run's data in and out (datatext.py) and its changes (delta.py): the answers of a plain parse and
`changes.diff`, for less work."""

import json

import quickjs
from hypothesis import given, settings
from hypothesis import strategies as st
from sandbox_support import ok, run_body

from aloma_core.changes import Change, diff
from aloma_core.json_types import JsonObject, JsonValue
from aloma_core.sandbox import jsnumbers
from aloma_core.sandbox.datatext import DataText
from aloma_core.sandbox.delta import run_changes

json_scalars = (
    st.none()
    | st.booleans()
    | st.sampled_from([0, 1, 0.0, 1.0, -0.0, 2**53 + 1, 2**60, 10**21, 1e-7, 0.1])
    | st.integers(-(2**64), 2**64)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=5)
)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=4), inner, max_size=4),
    max_leaves=20,
)
json_objects = st.dictionaries(st.text(max_size=4), json_values, max_size=6)
# Enough to make DataText read a text piece by piece.
FILLER = [{"id": i, "name": f"row {i}", "ok": i % 2 == 0} for i in range(800)]


def javascript_text(data: JsonObject) -> str:
    """The data as a step leaves it untouched: JSON.stringify of what JSON.parse made of it."""
    context = quickjs.Context()
    context.set("text", json.dumps(data))
    text = context.eval("JSON.stringify(JSON.parse(text))")
    assert isinstance(text, str)
    return text


def exact(value: JsonValue) -> str:
    """Tells apart what `==` does not: True and 1, 1 and 1.0, key order."""
    return json.dumps(value)


def reference_changes(before: JsonObject, after: JsonObject) -> list[Change]:
    seen = jsnumbers.loads(json.dumps(before))
    assert isinstance(seen, dict)
    return diff(seen, after)


def as_javascript_holds(value: JsonValue) -> JsonValue:
    return jsnumbers.loads(json.dumps(value))


@st.composite
def runs(draw: st.DrawFn) -> tuple[JsonObject, JsonObject]:
    """Data before a run, and after as read back: mostly the same values, some changed, added or
    removed. A value left alone is the same object when JavaScript holds it as it was (datatext.py)."""
    before = draw(json_objects)
    after: JsonObject = {}
    for key, value in before.items():
        choice = draw(st.sampled_from(["keep", "keep", "copy", "change", "drop"]))
        held = as_javascript_holds(value)
        if choice == "keep":
            after[key] = value if held == value else held
        elif choice == "copy":
            after[key] = held
        elif choice == "change":
            after[key] = as_javascript_holds(draw(json_values))
    after.update({key: as_javascript_holds(value) for key, value in draw(json_objects).items()})
    return before, after


@given(runs())
@settings(max_examples=300)
def test_run_changes_are_diff_of_the_data_as_the_step_saw_it(pair: tuple[JsonObject, JsonObject]) -> None:
    before, after = pair
    assert run_changes(before, after, (json.dumps(before), json.dumps(after))) == reference_changes(
        before, after
    )


def test_a_boolean_that_became_a_number_is_a_change_even_deep_in_an_equal_looking_array() -> None:
    before: JsonObject = {"rows": [{"ok": True}, {"ok": 0}], "flag": False}
    after: JsonObject = {"rows": [{"ok": 1}, {"ok": False}], "flag": 0}
    texts = (json.dumps(before), json.dumps(after))
    assert run_changes(before, after, texts) == [
        Change("set", ("rows",), [{"ok": 1}, {"ok": False}]),
        Change("set", ("flag",), 0),
    ]


def test_reordered_keys_and_rounded_big_integers_are_no_change() -> None:
    before: JsonObject = {"a": {"x": 1, "y": [True]}, "id": 2**60 + 1, "n": 1.0}
    after: JsonObject = {"a": {"y": [True], "x": 1}, "id": 2**60, "n": 1}
    assert run_changes(before, after, (json.dumps(before), json.dumps(after))) == []


@given(json_objects)
@settings(max_examples=150, deadline=None)
def test_reading_javascripts_text_is_parsing_it(data: JsonObject) -> None:
    data = {**data, "filler": FILLER}
    text = javascript_text(data)
    read = DataText(data).read(text)
    assert exact(read) == exact(jsnumbers.loads(text))


def test_values_left_alone_are_taken_as_they_were_and_the_rest_is_parsed() -> None:
    data: JsonObject = {"same": FILLER, "float": 1.0, "text": "é", "big": 2**60, "gone": 1}
    after_text = json.dumps(
        {"big": 2**60, "same": FILLER, "text": "é", "float": 1, "new": [1]},
        ensure_ascii=False,
        separators=(",", ":"),
    )
    read = DataText(data).read(after_text)
    assert isinstance(read, dict)
    assert read["same"] is data["same"]
    assert exact(read) == exact(
        {"big": 1152921504606846976, "same": FILLER, "text": "é", "float": 1, "new": [1]}
    )


def test_a_text_that_is_no_object_is_parsed_as_it_is() -> None:
    assert DataText({"filler": FILLER}).read("[" + "1," * 10_000 + "1]") == [1] * 10_001


def test_the_data_text_is_json_of_the_data() -> None:
    data: JsonObject = {"a": [1, {"b": "é"}], "c": None}
    assert json.loads(DataText(data).text) == data
    many: JsonObject = {f"k{i}": i for i in range(100)}
    assert json.loads(DataText(many).text) == many


def test_long_digit_runs_decide_the_integer_hook() -> None:
    assert not jsnumbers.has_long_digits('{"id":900719925474099,"s":"x"}')
    assert jsnumbers.has_long_digits('{"id":9007199254740993}')
    assert jsnumbers.loads('{"id":9007199254740993,"f":1.5}') == {"id": 9007199254740992, "f": 1.5}
    assert jsnumbers.loads('{"id":12}') == {"id": 12}


def test_a_step_that_turns_a_flag_into_a_number_in_large_data_changes_it() -> None:
    data: JsonObject = {"rows": FILLER, "settings": {"ok": True}}
    result = ok(run_body("data.rows[3].ok = 0; data.settings.ok = 1; data.added = 'x';", data))
    changed = [*FILLER[:3], {**FILLER[3], "ok": 0}, *FILLER[4:]]
    assert result.changes == [
        Change("set", ("rows",), changed),
        Change("set", ("settings", "ok"), 1),
        Change("set", ("added",), "x"),
    ]
    assert result.data == {"rows": changed, "settings": {"ok": 1}, "added": "x"}


def test_large_data_left_alone_is_no_change() -> None:
    data: JsonObject = {"rows": FILLER, "id": 2**62 + 3, "name": "Zoë", "n": 2.0}
    result = ok(run_body("const copy = data.rows.map((r) => ({ ...r })); data.rows = copy;", data))
    assert result.changes == []
    assert result.data is not None
    assert result.data["rows"] == FILLER
