"""JSON numbers as JavaScript holds them: an integer beyond 2**53 is the nearest double.

A step that leaves a 19-digit id untouched must not record a change to it, so the data before a
run is compared in the form the step saw, and integers read back are the doubles JavaScript held.
"""

import json
import re

from ..json_types import JsonValue

_SAFE = 2**53
_LONG_DIGITS = re.compile(r"\d{16}")


def _js_int(text: str) -> int:
    value = int(text)
    return value if -_SAFE <= value <= _SAFE else int(float(text))


def has_long_integers(text: str) -> bool:
    """A cheap test that may say yes for digits inside strings; then the slower exact parse runs."""
    return _LONG_DIGITS.search(text) is not None


def loads(text: str) -> JsonValue:
    value: JsonValue = json.loads(text, parse_int=_js_int) if has_long_integers(text) else json.loads(text)
    return value
