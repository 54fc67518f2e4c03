"""The task filters of `aloma task list|counts|resume|rerun`, as options and as query parameters.

`--since` and `--until` take an age (`30s`, `15m`, `1h`, `2d`: that long ago) or an ISO 8601 time
(`2025-01-31`, `2025-01-31T12:00:00+01:00`; naive times are UTC), sent as `created_after` and
`created_before` (epoch ms; the first inclusive, the second exclusive).
"""

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated

import typer

from .errors import UsageProblem
from .logsource import parse_since
from .times import parse_timestamp

NameOption = Annotated[str | None, typer.Option("--name", help="Only tasks of exactly this name.")]
TagOption = Annotated[str | None, typer.Option("--tag", help="Only tasks that have this tag.")]
StepOption = Annotated[
    str | None, typer.Option("--step", help="Only tasks on which this step ran (succeeded or failed).")
]
SinceOption = Annotated[
    str | None,
    typer.Option("--since", metavar="AGE|TIME", help="Created at or after: 1h, 2d, or an ISO 8601 time."),
]
UntilOption = Annotated[
    str | None,
    typer.Option("--until", metavar="AGE|TIME", help="Created before: 1h, 2d, or an ISO 8601 time."),
]
SearchOption = Annotated[
    str | None,
    typer.Option(
        "--search",
        metavar="TEXT",
        help='Case-sensitive text in the data as compact JSON, e.g. \'"plan":"pro"\'.',
    ),
]


@dataclass(frozen=True)
class Filters:
    name: str | None = None
    tag: str | None = None
    step: str | None = None
    since: str | None = None
    until: str | None = None
    search: str | None = None

    @property
    def given(self) -> bool:
        return any(value is not None for value in vars(self).values())

    def params(self, now: datetime | None = None) -> dict[str, str | int]:
        """The query parameters (and bulk filter fields) of the API."""
        moment = now or datetime.now(UTC)
        found: dict[str, str | int | None] = {
            "name": self.name,
            "tag": self.tag,
            "step": self.step,
            "created_after": None if self.since is None else epoch_ms(self.since, "--since", moment),
            "created_before": None if self.until is None else epoch_ms(self.until, "--until", moment),
            "q": self.search,
        }
        return {key: value for key, value in found.items() if value is not None}


def epoch_ms(text: str, option: str, now: datetime) -> int:
    """An age before `now` or an ISO 8601 time, as epoch milliseconds."""
    moment = parse_timestamp(text)
    if moment is None:
        try:
            moment = now - parse_since(text)
        except ValueError:
            raise UsageProblem(
                f"{option}: {text!r} is neither an age like 30s, 15m, 1h, 2d nor an ISO 8601 time"
            ) from None
    return int(moment.timestamp() * 1000)
