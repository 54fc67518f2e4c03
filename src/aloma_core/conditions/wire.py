"""Wire form <-> parsed tree: every refusal of a bad condition happens here, with its path.

The wire form is JSON: `String` is `{"$type": "string"}`, `/ab+c/i` is
`{"$regex": "ab+c", "$flags": "i"}`. Parsing also normalizes (regex source as a literal body,
flags in canonical order, numbers as JavaScript holds them) so that the stored form, the
step-file form and the form read back from a step file are the same JSON.
"""

import math
from decimal import Decimal

from ..changes import json_number
from ..errors import ConditionError
from ..json_types import JsonObject, JsonValue
from . import regex
from .nodes import (
    COMPARE_OPS,
    JSON_KINDS,
    RESERVED_NAMES,
    ArrayPattern,
    Compare,
    Equals,
    Exists,
    In,
    IsNull,
    Ne,
    Node,
    Not,
    ObjectPattern,
    Op,
    Operators,
    Or,
    Prefix,
    Regex,
    Suffix,
    TypeIs,
    op_name,
)

_TOP_LEVEL_OPERATORS = frozenset({"$or", "$not"})
_MAX_SAFE_INTEGER = 2**53
_MAX_DEPTH = 32


def parse_wire(wire: object, path: str = "condition") -> ObjectPattern | Operators:
    """The tree of a whole condition: an object of data keys, or a top-level `$or` / `$not`."""
    if not isinstance(wire, dict):
        raise ConditionError(path, "expected an object, like {customer: {email: String}}")
    _check_depth(wire, path)
    node = _pattern(wire, path)
    if isinstance(node, Operators):
        for op in node.ops:
            if op_name(op) not in _TOP_LEVEL_OPERATORS:
                raise ConditionError(
                    f"{path}.{op_name(op)}",
                    "only $or and $not can be used at the top level (the data is always an object); "
                    "put this operator under the key it tests",
                )
        return node
    if not isinstance(node, ObjectPattern):
        raise ConditionError(path, "expected an object of data keys, not a type or a regex")
    return node


def _check_depth(wire: object, path: str) -> None:
    """Refuse deep nesting up front, without recursion, so no later walk can overflow the stack."""
    stack = [(wire, 0)]
    while stack:
        value, depth = stack.pop()
        if depth > _MAX_DEPTH:
            raise ConditionError(path, f"nested deeper than {_MAX_DEPTH} levels")
        if isinstance(value, dict):
            stack.extend((item, depth + 1) for item in value.values())
        elif isinstance(value, list):
            stack.extend((item, depth + 1) for item in value)


def to_wire(node: Node) -> JsonValue:
    """The normalized wire JSON of a tree (fresh objects, safe to mutate)."""
    if isinstance(node, TypeIs):
        return {"$type": node.kind}
    if isinstance(node, IsNull):
        return None
    if isinstance(node, Equals):
        return node.value
    if isinstance(node, Regex):
        out: JsonObject = {"$regex": node.source}
        if node.flags:
            out["$flags"] = node.flags
        return out
    if isinstance(node, ArrayPattern):
        return [to_wire(item) for item in node.items]
    return object_wire(node)


def object_wire(node: ObjectPattern | Operators) -> JsonObject:
    """The wire JSON of an object pattern or operator object, such as a whole condition."""
    if isinstance(node, ObjectPattern):
        return {key: to_wire(child) for key, child in node.fields}
    return {op_name(op): _op_wire(op) for op in node.ops}


def _op_wire(op: Op) -> JsonValue:
    if isinstance(op, Ne):
        return _copy(op.value)
    if isinstance(op, In):
        return [_copy(value) for value in op.values]
    if isinstance(op, Exists):
        return op.present
    if isinstance(op, Compare):
        return op.bound
    if isinstance(op, Prefix | Suffix):
        return op.text
    if isinstance(op, Or):
        return [to_wire(alternative) for alternative in op.alternatives]
    return to_wire(op.pattern)


def _copy(value: JsonValue) -> JsonValue:
    if isinstance(value, dict):
        return {key: _copy(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_copy(item) for item in value]
    return value


def _pattern(value: object, path: str) -> Node:
    if value is None:
        return IsNull()
    if isinstance(value, bool | str):
        return Equals(value)
    if isinstance(value, int | float | Decimal):
        return Equals(_number(value, path))
    if isinstance(value, list):
        return ArrayPattern(tuple(_pattern(item, f"{path}[{i}]") for i, item in enumerate(value)))
    if isinstance(value, dict):
        return _object(value, path)
    raise ConditionError(path, f"expected a JSON value, got {type(value).__name__}")


def _object(value: dict[object, object], path: str) -> Node:
    keys = _string_keys(value, path)
    reserved = [key for key in keys if key in RESERVED_NAMES]
    if not reserved:
        return ObjectPattern(tuple((key, _pattern(value[key], f"{path}.{key}")) for key in keys))
    data_keys = [key for key in keys if key not in RESERVED_NAMES]
    if data_keys:
        raise ConditionError(
            path,
            f"an object cannot mix operators ({', '.join(reserved)}) with data keys "
            f"({', '.join(data_keys)}); a data key spelled like an operator cannot be matched",
        )
    if "$type" in value:
        return _type(value, path)
    if "$regex" in value or "$flags" in value:
        return _regex(value, path)
    return Operators(tuple(_operator(key, value[key], f"{path}.{key}") for key in keys))


def _string_keys(value: dict[object, object], path: str) -> list[str]:
    keys: list[str] = []
    for key in value:
        if not isinstance(key, str):
            raise ConditionError(path, f"object keys must be strings, got {key!r}")
        keys.append(key)
    return keys


def _type(value: dict[object, object], path: str) -> TypeIs:
    if len(value) != 1:
        raise ConditionError(path, '$type stands alone, like {"$type": "string"}')
    kind = value["$type"]
    if kind not in JSON_KINDS:
        raise ConditionError(
            f"{path}.$type", f"unknown type {kind!r}; expected one of {', '.join(JSON_KINDS)}"
        )
    return TypeIs(kind)


def _regex(value: dict[object, object], path: str) -> Regex:
    extra = [str(key) for key in value if key not in ("$regex", "$flags")]
    if extra:
        raise ConditionError(path, f"$regex only goes with $flags, not with {', '.join(extra)}")
    if "$regex" not in value:
        raise ConditionError(f"{path}.$flags", "$flags needs a $regex next to it")
    source, flags = value["$regex"], value.get("$flags", "")
    if not isinstance(source, str):
        raise ConditionError(f"{path}.$regex", "expected a string (the regex source)")
    if not isinstance(flags, str):
        raise ConditionError(f"{path}.$flags", 'expected a string of flags, like "i"')
    try:
        flags = regex.normalize_flags(flags)
    except regex.RegexRefused as exc:
        raise ConditionError(f"{path}.$flags", str(exc)) from exc
    try:
        translated = regex.translate(source, flags)
    except regex.RegexRefused as exc:
        raise ConditionError(f"{path}.$regex", str(exc)) from exc
    return Regex(translated.source, translated.flags, translated.matches)


def _operator(name: str, value: object, path: str) -> Op:
    """One operator of an operator object; `name` is one of OPERATOR_NAMES."""
    if name == "$ne":
        return Ne(_literal(value, path))
    if name == "$exists":
        if not isinstance(value, bool):
            raise ConditionError(path, "expected true or false")
        return Exists(value)
    if name == "$in":
        if not isinstance(value, list):
            raise ConditionError(path, "expected a list")
        if not value:
            raise ConditionError(path, "expected a non-empty list (an empty $in never matches)")
        return In(tuple(_literal(item, f"{path}[{i}]") for i, item in enumerate(value)))
    if name in COMPARE_OPS:
        if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
            raise ConditionError(path, "expected a number")
        return Compare(name, _number(value, path))
    if name in ("$prefix", "$suffix"):
        if not isinstance(value, str):
            raise ConditionError(path, "expected a string")
        return Prefix(value) if name == "$prefix" else Suffix(value)
    if name == "$or":
        if not isinstance(value, list) or not value:
            raise ConditionError(path, "expected a non-empty list")
        return Or(tuple(_pattern(item, f"{path}[{i}]") for i, item in enumerate(value)))
    return Not(_pattern(value, path))


def _literal(value: object, path: str) -> JsonValue:
    """A plain JSON value compared by equality ($ne, $in): types and regexes make no sense here."""
    if value is None or isinstance(value, bool | str):
        return value
    if isinstance(value, int | float | Decimal):
        return _number(value, path)
    if isinstance(value, list):
        return [_literal(item, f"{path}[{i}]") for i, item in enumerate(value)]
    if isinstance(value, dict):
        out: JsonObject = {}
        for key in _string_keys(value, path):
            if key in RESERVED_NAMES:
                raise ConditionError(
                    f"{path}.{key}",
                    f"{key} is reserved: a value compared by equality cannot hold a type, "
                    "a regex or an operator",
                )
            out[key] = _literal(value[key], f"{path}.{key}")
        return out
    raise ConditionError(path, f"expected a JSON value, got {type(value).__name__}")


def _number(value: int | float | Decimal, path: str) -> int | float:
    """The number as JavaScript holds it: a double, written as an int while it is a safe integer.

    Canonical numbers make the wire form, the JavaScript form and the bridge's output agree
    (`1.0` and `1` are one condition; `2**60` is the double it denotes).
    """
    number = json_number(value)
    if isinstance(number, int):
        if abs(number) <= _MAX_SAFE_INTEGER:
            return number
        if not _is_double(number):
            raise ConditionError(
                path, f"{number} cannot be represented exactly in JavaScript (integers up to 2^53 can)"
            )
        number = float(number)
    if not math.isfinite(number):
        raise ConditionError(path, "expected a finite number")
    if number.is_integer() and abs(number) <= _MAX_SAFE_INTEGER:
        return int(number)
    return number


def _is_double(number: int) -> bool:
    try:
        return float(number) == number
    except OverflowError:
        return False
