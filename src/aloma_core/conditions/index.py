"""Many conditions against one task, with work that follows the task, not the number of steps.

Every condition is rewritten into clauses (see `clauses.py`): alternatives, each a set of
positive **atoms** plus **checks**. All clauses of all conditions are filed in one trie, each
under its atoms in one global order (most selective facets first), so conditions that share
tests share nodes. Matching reads the task once along the paths conditions name (`paths.py`),
then walks the trie from the root: at each reached node, every branch asks the task's values at
its path which children they reach, in time that does not depend on how many children there are
(except two-sided ranges: a bisection, then a test of each one starting below the value). The
work is reading the named paths, plus the nodes the task reaches and the checks of the clauses
it completes: about the number of steps it matches when steps pin something selective (a type,
a name); steps made only of unselective tests (`{a: Object, b: String}`) leave many nodes that
are reached and then lead nowhere.

Indexed (answered by the trie for all conditions at once, exactly):

- literals and `$in` of literals: a hash lookup of the value's JSON-equality token per path
  (`1`, `1.0` and `Decimal(1)` share a token, `true` does not);
- `String` ... `Array`, nested `{}` / `[]`, `$exists: true`, `$ne: null`: a lookup of the value's
  kinds (its JSON type, "present", "not null") per path;
- `$prefix` / `$suffix`: a lookup of the value's slices, one per distinct text length filed;
- `$gt` `$gte` `$lt` `$lte` (combined into one interval per operator object): a bisection over
  the sorted interval ends filed on that path;
- nested objects: paths of keys; arrays: "some element passes" atoms on the element path, exact
  when each item is one atom (`[1, "x"]`, `[{sku: "A"}]`, `[{$in: [...]}]`);
- `$or`: one clause per alternative (up to `MAX_CLAUSES` per condition, then checked whole).

Residual (checked by the compiled matcher of that sub-pattern, on the value at its object path,
only for clauses whose atoms all held): `null` / absent, `$exists: false`, `$ne` of a value,
`$in` with `null` or with objects or arrays, `$not`, regexes (their "is a string" is indexed),
array items that need one element to pass several tests (their atoms still select the clause,
each for some element). None of these say anything positive about the data (or, for regexes,
nothing a lookup can use), so they cannot select a condition.
A condition with a clause that has no atom at all (`{a: null}`, a top-level `$not`, `{}`) goes to
a short always-tested list and is matched whole.

Add and remove update the trie in place; nothing is rebuilt per task.
"""

import bisect
import math
from collections.abc import Hashable
from dataclasses import dataclass

from ..json_types import JsonObject
from .clauses import (
    NO_LOWER,
    NO_UPPER,
    Atom,
    Bound,
    Clause,
    Facet,
    Path,
    condition_clauses,
    order,
    value_kinds,
    value_token,
)
from .compile import MISSING, Matcher, number_of
from .condition import Condition
from .paths import PathTree, Values


@dataclass(frozen=True, eq=False)
class _Filed:
    """One clause of one condition, at the trie node its atoms lead to."""

    sequence: int
    key: str
    checks: tuple[tuple[int, Matcher], ...]
    """(slot of the path, matcher of the sub-pattern there)."""


class _Node:
    """Clauses whose atoms all lead here end here: without checks they are matches outright
    (merged into the answer in one `dict.update`), with checks they are candidates."""

    __slots__ = ("branches", "checked", "matched")

    def __init__(self) -> None:
        self.branches: dict[tuple[Facet, Path], _Branch] = {}
        self.matched: dict[int, str] = {}
        self.checked: list[_Filed] = []


class _Branch:
    """The children of a node for one facet of one path (by slot), keyed by the atom's argument."""

    __slots__ = ("children", "facet", "slot")
    FACET: Facet

    def __init__(self, slot: int) -> None:
        self.slot = slot
        self.facet = self.FACET
        self.children: dict[Hashable, _Node] = {}

    def changed(self) -> None:
        """Children were added or removed: forget anything derived from them."""

    def reach(self, values: list[object], out: list[_Node]) -> None:
        """Append the children that these values (of this branch's path) pass, each once."""
        if len(values) == 1:
            self._reach_one(values[0], out)
            return
        reached: list[_Node] = []
        for value in values:
            self._reach_one(value, reached)
        out.extend(dict.fromkeys(reached))

    def _reach_one(self, value: object, out: list[_Node]) -> None:
        raise NotImplementedError


class _EqualBranch(_Branch):
    """Also answered inline by `matching` for a single value, the most common case."""

    __slots__ = ()
    FACET = Facet.EQUAL

    def _reach_one(self, value: object, out: list[_Node]) -> None:
        child = self.children.get(value_token(value))
        if child is not None:
            out.append(child)


class _KindBranch(_Branch):
    __slots__ = ()
    FACET = Facet.KIND

    def _reach_one(self, value: object, out: list[_Node]) -> None:
        children = self.children
        for kind in value_kinds(value):
            child = children.get(kind)
            if child is not None:
                out.append(child)


class _AffixBranch(_Branch):
    """`$prefix` / `$suffix`: look up the value's slice for each distinct text length filed."""

    __slots__ = ("_lengths",)

    def __init__(self, slot: int) -> None:
        super().__init__(slot)
        self._lengths: list[int] | None = None

    def changed(self) -> None:
        self._lengths = None

    def lengths(self) -> list[int]:
        if self._lengths is None:
            self._lengths = sorted({len(text) for text in self.children if isinstance(text, str)})
        return self._lengths

    def _reach_one(self, value: object, out: list[_Node]) -> None:
        if not isinstance(value, str):
            return
        children = self.children
        for length in self.lengths():
            if length > len(value):
                return
            child = children.get(self._slice(value, length))
            if child is not None:
                out.append(child)

    @staticmethod
    def _slice(value: str, length: int) -> str:
        raise NotImplementedError


class _PrefixBranch(_AffixBranch):
    __slots__ = ()
    FACET = Facet.PREFIX

    @staticmethod
    def _slice(value: str, length: int) -> str:
        return value[:length]


class _SuffixBranch(_AffixBranch):
    __slots__ = ()
    FACET = Facet.SUFFIX

    @staticmethod
    def _slice(value: str, length: int) -> str:
        return value[len(value) - length :]


@dataclass(frozen=True)
class _Ends:
    """Intervals sorted by one end, for bisection: `keys[i]` is the end of `nodes[i]`."""

    keys: list[Bound]
    nodes: list[_Node]
    others: list[Bound]


class _RangeBranch(_Branch):
    """Intervals by their sorted ends: one-sided ones are a bisection, two-sided ones a bisection
    on the lower end, then a test of the upper end."""

    __slots__ = ("_view",)
    FACET = Facet.RANGE

    def __init__(self, slot: int) -> None:
        super().__init__(slot)
        self._view: tuple[_Ends, _Ends, _Ends] | None = None

    def changed(self) -> None:
        self._view = None

    def view(self) -> tuple[_Ends, _Ends, _Ends]:
        if self._view is None:
            above: list[tuple[Bound, Bound, _Node]] = []
            below: list[tuple[Bound, Bound, _Node]] = []
            between: list[tuple[Bound, Bound, _Node]] = []
            for interval, node in self.children.items():
                assert isinstance(interval, tuple) and isinstance(interval[0], tuple)
                lower, upper = interval
                if upper == NO_UPPER:
                    above.append((lower, upper, node))
                elif lower == NO_LOWER:
                    below.append((upper, lower, node))
                else:
                    between.append((lower, upper, node))
            self._view = (_sorted_ends(above), _sorted_ends(below), _sorted_ends(between))
        return self._view

    def _reach_one(self, value: object, out: list[_Node]) -> None:
        number = number_of(value)
        if number is None or math.isnan(number):  # NaN is in no interval (and would upset bisect)
            return
        above, below, between = self.view()
        low, high = (number, 0), (number, 1)
        out.extend(above.nodes[: bisect.bisect_right(above.keys, low)])
        out.extend(below.nodes[bisect.bisect_left(below.keys, high) :])
        for i in range(bisect.bisect_right(between.keys, low)):
            if high <= between.others[i]:
                out.append(between.nodes[i])


def _sorted_ends(intervals: list[tuple[Bound, Bound, _Node]]) -> _Ends:
    intervals.sort(key=lambda item: item[0])
    return _Ends(
        [key for key, _, _ in intervals], [node for _, _, node in intervals], [o for _, o, _ in intervals]
    )


_BRANCHES: dict[Facet, type[_Branch]] = {
    branch.FACET: branch for branch in (_EqualBranch, _PrefixBranch, _SuffixBranch, _RangeBranch, _KindBranch)
}


_EQUAL = Facet.EQUAL


@dataclass(frozen=True)
class _Entry:
    sequence: int
    key: str
    condition: Condition
    filed: tuple[tuple[tuple[Atom, ...], Clause, _Filed], ...]
    """Each clause with its atoms in filing order and its record; empty when always tested."""


class ConditionIndex:
    """Conditions by key (a step name); `matching` answers in the order keys were added."""

    def __init__(self) -> None:
        self._entries: dict[str, _Entry] = {}
        self._always: dict[str, _Entry] = {}
        self._root = _Node()
        self._paths = PathTree()
        self._sequence = 0

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, key: object) -> bool:
        return key in self._entries

    def __repr__(self) -> str:
        nodes, stack = 0, [self._root]
        while stack:
            nodes += 1
            stack.extend(
                child for branch in stack.pop().branches.values() for child in branch.children.values()
            )
        return f"ConditionIndex({len(self)} conditions, {nodes} trie nodes, {len(self._paths)} paths)"

    def add(self, key: str, condition: Condition) -> None:
        """File a condition under `key`, replacing the one it had."""
        self.remove(key)
        self._sequence += 1
        clauses = condition_clauses(condition.node)
        if not all(clause.atoms for clause in clauses):
            entry = _Entry(self._sequence, key, condition, ())
            self._always[key] = entry
        else:
            filed = []
            for clause in clauses:
                atoms = tuple(sorted(clause.atoms, key=order))
                filed.append((atoms, clause, self._file(key, atoms, clause)))
            entry = _Entry(self._sequence, key, condition, tuple(filed))
        self._entries[key] = entry

    def remove(self, key: str) -> None:
        """Forget `key`; unknown keys are ignored so removal can be repeated safely."""
        entry = self._entries.pop(key, None)
        if entry is None:
            return
        self._always.pop(key, None)
        for atoms, clause, record in entry.filed:
            self._unfile(atoms, clause, record)

    def matching(self, data: JsonObject) -> list[str]:
        """Keys of the conditions that match `data`, in the order they were added."""
        values = self._paths.read(data)
        found: dict[int, str] = {}
        stack = [self._root]
        while stack:
            node = stack.pop()
            if node.matched:
                found.update(node.matched)
            for record in node.checked:
                if record.sequence not in found and _passes(record.checks, values):
                    found[record.sequence] = record.key
            for branch in node.branches.values():
                present = values.get(branch.slot)
                if present is None:
                    continue
                if branch.facet is _EQUAL and len(present) == 1:
                    value = present[0]
                    child = branch.children.get(value if type(value) is str else value_token(value))
                    if child is not None:
                        stack.append(child)
                else:
                    branch.reach(present, stack)
        for entry in self._always.values():
            if entry.condition.matches(data):
                found[entry.sequence] = entry.key
        return [found[sequence] for sequence in sorted(found)]

    def _file(self, key: str, atoms: tuple[Atom, ...], clause: Clause) -> _Filed:
        node = self._root
        for atom in atoms:
            slot = self._paths.add(atom.path)
            branch = node.branches.get((atom.facet, atom.path))
            if branch is None:
                branch = node.branches[(atom.facet, atom.path)] = _BRANCHES[atom.facet](slot)
            child = branch.children.get(atom.arg)
            if child is None:
                child = branch.children[atom.arg] = _Node()
                branch.changed()
            node = child
        checks = tuple((self._paths.add(path), matcher) for path, matcher in clause.checks)
        record = _Filed(self._sequence, key, checks)
        if checks:
            node.checked.append(record)
        else:
            node.matched[record.sequence] = key
        return record

    def _unfile(self, atoms: tuple[Atom, ...], clause: Clause, record: _Filed) -> None:
        trail: list[tuple[_Node, Atom, _Branch]] = []
        node = self._root
        for atom in atoms:
            branch = node.branches[(atom.facet, atom.path)]
            trail.append((node, atom, branch))
            node = branch.children[atom.arg]
            self._paths.remove(atom.path)
        node.matched.pop(record.sequence, None)
        node.checked = [end for end in node.checked if end is not record]
        for path, _ in clause.checks:
            self._paths.remove(path)
        for parent, atom, branch in reversed(trail):
            child = branch.children[atom.arg]
            if child.matched or child.checked or child.branches:
                return
            del branch.children[atom.arg]
            branch.changed()
            if not branch.children:
                del parent.branches[(atom.facet, atom.path)]


def _passes(checks: tuple[tuple[int, Matcher], ...], values: Values) -> bool:
    for slot, matcher in checks:
        present = values.get(slot)
        if not matcher(present[0] if present else MISSING):
            return False
    return True
