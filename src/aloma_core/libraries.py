"""Shared libraries: `lib/NAME.js` modules a workspace's steps use as `lib.NAME.fn(...)`.

Every change makes a new, immutable version, and every version carries the workspace's library
`revision` it was made at (a deletion is a version too, a tombstone). The set a run sees is
therefore one number: the libraries at revision R are, per name, the newest version made at or
before R, unless that is a tombstone. The matcher records R in each claim it makes, so a run sees
the libraries of when its task was matched, however they change meanwhile.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass

from .errors import InvalidInput, TooLarge

_NAME = re.compile(r"^[A-Za-z_$][A-Za-z0-9_$]{0,99}$")
MAX_LIBRARY_BYTES = 256 * 1024
"""Like a step file's size: every library a run may need travels with the run."""


@dataclass(frozen=True)
class Library:
    """One version of `lib/NAME.js`; `deleted` marks the version that removed it."""

    workspace_id: str
    name: str
    version: int
    revision: int
    source: str
    updated_at: int
    deleted: bool = False


def check_library_name(name: str) -> str:
    """A library is used as `lib.NAME`, so its name is a JavaScript identifier."""
    if not _NAME.match(name):
        raise InvalidInput(
            "name: a library name is a JavaScript identifier (letters, digits, _, $), 1-100 chars"
        )
    return name


def check_library_size(name: str, source: str) -> None:
    size = len(source.encode("utf-8"))
    if size > MAX_LIBRARY_BYTES:
        raise TooLarge(f"lib/{name}.js is {size} bytes; a library holds at most {MAX_LIBRARY_BYTES}")


def live_at(versions: Iterable[Library], revision: int) -> list[Library]:
    """The libraries as they were at `revision`, by name: each name's newest version made at or
    before it, unless that version deleted the library."""
    newest: dict[str, Library] = {}
    for library in versions:
        if library.revision > revision:
            continue
        seen = newest.get(library.name)
        if seen is None or library.version > seen.version:
            newest[library.name] = library
    return [newest[name] for name in sorted(newest) if not newest[name].deleted]


def sources(libraries: Iterable[Library]) -> dict[str, str]:
    """What a run is handed: name -> source."""
    return {library.name: library.source for library in libraries}
