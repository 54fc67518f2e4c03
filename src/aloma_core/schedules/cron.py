"""Cron expressions of schedules: the standard five fields, read in an IANA time zone.

Slots are wall-clock times of the zone, so `0 9 * * *` in Europe/Berlin stays at 09:00 across
daylight saving changes. A slot that a change skips (02:30 on the spring-forward night) fires at
the first minute after the gap; one that a change repeats fires once, the first time. Parsing and
stepping are cronsim's (Debian cron's rules, `L`, `W`, `#` and month and day names included).
"""

from datetime import UTC, datetime
from functools import cache
from zoneinfo import ZoneInfo, available_timezones

from cronsim import CronSim, CronSimError

from ..errors import InvalidInput

DEFAULT_TIMEZONE = "UTC"
MAX_CRON_LENGTH = 200
_FIELDS = 5
# Any instant will do: cronsim parses the expression when it is built.
_PARSE_FROM = datetime(2000, 1, 1, tzinfo=UTC)


def check_cron(cron: str) -> None:
    """`InvalidInput` naming the field `cron` unless it is a five-field expression (one that never
    fires is refused by `next_slot`)."""
    if len(cron) > MAX_CRON_LENGTH:
        raise InvalidInput(f"cron: at most {MAX_CRON_LENGTH} characters")
    if len(cron.split()) != _FIELDS:
        raise InvalidInput(
            f"cron: {cron!r} is not a cron expression: five fields "
            "(minute hour day-of-month month day-of-week), e.g. '*/5 * * * *'"
        )
    try:
        CronSim(cron, _PARSE_FROM)
    except CronSimError as error:
        raise InvalidInput(f"cron: {cron!r}: {str(error).lower()}") from None


def zone(timezone: str) -> ZoneInfo:
    """The zone of an IANA name such as `Europe/Berlin`; `InvalidInput` naming `timezone` if unknown."""
    if timezone not in _known_zones():
        raise InvalidInput(
            f"timezone: {timezone!r} is not an IANA time zone name, e.g. 'UTC' or 'Europe/Berlin'"
        )
    return ZoneInfo(timezone)


@cache
def _known_zones() -> frozenset[str]:
    """The names as spelled in the database: looking a name up as a file would also take
    `europe/berlin` on a case-insensitive disk, and a schedule must mean the same in every home."""
    return frozenset(available_timezones())


def next_slot(cron: str, timezone: str, after_ms: int) -> int:
    """The first slot strictly after `after_ms` (epoch ms), in epoch ms.

    cronsim steps through wall-clock times, and in the hour a change repeats an earlier wall time
    can be a later instant, hence the loop: it keeps stepping until the instant is later too.
    """
    tz = zone(timezone)
    seconds, millis = divmod(after_ms, 1000)
    start = datetime.fromtimestamp(seconds, tz).replace(microsecond=millis * 1000)
    try:
        slots = CronSim(cron, start)
        while (slot_ms := int(next(slots).timestamp()) * 1000) <= after_ms:
            pass
    except CronSimError as error:
        raise InvalidInput(f"cron: {cron!r}: {str(error).lower()}") from None
    except StopIteration:
        raise InvalidInput(f"cron: {cron!r} fires in none of the next 50 years") from None
    return slot_ms
