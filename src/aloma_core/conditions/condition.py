"""The Condition value: parsed once, compiled once, then matched against every data change."""

import json

from ..json_types import JsonObject, JsonValue
from .compile import compile_node
from .nodes import ObjectPattern, Operators
from .specificity import condition_specificity
from .wire import object_wire, parse_wire


class Condition:
    """An immutable, validated condition.

    `specificity` is the number of leaf tests: each type, `null`, literal, regex and operator
    counts 1 (so `{$gt: 1, $lt: 5}` is 2); nested `{}` / `[]` count 1; `$or` counts its least
    specific alternative; `$not` counts 1. See `specificity.py` for why.
    """

    __slots__ = ("_match", "_node", "_specificity", "_wire_text")

    def __init__(self, node: ObjectPattern | Operators) -> None:
        self._node = node
        self._match = compile_node(node)
        self._specificity = condition_specificity(node)
        self._wire_text = json.dumps(object_wire(node), sort_keys=True)

    @property
    def node(self) -> ObjectPattern | Operators:
        """The parsed tree, for printers and indexes."""
        return self._node

    @property
    def wire(self) -> JsonObject:
        """The normalized wire form (a fresh copy each time)."""
        return object_wire(self._node)

    @property
    def specificity(self) -> int:
        return self._specificity

    def matches(self, data: JsonObject) -> bool:
        return self._match(data)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Condition) and other._wire_text == self._wire_text

    def __hash__(self) -> int:
        return hash(self._wire_text)

    def __repr__(self) -> str:
        return f"Condition({self._wire_text})"


def parse_condition(wire: JsonValue, path: str = "condition") -> Condition:
    """Validate a wire-form condition; a bad one raises `ConditionError` naming its path."""
    return Condition(parse_wire(wire, path))
