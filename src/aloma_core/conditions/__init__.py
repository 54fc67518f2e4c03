"""The condition language of semantics.md section 3: parse, match, index, and print as JavaScript."""

from .condition import Condition, parse_condition
from .index import ConditionIndex
from .jsbridge import CONDITION_TO_WIRE_JS
from .jsform import to_js

__all__ = ["CONDITION_TO_WIRE_JS", "Condition", "ConditionIndex", "parse_condition", "to_js"]
