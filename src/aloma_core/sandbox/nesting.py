"""Values nested deeper than Python handles: a clear run error instead of a RecursionError.

JavaScript writes JSON without recursing in Python, but Python reads JSON, and compares the data
before and after a run, recursively, a few frames per level; at its recursion limit it gives up.
A step that builds such a value fails its run with this error rather than the sandbox itself.
"""

from collections.abc import Callable
from typing import TypeVar

from .engine import ScriptError

T = TypeVar("T")


class NestedTooDeeply(ScriptError):
    """`what` (data, a connector call's arguments, the run's record) nests deeper than Python handles."""


def within_nesting(action: Callable[[], T], what: str) -> T:
    try:
        return action()
    except RecursionError:
        message = f"nested too deeply for the sandbox: {what} (keep JSON values within a few hundred levels)"
        raise NestedTooDeeply(message) from None
