"""Per-task match time against N steps: the catalog's index against testing every condition."""

import random
import time
from collections.abc import Callable

from aloma_core.conditions import Condition, ConditionIndex, parse_condition
from aloma_core.json_types import JsonObject, JsonValue

STEP_COUNTS = (10, 100, 1_000, 10_000)
FIELDS = [f"field{i}" for i in range(300)]
STATES = ["new", "open", "pending", "closed"]


def random_condition(rng: random.Random) -> JsonObject:
    """Conditions shaped like real steps: an anchor field, a nested state, a typed or absent field."""
    anchor, other, absent = rng.sample(FIELDS, 3)
    shapes: list[JsonValue] = [
        {"$type": "string"},
        {"status": rng.choice(STATES)},
        {"$gt": rng.randint(0, 100)},
        {"$regex": "^a.*z$", "$flags": "i"},
    ]
    return {anchor: rng.choice(shapes), other: {"$type": "object"}, absent: None}


def random_task(rng: random.Random) -> JsonObject:
    data: JsonObject = {}
    for name in rng.sample(FIELDS, 40):
        data[name] = rng.choice(["abcz", rng.randint(0, 100), {"status": rng.choice(STATES)}, {}])
    return data


def brute_force(conditions: dict[str, Condition]) -> Callable[[JsonObject], list[str]]:
    """The baseline: test every condition against the data."""
    pairs = list(conditions.items())
    return lambda data: [name for name, condition in pairs if condition.matches(data)]


def _per_task_us(match: Callable[[JsonObject], list[str]], tasks: list[JsonObject], rounds: int) -> float:
    start = time.perf_counter()
    for _ in range(rounds):
        for data in tasks:
            match(data)
    return (time.perf_counter() - start) / (rounds * len(tasks)) * 1e6


def run() -> list[tuple[str, str, str, str]]:
    rng = random.Random(7)
    tasks = [random_task(rng) for _ in range(50)]
    rows = []
    for count in STEP_COUNTS:
        conditions: dict[str, Condition] = {
            f"step {i}": parse_condition(random_condition(rng)) for i in range(count)
        }
        index = ConditionIndex()
        for name, condition in conditions.items():
            index.add(name, condition)

        brute = brute_force(conditions)
        for data in tasks:
            assert index.matching(data) == brute(data), "the index must answer like brute force"
        rounds = max(1, 20_000 // count)
        indexed = _per_task_us(index.matching, tasks, rounds)
        baseline = _per_task_us(brute, tasks, rounds)
        rows.append(
            (f"{count:,} steps", f"{indexed:,.1f} us", f"{baseline:,.1f} us", f"{baseline / indexed:.1f}x")
        )
    return rows
