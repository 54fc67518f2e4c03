"""The index against its oracle: for random steps and tasks it must answer exactly like testing
every condition with `Condition.matches`, also after replacements and removals.

Conditions use every operator, over a few shared keys and values. Tasks are mostly built from
the conditions themselves (a value meant to match each sub-pattern, or a near miss of it), so
they reach deep into the trie and hit the traps of the language (true vs 1, 1 vs 1.0 vs Decimal,
null vs absent, object vs array, `[]`, `$`-spelled data keys, objects inside arrays) often.
"""

from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any, TypeVar

from hypothesis import given, settings
from hypothesis import strategies as st

from aloma_core.conditions import Condition, ConditionIndex, parse_condition
from aloma_core.json_types import JsonObject, JsonValue

T = TypeVar("T")
Draw = Callable[[st.SearchStrategy[Any]], Any]

CONDITION_KEYS = ["type", "n", "tags", "customer", "$via"]
KEYS = st.sampled_from(CONDITION_KEYS)
DATA_KEYS = st.sampled_from([*CONDITION_KEYS, "$ne", "$in", "other"])
TEXTS = ["order", "ord", "order.paid", "paid", "", "a@x.com", "x.com", "A@X.COM"]
NUMBERS: list[JsonValue] = [0, 1, 1.0, 2.5, -1, 10, 2**53]
DATA_NUMBERS: list[object] = [*NUMBERS, Decimal("1"), Decimal("2.5"), Decimal("-0.5"), Decimal("NaN"), 1e300]
OPERATORS = frozenset(
    {"$ne", "$exists", "$in", "$gt", "$gte", "$lt", "$lte", "$prefix", "$suffix", "$or", "$not"}
)


def _weighted(*choices: tuple[st.SearchStrategy[T], int]) -> st.SearchStrategy[T]:
    """`one_of` with weights (hypothesis has none built in)."""
    return st.sampled_from([strategy for strategy, weight in choices for _ in range(weight)]).flatmap(
        lambda strategy: strategy
    )


def _keyed(key: str, pattern: JsonValue, others: dict[str, JsonValue]) -> JsonValue:
    return {**others, key: pattern}


SCALARS = st.sampled_from([*TEXTS, *NUMBERS, True, False])
LITERALS: st.SearchStrategy[JsonValue] = st.recursive(
    st.none() | SCALARS,
    lambda inner: st.lists(inner, max_size=2) | st.dictionaries(KEYS, inner, max_size=2),
    max_leaves=3,
)
TYPES = st.sampled_from(["string", "number", "boolean", "object", "array"]).map(lambda kind: {"$type": kind})
REGEXES = st.sampled_from(
    [{"$regex": "^ord"}, {"$regex": "x\\.com$", "$flags": "i"}, {"$regex": "a|^$"}, {"$regex": "\\d"}]
)
RANGES: st.SearchStrategy[JsonValue] = st.lists(
    st.sampled_from(["$gt", "$gte", "$lt", "$lte"]), min_size=1, max_size=3, unique=True
).flatmap(lambda names: st.fixed_dictionaries(dict.fromkeys(names, st.sampled_from([-1, 0, 1, 2.5, 10]))))
AFFIXES = st.sampled_from(["", "", "ord", "order", ".paid", "x.com", "@x.com"])


def _operators(inner: st.SearchStrategy[JsonValue]) -> st.SearchStrategy[JsonValue]:
    """One operator object: a single operator, ranges, or either combined with another one."""
    single = st.one_of(
        st.fixed_dictionaries({"$ne": _weighted((SCALARS, 3), (st.none(), 2), (LITERALS, 1))}),
        st.fixed_dictionaries({"$exists": st.booleans()}),
        st.fixed_dictionaries(
            {"$in": st.lists(_weighted((SCALARS, 4), (LITERALS, 1)), min_size=1, max_size=3)}
        ),
        st.fixed_dictionaries({"$prefix": AFFIXES}),
        st.fixed_dictionaries({"$suffix": AFFIXES}),
        st.fixed_dictionaries({"$or": st.lists(inner, min_size=1, max_size=3)}),
        st.fixed_dictionaries({"$not": inner}),
    )
    combined = st.tuples(RANGES | single, single).map(lambda pair: {**pair[1], **pair[0]})
    return st.one_of(single, RANGES, combined)


PATTERNS: st.SearchStrategy[JsonValue] = st.recursive(
    st.none() | SCALARS | TYPES | REGEXES,
    lambda inner: st.one_of(
        st.dictionaries(KEYS, inner, max_size=3), st.lists(inner, max_size=3), _operators(inner)
    ),
    max_leaves=5,
)
POSITIVES: st.SearchStrategy[JsonValue] = st.recursive(
    SCALARS | TYPES | REGEXES | RANGES | AFFIXES.map(lambda text: {"$prefix": text}),
    lambda inner: st.one_of(
        st.builds(_keyed, KEYS, inner, st.dictionaries(KEYS, PATTERNS, max_size=2)),
        st.lists(inner, min_size=1, max_size=2),
        st.lists(inner, min_size=1, max_size=3).map(lambda alternatives: {"$or": alternatives}),
    ),
    max_leaves=4,
)
"""Patterns with a positive test somewhere, so that most conditions are filed in the trie."""

OBJECT_CONDITIONS: st.SearchStrategy[JsonObject] = _weighted(
    (st.dictionaries(KEYS, PATTERNS, max_size=3), 1),
    (st.builds(_keyed, KEYS, POSITIVES, st.dictionaries(KEYS, PATTERNS, max_size=2)), 2),
)
CONDITIONS: st.SearchStrategy[JsonObject] = _weighted(
    (OBJECT_CONDITIONS, 5),
    (st.fixed_dictionaries({"$or": st.lists(OBJECT_CONDITIONS, min_size=1, max_size=3)}), 2),
    (st.fixed_dictionaries({"$not": OBJECT_CONDITIONS}), 1),
)
STEPS = st.lists(st.tuples(st.integers(0, 9), CONDITIONS), min_size=1, max_size=12)
"""(name, condition) pairs; names repeat, so later ones replace earlier ones."""

DATA_VALUES: st.SearchStrategy[object] = st.recursive(
    st.none() | st.booleans() | st.sampled_from(TEXTS) | st.sampled_from(DATA_NUMBERS),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(DATA_KEYS, inner, max_size=3),
    max_leaves=6,
)
DATA = st.dictionaries(DATA_KEYS, DATA_VALUES, max_size=6)

ABSENT = object()
NOISE: list[object] = [None, True, 0, Decimal("2.5"), "ord", "", [], {}, [None], {"$ne": 1}, {"n": [1]}]
"""Taken when no candidate for a pattern matches; fixed, because drawing random data is slow."""
_TYPE_TWINS: dict[str, list[object]] = {
    "number": [0, 1, 1.0, Decimal("1"), 2.5, Decimal("NaN"), -1, True, "1"],
    "string": ["", "ord", "order", "a@x.com", 1],
    "boolean": [True, False, 1, 0, None],
    "object": [{}, {"type": "order"}, [], None],
    "array": [[], [1], {}, "[]"],
}


def _pick(draw: Draw, items: Sequence[T]) -> T:
    return items[draw(st.integers(0, len(items) - 1))]


class Witness:
    """Builds values meant to match patterns, with at most `misses` deliberate near misses.

    Random data alone rarely passes a condition with several tests. Candidates are built from
    each pattern and one that matches is kept (`Condition.matches` says which), except for one
    spot where a candidate that does not match is taken: 1.0 or true for 1, the bound of a
    `$gt`, [] for an object, null for absent, and so on. A single miss in an otherwise matching
    task is what catches an index that answers "yes" too easily.
    """

    def __init__(self, draw: Draw, misses: int) -> None:
        self._draw = draw
        self._misses = misses

    def of(self, pattern: object) -> object:
        """A value for `pattern`, ABSENT meaning "leave the key out"."""
        candidates = self._candidates(pattern)
        probe = parse_condition({"v": pattern})
        fits = [probe.matches({} if value is ABSENT else {"v": value}) for value in candidates]
        fitting = [value for value, fit in zip(candidates, fits, strict=True) if fit]
        missing = [value for value, fit in zip(candidates, fits, strict=True) if not fit]
        if self._misses and missing and not self._draw(st.integers(0, 2)):
            self._misses -= 1
            return _pick(self._draw, missing)
        return _pick(self._draw, fitting or candidates[:1])

    def _candidates(self, pattern: object) -> list[object]:
        """Values near `pattern`, the one built to match it first (kept when a miss below spoils all)."""
        draw = self._draw
        if pattern is None:
            return [ABSENT, None, 0, False, ""]
        if isinstance(pattern, bool):
            return [pattern, int(pattern), not pattern, None]
        if isinstance(pattern, int | float):
            return [pattern, float(pattern), Decimal(str(pattern)), pattern + 1, str(pattern), True]
        if isinstance(pattern, str):
            return [pattern, pattern + "x", "x" + pattern, pattern.upper(), [pattern]]
        if isinstance(pattern, list):
            items = [None if item is ABSENT else item for item in (self.of(each) for each in pattern)]
            items += draw(st.lists(st.sampled_from(NOISE), max_size=2))
            return [draw(st.permutations(items)), items[1:], {"0": items[0]} if items else {}]
        assert isinstance(pattern, dict)
        if "$type" in pattern:
            return _TYPE_TWINS[pattern["$type"]]
        if "$regex" in pattern:
            return [*TEXTS, 1, None]
        if OPERATORS.intersection(pattern):
            return [value for name, argument in pattern.items() for value in self._operator(name, argument)]
        found = {key: self.of(child) for key, child in pattern.items()}
        value = {key: item for key, item in found.items() if item is not ABSENT}
        extra = _pick(draw, [{}, {"other": 1}, {"$ne": None}, {"type": "order"}])
        return [{**extra, **value}, [value], None]

    def _operator(self, name: str, argument: Any) -> list[object]:
        noise = [ABSENT, None]
        if name in ("$gt", "$gte", "$lt", "$lte"):
            near = [argument, argument + 0.5, argument - 0.5, Decimal(str(argument)), Decimal("NaN"), True]
            return near + noise
        if name in ("$in", "$or"):
            return [self.of(item) for item in argument] + noise
        if name == "$prefix":
            return [argument, argument + "er", argument + ".paid", argument[1:], *noise]
        if name == "$suffix":
            return [argument, "a@" + argument, "or" + argument, argument[:-1], *noise]
        if name == "$not":
            return [self.of(argument), 1, "ord", *noise]
        return [argument, *noise]


def _merged(a: object, b: object) -> object:
    """Two witnesses as one value: objects merge by key, arrays concatenate, else the second wins."""
    if isinstance(a, dict) and isinstance(b, dict):
        return {**a, **{key: _merged(a[key], value) if key in a else value for key, value in b.items()}}
    if isinstance(a, list) and isinstance(b, list):
        return a + b
    return b


def task_for(draw: Draw, wires: list[JsonObject]) -> JsonObject:
    """Data built from one to three of the conditions (merged, with at most one near miss), or else
    random data."""
    data: object = {}
    witness = Witness(draw, draw(st.integers(0, 1)))
    for wire in draw(st.lists(st.sampled_from(wires), min_size=1, max_size=3)):
        found = witness.of(_pick(draw, wire["$or"]) if "$or" in wire else wire)
        if isinstance(found, dict):
            data = _merged(data, found)
    return data if isinstance(data, dict) and data else draw(DATA)


def _add(
    index: ConditionIndex, conditions: dict[str, Condition], steps: list[tuple[int, JsonObject]]
) -> None:
    """Add to the index and to the oracle's list alike: a replaced name moves to the end."""
    for number, wire in steps:
        name, condition = f"step {number}", parse_condition(wire)
        index.add(name, condition)
        conditions.pop(name, None)
        conditions[name] = condition


def _check(index: ConditionIndex, conditions: dict[str, Condition], tasks: list[JsonObject]) -> None:
    assert len(index) == len(conditions)
    assert all(name in index for name in conditions)
    for data in tasks:
        assert index.matching(data) == [name for name, c in conditions.items() if c.matches(data)]


@settings(max_examples=300, deadline=None)
@given(
    steps=STEPS,
    removed=st.sets(st.integers(0, 9), max_size=4),
    again=st.lists(st.tuples(st.integers(0, 9), CONDITIONS), max_size=3),
    data=st.data(),
)
def test_index_answers_exactly_like_testing_every_condition(
    steps: list[tuple[int, JsonObject]],
    removed: set[int],
    again: list[tuple[int, JsonObject]],
    data: st.DataObject,
) -> None:
    tasks = [task_for(data.draw, [wire for _, wire in steps + again]) for _ in range(5)]
    index = ConditionIndex()
    conditions: dict[str, Condition] = {}
    _add(index, conditions, steps)
    _check(index, conditions, tasks)

    for number in removed:
        index.remove(f"step {number}")
        conditions.pop(f"step {number}", None)
    _check(index, conditions, tasks)

    _add(index, conditions, again)
    _check(index, conditions, tasks)


@settings(max_examples=50, deadline=None)
@given(steps=STEPS, data=st.data())
def test_removing_every_step_leaves_nothing_that_matches(
    steps: list[tuple[int, JsonObject]], data: st.DataObject
) -> None:
    index = ConditionIndex()
    _add(index, {}, steps)
    for number, _ in steps:
        index.remove(f"step {number}")
    assert len(index) == 0
    assert repr(index) == repr(ConditionIndex())
    for _ in range(3):
        assert index.matching(task_for(data.draw, [wire for _, wire in steps])) == []
