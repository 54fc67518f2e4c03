"""The JavaScript form of a condition: `to_js` for generated step files, and the bridge back to wire."""

import json
import re

import pytest
import quickjs

from aloma_core.conditions import CONDITION_TO_WIRE_JS, parse_condition, to_js
from aloma_core.errors import ConditionError
from aloma_core.json_types import JsonObject


def to_wire_in_js(js_source: str) -> object:
    context = quickjs.Context()
    context.eval(CONDITION_TO_WIRE_JS)
    text = context.eval(f"__alomaConditionToWire({js_source})")
    assert isinstance(text, str)
    return json.loads(text)


def bridge_error(js_source: str) -> str:
    with pytest.raises(quickjs.JSException) as caught:
        to_wire_in_js(js_source)
    return str(caught.value).splitlines()[0]


def test_spec_example_prints_as_a_step_author_writes_it() -> None:
    wire: JsonObject = {"customer": {"email": {"$type": "string"}, "validated": None}}
    assert to_js(wire) == "{ customer: { email: String, validated: null } }"


@pytest.mark.parametrize(
    ("wire", "js"),
    [
        ({"a": {"$type": "string"}}, "{ a: String }"),
        ({"a": {"$type": "number"}}, "{ a: Number }"),
        ({"a": {"$type": "boolean"}}, "{ a: Boolean }"),
        ({"a": {"$type": "object"}}, "{ a: Object }"),
        ({"a": {"$type": "array"}}, "{ a: Array }"),
        ({"a": {"$regex": "ab+c", "$flags": "i"}}, "{ a: /ab+c/i }"),
        ({"a": {"$regex": "a/b"}}, "{ a: /a\\/b/ }"),
        ({"a": {"$regex": ""}}, "{ a: /(?:)/ }"),
        ({"a": [1, 2.5, True, None, "x"]}, '{ a: [1, 2.5, true, null, "x"] }'),
        ({"a": {"$gt": 1, "$lt": 5}}, "{ a: { $gt: 1, $lt: 5 } }"),
        ({"a": {"$in": [{"b": [1]}]}}, "{ a: { $in: [{ b: [1] }] } }"),
        ({"a": {}, "b": []}, "{ a: {}, b: [] }"),
        ({}, "{}"),
        ({"$or": [{"a": 1}, {"b": 2}]}, "{ $or: [{ a: 1 }, { b: 2 }] }"),
    ],
)
def test_to_js_forms(wire: JsonObject, js: str) -> None:
    assert to_js(wire) == js


@pytest.mark.parametrize(
    ("key", "written"),
    [
        ("email", "email"),
        ("$via", "$via"),
        ("_x1", "_x1"),
        ("first name", '"first name"'),
        ("1a", '"1a"'),
        ("", '""'),
        ("a-b", '"a-b"'),
        ("__proto__", '["__proto__"]'),
        ("caf\u00e9", '"caf\u00e9"'),
    ],
)
def test_keys_are_quoted_only_when_needed(key: str, written: str) -> None:
    assert to_js({key: 1}) == f"{{ {written}: 1 }}"
    assert to_wire_in_js(to_js({key: 1})) == {key: 1}


def test_strings_are_escaped() -> None:
    js = to_js({"a": 'say "hi"\n\\', "b": "\ud800"})
    assert js == '{ a: "say \\"hi\\"\\n\\\\", b: "\\ud800" }'


def test_long_conditions_break_over_lines_with_two_space_indent() -> None:
    wire: JsonObject = {
        "customer": {"email": {"$type": "string"}, "validated": None, "name": {"$prefix": "A"}},
        "order": {"items": [{"sku": {"$regex": "^AB-\\d+$"}}], "total": {"$gte": 100}},
    }
    assert to_js(wire) == (
        "{\n"
        '  customer: { email: String, validated: null, name: { $prefix: "A" } },\n'
        "  order: { items: [{ sku: /^AB-\\d+$/ }], total: { $gte: 100 } },\n"
        "}"
    )
    assert to_wire_in_js(to_js(wire)) == wire


def test_nested_values_break_when_they_do_not_fit() -> None:
    wire: JsonObject = {"a": {"$in": ["x" * 30, "y" * 30, "z" * 30]}}
    assert to_js(wire) == (
        "{\n  a: {\n    $in: [\n"
        f'      "{"x" * 30}",\n      "{"y" * 30}",\n      "{"z" * 30}",\n'
        "    ],\n  },\n}"
    )


def test_to_js_refuses_an_invalid_wire_form() -> None:
    with pytest.raises(ConditionError):
        to_js({"a": {"$gt": "x"}})


def test_generated_step_statement_is_valid_javascript() -> None:
    wire: JsonObject = {"a": {"$regex": "x", "$flags": "im"}, "b": {"$not": {"$exists": True}}}
    context = quickjs.Context()
    context.eval(CONDITION_TO_WIRE_JS)
    context.eval(f"const condition = {to_js(wire)};")
    assert json.loads(context.eval("__alomaConditionToWire(condition)")) == wire


def test_bridge_reads_what_authors_write() -> None:
    source = """{
      // comments and trailing commas are fine
      customer: { email: String, validated: null, },
      tags: [Number, /ab+c/i, new RegExp("a/b", "m")],
      n: -0,
      "$via": { type: "webhook" },
      ["__proto__"]: 1,
      o: Object.assign(Object.create(null), { x: true }),
    }"""
    assert to_wire_in_js(source) == {
        "customer": {"email": {"$type": "string"}, "validated": None},
        "tags": [{"$type": "number"}, {"$regex": "ab+c", "$flags": "i"}, {"$regex": "a\\/b", "$flags": "m"}],
        "n": 0,
        "$via": {"type": "webhook"},
        "__proto__": 1,
        "o": {"x": True},
    }


@pytest.mark.parametrize(
    ("js", "message"),
    [
        (
            "{ a: { b: () => 1 } }",
            "condition.a.b: functions other than String, Number, Boolean, Object, Array are not allowed",
        ),
        ("{ a: Date }", "condition.a: functions other than String"),
        ("{ a: class {} }", "condition.a: functions other than String"),
        ("{ a: undefined }", "condition.a: undefined is not allowed"),
        ("{ a: [1, undefined] }", "condition.a[1]: undefined is not allowed"),
        ("{ a: NaN }", "condition.a: NaN is not allowed"),
        ("{ a: { b: -Infinity } }", "condition.a.b: -Infinity is not allowed"),
        ("{ a: Symbol('x') }", "condition.a: symbols are not allowed"),
        ("{ a: { [Symbol('x')]: 1 } }", "condition.a: symbol keys are not allowed"),
        ("{ a: 10n }", "condition.a: BigInt values are not allowed"),
        ("{ a: new Date(0) }", "condition.a: Date objects are not allowed"),
        ("{ a: new Map() }", "condition.a: Map objects are not allowed"),
        ("{ a: new (class Order {})() }", "condition.a: Order objects are not allowed"),
        ("{ a: new String('x') }", "condition.a: String objects are not allowed"),
        ("{ a: [1, , 2] }", "condition.a[1]: array holes are not allowed"),
        ("(() => { const o = {}; o.self = o; return { a: o }; })()", "condition.a.self: circular reference"),
        ("[1]", "condition: a condition must be an object"),
        ("/x/", "condition: a condition must be an object"),
        ("'x'", "condition: a condition must be an object"),
        ("null", "condition: a condition must be an object"),
        ("String", "condition: a condition must be an object"),
    ],
)
def test_bridge_refuses_values_with_a_path(js: str, message: str) -> None:
    assert bridge_error(js).startswith(f"TypeError: {message}")


def test_bridge_output_is_then_validated_by_parse_condition() -> None:
    wire = to_wire_in_js("{ a: /a/g }")
    with pytest.raises(ConditionError, match=re.escape('condition.a.$flags: flag "g"')):
        parse_condition(wire)


def test_bridge_returns_large_conditions_as_one_flat_string() -> None:
    wire: JsonObject = {f"key {i}": {"$in": [f"value {i}", i, {"nested": [i]}]} for i in range(300)}
    assert to_wire_in_js(to_js(wire)) == wire


@pytest.mark.parametrize("number", [2**53, 2.0**60, 4.315536518712678e16, 1e21, 5e-324, -1.5])
def test_bridge_numbers_read_back_as_the_same_double(number: float) -> None:
    back = to_wire_in_js(f"{{ a: {number!r} }}")
    assert isinstance(back, dict)
    assert back["a"] == number
