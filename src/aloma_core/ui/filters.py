"""The filter form of the Tasks and Bulk pages, read from a query string into the platform's
`TaskFilter` (the one `/v1/tasks` uses), plus the state the form also picks.

A value the form cannot mean (an unknown state, a time that is not one) is refused with a 422,
never dropped: a filter silently ignored would show more tasks than asked for, and a bulk action
would then act on them."""

from dataclasses import dataclass, fields
from datetime import UTC, datetime

from fastapi import Request

from ..errors import InvalidInput
from ..model import TaskState
from ..task_filter import TaskFilter

TEXT_FIELDS = ("name", "tag", "step", "q")


def epoch_ms(name: str, local: str | None) -> int | None:
    """A `datetime-local` value (read as UTC, the time the dashboard shows) as epoch ms."""
    if not local:
        return None
    try:
        moment = datetime.fromisoformat(local)
    except ValueError:
        raise InvalidInput(f"{name}: {local!r} is not a date and time such as 2025-01-31T09:30") from None
    return int(moment.replace(tzinfo=moment.tzinfo or UTC).timestamp() * 1000)


@dataclass(frozen=True)
class FilterForm:
    """What the form holds, as typed: empty fields are no filter."""

    state: str | None = None
    name: str | None = None
    tag: str | None = None
    step: str | None = None
    created_after: str | None = None
    created_before: str | None = None
    q: str | None = None

    @classmethod
    def of(cls, request: Request) -> "FilterForm":
        values = {f.name: (request.query_params.get(f.name) or "").strip() or None for f in fields(cls)}
        return cls(**values)

    @property
    def task_state(self) -> TaskState | None:
        if self.state is None:
            return None
        known = [state.value for state in TaskState]
        if self.state not in known:
            raise InvalidInput(f"state: {self.state!r} is not one of {', '.join(known)}")
        return TaskState(self.state)

    def where(self) -> TaskFilter:
        text = {key: getattr(self, key) for key in TEXT_FIELDS}
        return TaskFilter(
            created_after=epoch_ms("created_after", self.created_after),
            created_before=epoch_ms("created_before", self.created_before),
            **text,
        )
