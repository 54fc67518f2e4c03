"""Workspace config values never appear in logs, audit lines or error messages: they become `***`."""

import json
import re
from collections.abc import Iterable

MASK = "***"


class Redactor:
    """Masks each value as written and as JSON would escape it (a value logged inside an object)."""

    def __init__(self, secrets: Iterable[str]) -> None:
        forms = {form for value in secrets if value for form in (value, json.dumps(value)[1:-1]) if form}
        ordered = sorted(forms, key=len, reverse=True)
        self._pattern = re.compile("|".join(map(re.escape, ordered))) if ordered else None

    def __call__(self, text: str) -> str:
        return text if self._pattern is None else self._pattern.sub(MASK, text)
