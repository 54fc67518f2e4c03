"""Wire form -> the JavaScript a step author would write, for generated step files.

The text must evaluate (through `CONDITION_TO_WIRE_JS`) back to exactly the same wire form,
so a step uploaded as JSON and one uploaded as a file are the same step. Layout follows the
common Prettier style: 2-space indent, an object or array stays on one line while it fits in
80 columns, trailing commas when broken over lines, keys quoted only when they must be.
"""

import json
import re
from dataclasses import dataclass

from ..json_types import JsonObject, JsonValue
from .condition import parse_condition
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
    op_name,
)

WIDTH = 80
_STATEMENT_PREFIX = "export const condition = "
_IDENTIFIER = re.compile(r"[A-Za-z_$][A-Za-z0-9_$]*\Z")
_SURROGATE = re.compile("[\ud800-\udfff]")
_CONSTRUCTORS = {
    "string": "String",
    "number": "Number",
    "boolean": "Boolean",
    "object": "Object",
    "array": "Array",
}


@dataclass(frozen=True)
class _Object:
    entries: tuple[tuple[str, "_Js"], ...]


@dataclass(frozen=True)
class _Array:
    items: tuple["_Js", ...]


_Js = str | _Object | _Array


def to_js(wire: JsonObject) -> str:
    """The JavaScript source of a wire-form condition, laid out for `export const condition = ...;`.

    Raises `ConditionError` when the wire form is not a valid condition.
    """
    node = parse_condition(wire).node
    return _layout(_from_node(node), len(_STATEMENT_PREFIX), 0, ";")


def _from_node(node: Node) -> _Js:
    if isinstance(node, TypeIs):
        return _CONSTRUCTORS[node.kind]
    if isinstance(node, IsNull):
        return "null"
    if isinstance(node, Equals):
        return _from_value(node.value)
    if isinstance(node, Regex):
        return f"/{node.source}/{node.flags}"
    if isinstance(node, ObjectPattern):
        return _Object(tuple((_key(key), _from_node(child)) for key, child in node.fields))
    if isinstance(node, ArrayPattern):
        return _Array(tuple(_from_node(item) for item in node.items))
    return _Object(tuple((op_name(op), _from_op(op)) for op in node.ops))


def _from_op(op: Op) -> _Js:
    if isinstance(op, Ne):
        return _from_value(op.value)
    if isinstance(op, In):
        return _Array(tuple(_from_value(value) for value in op.values))
    if isinstance(op, Exists):
        return _from_value(op.present)
    if isinstance(op, Compare):
        return _from_value(op.bound)
    if isinstance(op, Prefix | Suffix):
        return _from_value(op.text)
    if isinstance(op, Or):
        return _Array(tuple(_from_node(alternative) for alternative in op.alternatives))
    return _from_node(op.pattern)


def _from_value(value: JsonValue) -> _Js:
    if isinstance(value, dict):
        return _Object(tuple((_key(key), _from_value(item)) for key, item in value.items()))
    if isinstance(value, list):
        return _Array(tuple(_from_value(item) for item in value))
    if isinstance(value, str):
        return _string(value)
    if isinstance(value, float):
        return repr(value)
    return json.dumps(value)


def _string(text: str) -> str:
    """A double-quoted literal; lone surrogates are escaped so the file stays valid UTF-8."""
    quoted = json.dumps(text, ensure_ascii=False)
    return _SURROGATE.sub(lambda match: f"\\u{ord(match.group()):04x}", quoted)


def _key(key: str) -> str:
    if key == "__proto__":
        return '["__proto__"]'
    return key if _IDENTIFIER.match(key) else _string(key)


def _flat(js: _Js) -> str:
    if isinstance(js, str):
        return js
    if isinstance(js, _Array):
        return "[" + ", ".join(_flat(item) for item in js.items) + "]"
    if not js.entries:
        return "{}"
    return "{ " + ", ".join(f"{key}: {_flat(value)}" for key, value in js.entries) + " }"


def _layout(js: _Js, column: int, indent: int, after: str) -> str:
    """`js` starting at `column`, nested `indent` deep, followed on its last line by `after`."""
    flat = _flat(js)
    if isinstance(js, str) or column + len(flat) + len(after) <= WIDTH:
        return flat
    inner = indent + 2
    pad = " " * inner
    if isinstance(js, _Array):
        lines = [pad + _layout(item, inner, inner, ",") + "," for item in js.items]
        opening, closing = "[", "]"
    else:
        lines = [
            f"{pad}{key}: {_layout(value, inner + len(key) + 2, inner, ',')}," for key, value in js.entries
        ]
        opening, closing = "{", "}"
    return "\n".join([opening, *lines, " " * indent + closing])
