"""Library versions pinned to runs: the matcher writes the revision into each claim it makes,
the runner hands the run the libraries of that revision (libraries.py)."""

import threading
from collections import OrderedDict
from dataclasses import replace

from .engine import Outcome
from .libraries import live_at, sources
from .model import Task
from .ports import LibraryStore

_CACHED_SETS = 64


def pin_claims(before: Task, outcome: Outcome, revision: int) -> Outcome:
    """`outcome` with the claims it made (those `before` did not hold) pinned to `revision`."""
    held = {claim.id for claim in before.claims.values()}
    claims = {
        name: claim if claim.id in held else replace(claim, libraries=revision)
        for name, claim in outcome.task.claims.items()
    }
    return replace(outcome, task=outcome.task.with_changes(claims=claims))


class LibrarySets:
    """The sources of a workspace's libraries at a revision. Versions never change, so a set,
    once read, is kept (the most recently used few)."""

    def __init__(self, store: LibraryStore | None) -> None:
        self._store = store
        self._cached: OrderedDict[tuple[str, int], dict[str, str]] = OrderedDict()
        self._lock = threading.Lock()

    def revision(self, workspace_id: str) -> int:
        return 0 if self._store is None else self._store.revision(workspace_id)

    def sources(self, workspace_id: str, pinned: int | None) -> dict[str, str]:
        """`pinned` None (a claim made before libraries were pinned): the current libraries."""
        if self._store is None:
            return {}
        revision = self._store.revision(workspace_id) if pinned is None else pinned
        if revision == 0:
            return {}
        key = (workspace_id, revision)
        with self._lock:
            hit = self._cached.get(key)
            if hit is not None:
                self._cached.move_to_end(key)
                return hit
        found = sources(live_at(self._store.at(workspace_id, revision), revision))
        with self._lock:
            self._cached[key] = found
            while len(self._cached) > _CACHED_SETS:
                self._cached.popitem(last=False)
        return found
