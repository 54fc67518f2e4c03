"""The two sides a plan compares: what a deploy file asks for, and what the workspace has.

Both are plain data in the API's own shapes, so the planner needs no I/O and no knowledge of
either the file format or HTTP. A kind the file does not mention is `None` in `Desired`: it is
not managed by the file, so it is neither changed nor pruned.
"""

import hashlib
from dataclasses import dataclass, field

from ...json_types import JsonObject

SEED_MARKER_PREFIX = "aloma.seed."


@dataclass(frozen=True)
class Desired:
    steps: dict[str, str] | None = None
    libraries: dict[str, str] | None = None
    connectors: dict[str, JsonObject] | None = None
    webhooks: dict[str, JsonObject] | None = None
    schedules: dict[str, JsonObject] | None = None
    settings: JsonObject | None = None
    seeds: dict[str, JsonObject] = field(default_factory=dict)
    secrets: tuple[str, ...] = ()
    required_connectors: dict[str, str] = field(default_factory=dict)
    """Namespaces that must already be configured (ALOMA catalog connectors, set by hand), each
    with the name the file gives it; never created, changed or pruned by a deploy."""


@dataclass(frozen=True)
class Live:
    steps: dict[str, str] = field(default_factory=dict)
    libraries: dict[str, str] | None = field(default_factory=dict)
    connectors: dict[str, JsonObject] = field(default_factory=dict)
    webhooks: dict[str, JsonObject] = field(default_factory=dict)
    schedules: dict[str, JsonObject] = field(default_factory=dict)
    settings: JsonObject = field(default_factory=dict)
    secrets: frozenset[str] = frozenset()


def seed_marker(seed: str) -> str:
    """The workspace secret whose existence records that the seed's task was created. Seed names
    are free text; secret names are not, so the marker holds a digest of the name."""
    return SEED_MARKER_PREFIX + hashlib.sha256(seed.encode("utf-8")).hexdigest()[:32]
