"""Per-task match time against N steps: the catalog's index against testing every condition.

The steps look like a large workspace's: many workflows (576 task types such as
`shop.order.paid`), each step pinning a type and adding tests of other kinds: a status, a nested
customer, a range, a prefix, a regex, `$in`, `$or`, an array item, `$exists`, `$ne`, `$not`.
The step sets are prefixes of one list of 10,000, so every row measures the same mix; each row's
50 tasks are of types its steps handle. The first column also says how many steps a task
matches on average: listing the matches is work that grows with the steps whatever the index
does.
"""

import random
import time
from collections.abc import Callable

from aloma_core.conditions import Condition, ConditionIndex, parse_condition
from aloma_core.json_types import JsonObject, JsonValue

STEP_COUNTS = (10, 100, 1_000, 10_000)
TASKS = 50
SYSTEMS = ["shop", "crm", "billing", "support", "hr", "logistics", "marketing", "finance"]
ENTITIES = ["order", "invoice", "ticket", "lead", "shipment", "refund", "signup", "payment", "contract"]
VERBS = ["created", "updated", "paid", "cancelled", "escalated", "closed", "reopened", "archived"]
TYPES = [f"{system}.{entity}.{verb}" for system in SYSTEMS for entity in ENTITIES for verb in VERBS]
STATUSES = ["new", "open", "pending", "paid", "shipped", "closed", "cancelled"]
REGIONS = [f"{area}-{n}" for area in ("eu", "us", "ap") for n in range(1, 5)]
COUNTRIES = ["DE", "FR", "NL", "IT", "ES", "US", "CA", "GB", "JP", "AU", "BR", "IN"]
TIERS = ["free", "pro", "business", "enterprise"]
DOMAINS = [f"shop{i}.example" for i in range(100)]
SOURCES = [
    f"{system}/{channel}" for system in ("crm", "shop", "billing", "support") for channel in "abcdefgh"
]
SKUS = [f"SKU-{i:04d}" for i in range(400)]
TAGS = ["urgent", "vip", "fraud-check", "gift", *(f"tag-{i}" for i in range(40))]
HOOKS = [f"hook-{i}" for i in range(200)]
STRING: JsonValue = {"$type": "string"}
OBJECT: JsonValue = {"$type": "object"}


def random_condition(rng: random.Random, kind: str) -> JsonObject:
    """One step of the workflow for task type `kind`, in one of the shapes real steps have."""
    family = kind.rsplit(".", 1)[0]
    low = rng.randrange(0, 1_000, 10)
    shapes: list[JsonObject] = [
        {"type": kind, "status": rng.choice(STATUSES)},
        {"type": kind, "customer": {"email": STRING, "validated": None}},
        {"type": kind, "customer": {"validated": True, "crm_id": None}},
        {"type": kind, "total": {"$gte": low, "$lt": low + rng.randrange(50, 1_000, 50)}},
        {"type": kind, "source": {"$prefix": rng.choice(SOURCES)[: rng.choice([4, 6, 7])]}},
        {"type": kind, "customer": {"email": {"$regex": f"@{rng.choice(DOMAINS)}$", "$flags": "i"}}},
        {"type": kind, "status": {"$in": rng.sample(STATUSES, 2)}},
        {"$or": [{"type": kind, "priority": "high"}, {"type": kind, "total": {"$gt": low}}]},
        {"type": kind, "lines": [{"sku": rng.choice(SKUS)}]},
        {"type": kind, "tags": [rng.choice(TAGS)], "assignee": {"$exists": False}},
        {"type": kind, "status": {"$ne": "closed"}, "region": rng.choice(REGIONS)},
        {"$via": {"type": "webhook", "name": rng.choice(HOOKS)}},
        {
            "type": kind,
            "customer": {"tier": {"$in": rng.sample(TIERS, 2)}, "country": rng.choice(COUNTRIES)},
            "total": {"$gt": low},
        },
        {"type": {"$prefix": f"{family}."}, "region": rng.choice(REGIONS), "total": {"$gte": low}},
        {"type": kind, "customer": {"email": {"$suffix": f"@{rng.choice(DOMAINS)}"}}},
        {"type": kind, "status": rng.choice(STATUSES), "result": {"$not": OBJECT}},
    ]
    return rng.choice(shapes)


def random_task(rng: random.Random, kind: str) -> JsonObject:
    """A task of type `kind` as such steps see it, with fields no step looks at as well."""
    data: JsonObject = {
        "type": kind,
        "status": rng.choice(STATUSES),
        "region": rng.choice(REGIONS),
        "total": rng.choice([rng.randrange(0, 2_000), round(rng.uniform(0, 2_000), 2)]),
        "source": f"{rng.choice(SOURCES)}/{rng.randrange(100)}",
        "priority": rng.choice(["low", "normal", "high"]),
        "customer": {
            "email": f"user{rng.randrange(10_000)}@{rng.choice(DOMAINS)}",
            "name": "Ada Lovelace",
            "tier": rng.choice(TIERS),
            "country": rng.choice(COUNTRIES),
            "address": {"street": "1 Main St", "city": "Berlin", "zip": "10115"},
        },
        "lines": [
            {"sku": rng.choice(SKUS), "qty": rng.randrange(1, 5), "price": rng.randrange(1, 500)}
            for _ in range(rng.randrange(1, 5))
        ],
        "tags": rng.sample(TAGS, rng.randrange(0, 4)),
        "$via": {"type": "webhook", "name": rng.choice(HOOKS)}
        if rng.random() < 0.5
        else {"type": "schedule"},
        "notes": [f"note {i}" for i in range(rng.randrange(0, 5))],
        "meta": {f"field{i}": i for i in range(10)},
    }
    customer = data["customer"]
    assert isinstance(customer, dict)
    if rng.random() < 0.6:
        customer["validated"] = rng.random() < 0.7
    if rng.random() < 0.3:
        customer["crm_id"] = f"crm-{rng.randrange(1_000)}"
    if rng.random() < 0.3:
        data["assignee"] = "sam"
    if rng.random() < 0.2:
        data["result"] = {"ok": True}
    return data


Matcher = Callable[[JsonObject], list[str]]


def brute_force(conditions: dict[str, Condition]) -> Matcher:
    """The baseline: test every condition against the data."""
    pairs = list(conditions.items())
    return lambda data: [name for name, condition in pairs if condition.matches(data)]


REPEATS = 7


def _per_task_us(match: Matcher, tasks: list[JsonObject], rounds: int) -> float:
    """CPU time of one timing: other processes on a busy machine disturb it less than wall time."""
    start = time.process_time()
    for _ in range(rounds):
        for data in tasks:
            match(data)
    return (time.process_time() - start) / (rounds * len(tasks)) * 1e6


def run() -> list[tuple[str, str, str, str]]:
    rng = random.Random(7)
    kinds = [rng.choice(TYPES) for _ in range(max(STEP_COUNTS))]
    wires = [random_condition(rng, kind) for kind in kinds]
    setups: list[tuple[int, Matcher, Matcher, list[JsonObject], float]] = []
    for count in STEP_COUNTS:
        conditions = {f"step {i}": parse_condition(wire) for i, wire in enumerate(wires[:count])}
        tasks = [random_task(rng, rng.choice(kinds[:count])) for _ in range(TASKS)]
        index = ConditionIndex()
        for name, condition in conditions.items():
            index.add(name, condition)
        brute = brute_force(conditions)
        matches = 0
        for data in tasks:
            found = index.matching(data)
            assert found == brute(data), "the index must answer like brute force"
            matches += len(found)
        setups.append((count, index.matching, brute, tasks, matches / len(tasks)))

    # Best of REPEATS, the sizes interleaved, so that a slow moment of the machine does not land
    # on one size only and skew the growth figures.
    indexed = dict.fromkeys(STEP_COUNTS, float("inf"))
    baseline = dict.fromkeys(STEP_COUNTS, float("inf"))
    for _ in range(REPEATS):
        for count, match, brute, tasks, _ in setups:
            indexed[count] = min(indexed[count], _per_task_us(match, tasks, 100))
            baseline[count] = min(baseline[count], _per_task_us(brute, tasks, max(1, 200 // count)))

    rows = [
        (
            f"{count:,} steps ({matches:.1f} matches)",
            f"{indexed[count]:,.1f} us",
            f"{baseline[count]:,.1f} us",
            f"{baseline[count] / indexed[count]:.1f}x",
        )
        for count, _, _, _, matches in setups
    ]
    first, last = STEP_COUNTS[0], STEP_COUNTS[-1]
    rows.append(
        (
            f"growth {first:,} -> {last:,}",
            f"{indexed[last] / indexed[first]:.1f}x",
            f"{baseline[last] / baseline[first]:.1f}x",
            "",
        )
    )
    return rows
