"""The parsed form of a condition: a small tree that compiling, indexing and printing all walk.

Parsing validates once; everything downstream can then trust the shape and never re-check
the wire JSON.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal, TypeAlias

from ..json_types import JsonValue

JsonKind = Literal["string", "number", "boolean", "object", "array"]
Scalar: TypeAlias = str | int | float | bool
CompareOp = Literal["$gt", "$gte", "$lt", "$lte"]

JSON_KINDS: tuple[JsonKind, ...] = ("string", "number", "boolean", "object", "array")
COMPARE_OPS: tuple[CompareOp, ...] = ("$gt", "$gte", "$lt", "$lte")
OPERATOR_NAMES = frozenset({"$ne", "$exists", "$in", *COMPARE_OPS, "$prefix", "$suffix", "$or", "$not"})
WIRE_NAMES = frozenset({"$type", "$regex", "$flags"})
RESERVED_NAMES = OPERATOR_NAMES | WIRE_NAMES


@dataclass(frozen=True)
class TypeIs:
    """`String`, `Number`, ...: present, not null, of this JSON type."""

    kind: JsonKind


@dataclass(frozen=True)
class IsNull:
    """`null`: absent or null."""


@dataclass(frozen=True)
class Equals:
    """A scalar literal; numbers compare by value, booleans only with booleans."""

    value: Scalar


@dataclass(frozen=True)
class Regex:
    """A JavaScript regex (normalized source and flags) with the linear-time test that runs it."""

    source: str
    flags: str
    matches: Callable[[str], bool] = field(compare=False)


@dataclass(frozen=True)
class ObjectPattern:
    fields: tuple[tuple[str, "Node"], ...]


@dataclass(frozen=True)
class ArrayPattern:
    items: tuple["Node", ...]


@dataclass(frozen=True)
class Ne:
    value: JsonValue


@dataclass(frozen=True)
class Exists:
    present: bool


@dataclass(frozen=True)
class In:
    values: tuple[JsonValue, ...]


@dataclass(frozen=True)
class Compare:
    op: CompareOp
    bound: int | float


@dataclass(frozen=True)
class Prefix:
    text: str


@dataclass(frozen=True)
class Suffix:
    text: str


@dataclass(frozen=True)
class Or:
    alternatives: tuple["Node", ...]


@dataclass(frozen=True)
class Not:
    pattern: "Node"


Op: TypeAlias = Ne | Exists | In | Compare | Prefix | Suffix | Or | Not


@dataclass(frozen=True)
class Operators:
    """An operator object such as `{$gt: 1, $lt: 5}`: every operator must hold."""

    ops: tuple[Op, ...]


Node: TypeAlias = TypeIs | IsNull | Equals | Regex | ObjectPattern | ArrayPattern | Operators


def op_name(op: Op) -> str:
    """The wire key of an operator."""
    if isinstance(op, Compare):
        return op.op
    names: dict[type[Op], str] = {
        Ne: "$ne",
        Exists: "$exists",
        In: "$in",
        Prefix: "$prefix",
        Suffix: "$suffix",
        Or: "$or",
        Not: "$not",
    }
    return names[type(op)]
