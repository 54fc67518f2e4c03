"""JSON numbers as JavaScript holds them: an integer beyond 2**53 is the nearest double.

A step that leaves a 19-digit id untouched must not record a change to it, so the data before a
run is compared in the form the step saw, and integers read back are the doubles JavaScript held.
The `parse_int` hook costs a Python call per integer, a third of the parse, so it is used only
when the text has a run of 16 digits: an integer beyond 2**53 has at least that many.
"""

import json

from ..json_types import JsonValue

_SAFE = 2**53
# Digits become "0" and every other byte a space, so a run of digits is a run of "0"s.
_DIGITS = bytes(0x30 if 0x30 <= byte <= 0x39 else 0x20 for byte in range(256))
_LONG_RUN = b"0" * 16


def js_int(text: str) -> int:
    """The `parse_int` hook: an integer as the double JavaScript makes of it."""
    value = int(text)
    return value if -_SAFE <= value <= _SAFE else int(float(text))


def has_long_digits(text: str) -> bool:
    return _LONG_RUN in text.encode("utf-8", "surrogatepass").translate(_DIGITS)


def loads(text: str) -> JsonValue:
    value: JsonValue = json.loads(text, parse_int=js_int) if has_long_digits(text) else json.loads(text)
    return value
