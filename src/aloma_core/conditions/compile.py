"""Parsed tree -> plain closures, built once per condition and run on every data change.

Each matcher takes one data value, or `MISSING` when the key is absent, which is how `null`,
`$ne` and `$exists` tell "absent" from "present and null". JSON typing is strict: a boolean is
never a number (Python's `True == 1` must not leak in) and `decimal.Decimal` from DynamoDB is a
number like any other.
"""

import operator
from collections.abc import Callable
from decimal import Decimal
from typing import Final, cast

from ..changes import json_equal, json_number
from ..json_types import JsonValue
from .nodes import (
    ArrayPattern,
    Compare,
    Equals,
    Exists,
    In,
    IsNull,
    Ne,
    Node,
    ObjectPattern,
    Op,
    Or,
    Prefix,
    Regex,
    Suffix,
    TypeIs,
)

Matcher = Callable[[object], bool]


class _Missing:
    def __repr__(self) -> str:
        return "MISSING"


MISSING: Final = _Missing()

_COMPARISONS: dict[str, Callable[[float, float], bool]] = {
    "$gt": operator.gt,
    "$gte": operator.ge,
    "$lt": operator.lt,
    "$lte": operator.le,
}


def number_of(value: object) -> int | float | None:
    """The value as a JSON number, or None for anything else (booleans included)."""
    if type(value) is int or type(value) is float:
        return value
    if isinstance(value, Decimal):
        return json_number(value)
    return None


def _is_number(value: object) -> bool:
    return type(value) in (int, float) or isinstance(value, Decimal)


def compile_node(node: Node) -> Matcher:
    if isinstance(node, TypeIs):
        return _type_matcher(node.kind)
    if isinstance(node, IsNull):
        return _is_null
    if isinstance(node, Equals):
        return equals_matcher(node.value)
    if isinstance(node, Regex):
        test = node.matches
        return lambda value: isinstance(value, str) and test(value)
    if isinstance(node, ObjectPattern):
        return _object_matcher(tuple((key, compile_node(child)) for key, child in node.fields))
    if isinstance(node, ArrayPattern):
        return _array_matcher(tuple(compile_node(item) for item in node.items))
    return _all_of(tuple(_op_matcher(op) for op in node.ops))


def equals_matcher(expected: JsonValue) -> Matcher:
    """Equality with a literal as a condition means it: `null` is absent or null."""
    if expected is None:
        return _is_null
    if isinstance(expected, bool):
        return lambda value: value is expected
    if isinstance(expected, str):
        return lambda value: isinstance(value, str) and value == expected
    if isinstance(expected, int | float):
        return lambda value: number_of(value) == expected
    return lambda value: value is not MISSING and json_equal(cast(JsonValue, value), expected)


def _is_null(value: object) -> bool:
    return value is None or value is MISSING


def _type_matcher(kind: str) -> Matcher:
    checks: dict[str, Matcher] = {
        "string": lambda value: isinstance(value, str),
        "number": _is_number,
        "boolean": lambda value: isinstance(value, bool),
        "object": lambda value: isinstance(value, dict),
        "array": lambda value: isinstance(value, list),
    }
    return checks[kind]


def _object_matcher(fields: tuple[tuple[str, Matcher], ...]) -> Matcher:
    def match(value: object) -> bool:
        if not isinstance(value, dict):
            return False
        return all(matcher(value.get(key, MISSING)) for key, matcher in fields)

    return match


def _array_matcher(items: tuple[Matcher, ...]) -> Matcher:
    def match(value: object) -> bool:
        if not isinstance(value, list):
            return False
        return all(any(matcher(element) for element in value) for matcher in items)

    return match


def _all_of(matchers: tuple[Matcher, ...]) -> Matcher:
    if len(matchers) == 1:
        return matchers[0]
    return lambda value: all(matcher(value) for matcher in matchers)


def _op_matcher(op: Op) -> Matcher:
    if isinstance(op, Ne):
        equal = equals_matcher(op.value)
        return lambda value: not equal(value)
    if isinstance(op, Exists):
        present = op.present
        return lambda value: (value is not MISSING) is present
    if isinstance(op, In):
        return _in_matcher(op.values)
    if isinstance(op, Compare):
        return _compare_matcher(_COMPARISONS[op.op], op.bound)
    if isinstance(op, Prefix):
        prefix = op.text
        return lambda value: isinstance(value, str) and value.startswith(prefix)
    if isinstance(op, Suffix):
        suffix = op.text
        return lambda value: isinstance(value, str) and value.endswith(suffix)
    if isinstance(op, Or):
        alternatives = tuple(compile_node(alternative) for alternative in op.alternatives)
        return lambda value: any(matcher(value) for matcher in alternatives)
    negated = compile_node(op.pattern)
    return lambda value: not negated(value)


def _compare_matcher(compare: Callable[[float, float], bool], bound: int | float) -> Matcher:
    def match(value: object) -> bool:
        number = number_of(value)
        return number is not None and compare(number, bound)

    return match


def _in_matcher(values: tuple[JsonValue, ...]) -> Matcher:
    """Strings, the usual case, are a set lookup; other values are compared one by one."""
    strings = frozenset(value for value in values if isinstance(value, str))
    others = tuple(equals_matcher(value) for value in values if not isinstance(value, str))

    def match(value: object) -> bool:
        if isinstance(value, str):
            return value in strings
        return any(matcher(value) for matcher in others)

    return match
