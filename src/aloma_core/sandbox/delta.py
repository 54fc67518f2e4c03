"""What a run changed: `changes.diff` of the data as the step saw it and as it left it, cheaply.

`diff` compares value by value in Python, which for a large task costs more than the whole run,
although a step mostly leaves most of the data alone. So the parts that are identical on both
sides are dropped first, by comparisons that run in C, and `diff` sees only what is left: its
answer is the same, since identical parts yield no change. Identical means `==`, and no boolean
where the other side has a number (`==` takes True for 1; JSON does not): scalars are told apart
by type; for objects and arrays, when either side's JSON text holds `true` or `false` at all,
by their marshal bytes. Only what is left is turned into the form the step saw (jsnumbers.py).
"""

import json
import marshal

from ..changes import Change, diff
from ..json_types import JsonObject, JsonValue
from . import jsnumbers

# marshal format 2 writes no references and no interning, so equal values give equal bytes.
_MARSHAL_VERSION = 2


def run_changes(before: JsonObject, after: JsonObject, texts: tuple[str, str]) -> list[Change]:
    """`before` is the run's input data, `after` what the step left; `texts` are both as JSON."""
    kept_before, kept_after = _Pruner(texts).differing(before, after)
    seen = jsnumbers.loads(json.dumps(kept_before))
    assert isinstance(seen, dict)  # the dump of an object reads back as one
    return diff(seen, kept_after)


class _Pruner:
    def __init__(self, texts: tuple[str, str]) -> None:
        self._texts = texts
        self._booleans: bool | None = None

    def differing(self, before: JsonObject, after: JsonObject) -> tuple[JsonObject, JsonObject]:
        """Both objects without the keys whose values are identical, recursing into objects on both sides.

        `diff` reports deletions in the order of `before` and the rest in the order of `after`;
        both orders are kept.
        """
        kept_before: JsonObject = {key: old for key, old in before.items() if key not in after}
        kept_after: JsonObject = {}
        for key, new in after.items():
            if key not in before:
                kept_after[key] = new
                continue
            old = before[key]
            if self._identical(old, new):
                continue
            if isinstance(old, dict) and isinstance(new, dict):
                kept_before[key], kept_after[key] = self.differing(old, new)
            else:
                kept_before[key], kept_after[key] = old, new
        return kept_before, kept_after

    def _identical(self, old: JsonValue, new: JsonValue) -> bool:
        if old is new:  # a value the run left as it was (datatext.py)
            return True
        if old != new:
            return False
        if not isinstance(old, dict | list):
            return (type(old) is bool) == (type(new) is bool)
        if not self._may_hold_booleans():
            return True
        try:
            return marshal.dumps(old, _MARSHAL_VERSION) == marshal.dumps(new, _MARSHAL_VERSION)
        except ValueError:  # a type marshal does not write (a str subclass): let `diff` decide
            return False

    def _may_hold_booleans(self) -> bool:
        """Searching the texts costs a little, so it is done once, and only if a container needs it."""
        if self._booleans is None:
            self._booleans = any("true" in text or "false" in text for text in self._texts)
        return self._booleans
