"""JSON numbers as JavaScript holds them: an integer beyond 2**53 is the nearest double.

A step that leaves a 19-digit id untouched must not record a change to it, so the data before a
run is compared in the form the step saw, and integers read back are the doubles JavaScript held.
(The `parse_int` hook costs next to nothing: the decoder calls `int` for each integer anyway.)
"""

import json

from ..json_types import JsonValue

_SAFE = 2**53


def _js_int(text: str) -> int:
    value = int(text)
    return value if -_SAFE <= value <= _SAFE else int(float(text))


def loads(text: str) -> JsonValue:
    value: JsonValue = json.loads(text, parse_int=_js_int)
    return value
