"""A condition as alternatives of indexable tests on paths of the data, plus what stays checked.

The index cannot run a tree of closures per condition and still do work independent of the number
of conditions, so each condition is rewritten into **clauses** (a disjunctive normal form over
data paths): the condition holds exactly when one of its clauses does, and a clause holds when
every one of its **atoms** holds and every one of its **checks** passes.

- An atom is a positive test on the value(s) at one path that a hash lookup, a few slices or a
  bisection can answer for every condition at once: equal to a scalar, of a kind (a JSON type,
  present, not null), starting or ending with a text, inside a number interval.
- A check is a test that only running the compiled matcher of one sub-pattern on the value at an
  object path can answer: absence (`null`, `$exists: false`, `$ne`, `$in` with `null`), `$not`,
  regexes, equality with an object or array, array items that need one element to pass several
  tests, and anything whose expansion would exceed `MAX_CLAUSES`.

A path is the chain of object keys from the data root; `ELEMENT` in it stands for "an element of
the array here", so an atom on such a path holds when some element passes it. Checks only ever
sit on object paths, where a path has at most one value.
"""

import math
from dataclasses import dataclass
from decimal import Decimal
from enum import IntEnum
from typing import Final

from .compile import Matcher, compile_node, number_of
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
    Operators,
    Or,
    Prefix,
    Regex,
    Scalar,
    Suffix,
    TypeIs,
)

MAX_CLAUSES: Final = 64
"""Past this many alternatives (a long `$in`, `$or`s of `$or`s) a sub-pattern is checked whole
instead of expanded: clauses cost memory, and a condition left without atoms is matched whole."""

PRESENT: Final = "present"
NOT_NULL: Final = "notnull"


class _Element:
    def __repr__(self) -> str:
        return "ELEMENT"


ELEMENT: Final = _Element()
Path = tuple[str | _Element, ...]
Token = str | tuple[str, int | float | bool]
"""A string stands for itself (the common case, no tuple to build); other scalars are tagged."""
Bound = tuple[int | float, int]
"""A range end as a sortable key: see `Facet.RANGE`."""

NO_LOWER: Final[Bound] = (-math.inf, 0)
NO_UPPER: Final[Bound] = (math.inf, 1)


class Facet(IntEnum):
    """What an atom tests; also the order atoms are filed in, most selective first.

    RANGE atoms hold an interval `(lower, upper)` of `Bound`s: a number x is inside when
    `lower <= (x, 0)` and `(x, 1) <= upper`, so `$gte 5` is `(5, 0)`, `$gt 5` is `(5, 1)`,
    `$lte 5` is `(5, 1)` and `$lt 5` is `(5, 0)`, and bisection over sorted ends finds them all.
    """

    EQUAL = 0
    PREFIX = 1
    SUFFIX = 2
    RANGE = 3
    KIND = 4


@dataclass(frozen=True)
class Atom:
    facet: Facet
    path: Path
    arg: "Arg"


Arg = Token | tuple[Bound, Bound]
"""EQUAL: a Token; PREFIX, SUFFIX: the text; KIND: a JSON type, PRESENT or NOT_NULL; RANGE: ends."""
Check = tuple[Path, Matcher]


@dataclass(frozen=True)
class Clause:
    atoms: frozenset[Atom]
    checks: tuple[Check, ...] = ()


def value_token(value: object) -> Token | None:
    """A hashable stand-in for a scalar under JSON equality: `1`, `1.0`, `Decimal(1)` share one,
    `true` has its own."""
    if isinstance(value, bool):
        return ("boolean", value)
    if isinstance(value, str):
        return value
    number = number_of(value)
    return None if number is None else ("number", number)


def _literal_token(value: Scalar) -> Token:
    """A parsed literal's token: its numbers are already canonical, only the tag needs choosing."""
    if isinstance(value, bool):
        return ("boolean", value)
    if isinstance(value, str):
        return value
    return ("number", value)


_PLAIN = (PRESENT, NOT_NULL)
_KINDS: dict[type, tuple[str, ...]] = {
    str: ("string", *_PLAIN),
    int: ("number", *_PLAIN),
    float: ("number", *_PLAIN),
    Decimal: ("number", *_PLAIN),
    bool: ("boolean", *_PLAIN),
    dict: ("object", *_PLAIN),
    list: ("array", *_PLAIN),
    type(None): (PRESENT,),
}


def value_kinds(value: object) -> tuple[str, ...]:
    """Every KIND atom a present value satisfies, judged as `compile.py` judges types."""
    kinds = _KINDS.get(type(value))
    if kinds is not None:
        return kinds
    for kind, test in (("string", str), ("number", Decimal), ("object", dict), ("array", list)):
        if isinstance(value, test):
            return (kind, *_PLAIN)
    return _PLAIN


def order(atom: Atom) -> tuple[object, ...]:
    """A total order on atoms, so that equal atoms share trie nodes; paths mix keys and
    `ELEMENT`, and EQUAL arguments mix strings and tagged tuples, so both get sortable keys."""
    path = tuple((1, key) if isinstance(key, str) else (0, "") for key in atom.path)
    return (atom.facet, path, ("", atom.arg) if isinstance(atom.arg, str) else atom.arg)


def condition_clauses(node: ObjectPattern | Operators) -> list[Clause]:
    """The clauses of a whole condition (the data root is always an object), each once:
    `{$or: [{a: 1}, {a: 1}]}` is filed once."""
    clauses = _clauses(node, ())
    plain = {clause.atoms: clause for clause in clauses if not clause.checks}
    return [*plain.values(), *(clause for clause in clauses if clause.checks)]


def _clauses(node: Node, path: Path) -> list[Clause]:
    if isinstance(node, Equals):
        return [_atom(Facet.EQUAL, path, _literal_token(node.value))]
    if isinstance(node, TypeIs):
        return [_atom(Facet.KIND, path, node.kind)]
    if isinstance(node, IsNull):
        return [_checked(path, node)]
    if isinstance(node, Regex):
        return [Clause(frozenset({Atom(Facet.KIND, path, "string")}), ((path, compile_node(node)),))]
    if isinstance(node, ObjectPattern):
        return _object(node, path)
    if isinstance(node, ArrayPattern):
        return _array(node, path)
    return _operators(node, path)


def _atom(facet: Facet, path: Path, arg: Arg) -> Clause:
    return Clause(frozenset({Atom(facet, path, arg)}))


def _checked(path: Path, node: Node) -> Clause:
    return Clause(frozenset(), ((path, compile_node(node)),))


def _all_of(parts: list[list[Clause]], node: Node, path: Path) -> list[Clause]:
    """Every part must hold: the product of their alternatives."""
    result = [Clause(frozenset())]
    for part in parts:
        if len(result) * len(part) > MAX_CLAUSES:
            return [_checked(path, node)]
        result = [Clause(a.atoms | b.atoms, a.checks + b.checks) for a in result for b in part]
    return result


def _shaped(clauses: list[Clause], path: Path, kind: str) -> list[Clause]:
    """Add "is an object / array" where nothing below says it: an atom below a path implies it."""
    if not path:
        return clauses
    shape = frozenset({Atom(Facet.KIND, path, kind)})
    return [clause if clause.atoms else Clause(shape, clause.checks) for clause in clauses]


def _object(node: ObjectPattern, path: Path) -> list[Clause]:
    parts = [_clauses(child, (*path, key)) for key, child in node.fields]
    return _shaped(_all_of(parts, node, path), path, "object")


def _array(node: ArrayPattern, path: Path) -> list[Clause]:
    """Each item must match some element.

    An item whose clauses are single atoms is answered exactly by atoms on the element path.
    Otherwise its atoms are still necessary (each holds for some element), but only the matcher
    knows whether one element passes them all, so the item is also checked.
    """
    parts: list[list[Clause]] = []
    loose: list[Node] = []
    for item in node.items:
        alternatives = _clauses(item, (*path, ELEMENT))
        if not all(len(clause.atoms) == 1 and not clause.checks for clause in alternatives):
            loose.append(item)
            if not all(clause.atoms for clause in alternatives):
                continue
        parts.append([Clause(clause.atoms) for clause in alternatives])
    combined = _shaped(_all_of(parts, node, path), path, "array")
    if not loose:
        return combined
    check = (path, compile_node(ArrayPattern(tuple(loose))))
    return [Clause(clause.atoms, (*clause.checks, check)) for clause in combined]


def _operators(node: Operators, path: Path) -> list[Clause]:
    parts: list[list[Clause]] = []
    lower, upper = NO_LOWER, NO_UPPER
    for op in node.ops:
        if isinstance(op, Compare):
            lower, upper = _narrowed(lower, upper, op)
        else:
            parts.append(_op_clauses(op, path))
    if (lower, upper) != (NO_LOWER, NO_UPPER):
        parts.append([_atom(Facet.RANGE, path, (lower, upper))])
    return _all_of(parts, node, path)


def _narrowed(lower: Bound, upper: Bound, op: Compare) -> tuple[Bound, Bound]:
    """Several comparisons on one value are one interval: the tightest ends win."""
    if op.op == "$gt":
        return max(lower, (op.bound, 1)), upper
    if op.op == "$gte":
        return max(lower, (op.bound, 0)), upper
    if op.op == "$lt":
        return lower, min(upper, (op.bound, 0))
    return lower, min(upper, (op.bound, 1))


def _op_clauses(op: Op, path: Path) -> list[Clause]:
    if isinstance(op, Ne) and op.value is None:
        return [_atom(Facet.KIND, path, NOT_NULL)]
    if isinstance(op, Exists) and op.present:
        return [_atom(Facet.KIND, path, PRESENT)]
    if isinstance(op, Prefix):
        return [_atom(Facet.PREFIX, path, op.text)]
    if isinstance(op, Suffix):
        return [_atom(Facet.SUFFIX, path, op.text)]
    if isinstance(op, In):
        tokens = [token for token in map(value_token, op.values) if token is not None]
        if len(tokens) == len(op.values):
            return [_atom(Facet.EQUAL, path, token) for token in dict.fromkeys(tokens)]
    if isinstance(op, Or):
        alternatives = [clause for item in op.alternatives for clause in _clauses(item, path)]
        if len(alternatives) <= MAX_CLAUSES:
            return alternatives
    return [_checked(path, Operators((op,)))]
