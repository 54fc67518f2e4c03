"""A run's data as JSON text, into JavaScript and back, parsing only what the step changed.

The data goes in written value by value, so the text of each top-level value is known. The text
JavaScript hands back is then read value by value too: a value whose text is the one written is
the very value the run started with, so it is taken as it was, neither parsed nor compared again
(`changes` finds it identical at once). Where JSON.stringify writes a value otherwise than Python
(non-ASCII text, `1.0`, big integers) that value is parsed, as it is in a small text, where
parsing all of it costs less than reading it piece by piece.
"""

import json

from ..json_types import JsonObject, JsonValue
from . import jsnumbers

# Task data is JSON read from a store, never circular: skipping the check is a third faster.
_ENCODER = json.JSONEncoder(separators=(",", ":"), check_circular=False)
_DECODER = json.JSONDecoder()
_JS_DECODER = json.JSONDecoder(parse_int=jsnumbers.js_int)
# Writing each value apart costs about a microsecond more per top-level key, and reading a text
# piece by piece pays only when there is much to skip.
_MOST_KEYS = 64
_LARGE_TEXT = 16 * 1024


class DataText:
    """The run's input data and the text it is written as (`text`)."""

    def __init__(self, data: JsonObject) -> None:
        self._data = data
        self._pieces: dict[str, str] = {}
        if len(data) > _MOST_KEYS:
            self.text = _ENCODER.encode(data)
            return
        self._pieces = {key: _ENCODER.encode(value) for key, value in data.items()}
        self.text = (
            "{" + ",".join(f"{_ENCODER.encode(key)}:{piece}" for key, piece in self._pieces.items()) + "}"
        )

    def read(self, text: str) -> JsonValue:
        """What JavaScript's `JSON.stringify(data)` wrote, read back (jsnumbers.py)."""
        if not self._pieces or len(text) < _LARGE_TEXT or not text.startswith("{"):
            return jsnumbers.loads(text)
        decoder = _JS_DECODER if jsnumbers.has_long_digits(text) else _DECODER
        after: JsonObject = {}
        at = 1
        while text[at] != "}":
            key, at = decoder.raw_decode(text, at)
            at += 1  # the colon: JSON.stringify writes no spaces
            piece = self._pieces.get(key)
            end = at + len(piece) if piece is not None else 0
            if piece is not None and text.startswith(piece, at) and text[end] in ",}":
                after[key] = self._data[key]
                at = end
            else:
                after[key], at = decoder.raw_decode(text, at)
            if text[at] == ",":
                at += 1
        return after
