"""The enabled steps of a workspace, indexed for matching task data."""

from collections.abc import Iterable

from .conditions import Condition, ConditionIndex, parse_condition
from .json_types import JsonObject
from .model import Step


class StepCatalog:
    """Answers "which steps match this data", most specific first, then in creation order.

    Built once per step revision of a workspace and reused for every task (conditions are
    compiled at construction), which is what keeps matching cheap with thousands of steps.
    """

    def __init__(self, steps: Iterable[Step]) -> None:
        self._steps: dict[str, Step] = {}
        self._conditions: dict[str, Condition] = {}
        self._index = ConditionIndex()
        for step in steps:
            if not step.enabled:
                continue
            condition = parse_condition(step.condition)
            self._steps[step.name] = step
            self._conditions[step.name] = condition
            self._index.add(step.name, condition)

    def get(self, name: str) -> Step | None:
        return self._steps.get(name)

    def matches(self, name: str, data: JsonObject) -> bool:
        condition = self._conditions.get(name)
        return condition is not None and condition.matches(data)

    def matching(self, data: JsonObject) -> list[Step]:
        found = [self._steps[name] for name in self._index.matching(data)]
        return sorted(found, key=lambda s: (-s.specificity, s.created_seq, s.name))
