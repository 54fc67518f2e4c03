"""The library use cases behind the HTTP API and the CLI (Platform delegates here).

A change is a new version at the workspace's next library revision, written only if nobody
moved the revision meanwhile (else read again and retry). Nothing is re-matched: the new
versions reach the runs of tasks matched from now on (libraries.py).
"""

import threading
from dataclasses import dataclass

from .errors import InvalidInput, NotFound
from .libraries import Library, check_library_name, check_library_size
from .limits import Limits
from .ports import Clock, LibraryStore
from .sandbox.library import check_library

_ATTEMPTS = 20


@dataclass
class LibraryUses:
    store: LibraryStore
    clock: Clock
    upload_lock: threading.Lock

    def put(self, workspace_id: str, name: str, source: str, limits: Limits) -> tuple[Library, bool]:
        """Create or replace; True when created. Re-putting the same source changes nothing."""
        check_library_name(name)
        check_library_size(name, source)
        with self.upload_lock:
            check_library(name, source, limits)
        for _ in range(_ATTEMPTS):
            revision = self.store.revision(workspace_id)
            latest = self.store.latest(workspace_id, name)
            live = latest is not None and not latest.deleted
            if latest is not None and live and latest.source == source:
                return latest, False
            library = Library(
                workspace_id=workspace_id,
                name=name,
                version=1 if latest is None else latest.version + 1,
                revision=revision + 1,
                source=source,
                updated_at=self.clock.now_ms(),
            )
            if self.store.put(library, revision):
                return library, not live
        raise InvalidInput("the workspace's libraries are being changed by someone else; try again")

    def get(self, workspace_id: str, name: str) -> Library:
        latest = self.store.latest(workspace_id, check_library_name(name))
        if latest is None or latest.deleted:
            raise NotFound(f"library {name!r} not found")
        return latest

    def list(self, workspace_id: str) -> list[Library]:
        return self.store.at(workspace_id, self.store.revision(workspace_id))

    def delete(self, workspace_id: str, name: str) -> None:
        for _ in range(_ATTEMPTS):
            revision = self.store.revision(workspace_id)
            latest = self.get(workspace_id, name)
            tombstone = Library(
                workspace_id=workspace_id,
                name=name,
                version=latest.version + 1,
                revision=revision + 1,
                source="",
                updated_at=self.clock.now_ms(),
                deleted=True,
            )
            if self.store.put(tombstone, revision):
                return
        raise InvalidInput("the workspace's libraries are being changed by someone else; try again")
