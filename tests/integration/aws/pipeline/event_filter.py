"""Lambda event filtering (FilterCriteria) as the event source mapping applies it to each record.

Patterns use EventBridge's syntax. Only the part the template uses is understood: nested keys and
arrays of exact alternatives. Any content-filter operator (`prefix`, `exists`, `anything-but`, ...)
is refused loudly, so a template that starts using one fails here rather than matching wrongly.
"""

import json
from collections.abc import Mapping
from typing import Any


class UnsupportedPattern(ValueError):
    """The pattern uses EventBridge syntax this emulation does not implement."""


def passes(criteria: Mapping[str, Any] | None, record: Mapping[str, Any]) -> bool:
    """No criteria lets every record through; otherwise any one filter matching is enough."""
    if not criteria:
        return True
    return any(matches(json.loads(item["Pattern"]), record) for item in criteria["Filters"])


def matches(pattern: Mapping[str, Any], value: object) -> bool:
    """Every key of the pattern must match; keys the pattern does not name are ignored."""
    if not isinstance(value, Mapping):
        return False
    for key, expected in pattern.items():
        if key not in value:
            return False
        if isinstance(expected, Mapping):
            if not matches(expected, value[key]):
                return False
        elif isinstance(expected, list):
            if not _one_of(expected, value[key]):
                return False
        else:
            raise UnsupportedPattern(f"pattern value at {key!r} must be an object or an array")
    return True


def _one_of(alternatives: list[Any], value: object) -> bool:
    """A leaf matches when it equals an alternative; an array leaf when any of its elements does."""
    for alternative in alternatives:
        if isinstance(alternative, Mapping | list):
            raise UnsupportedPattern(f"content filter {alternative!r} is not emulated")
    candidates = value if isinstance(value, list) else [value]
    return any(_equal(candidate, alternative) for candidate in candidates for alternative in alternatives)


def _equal(value: object, expected: object) -> bool:
    """JSON equality: `true` is not `1`."""
    return value == expected and isinstance(value, bool) == isinstance(expected, bool)
