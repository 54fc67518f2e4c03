"""Reading and showing times: the API and the log both write ISO 8601; people read local time."""

from datetime import UTC, datetime, tzinfo


def parse_timestamp(value: object) -> datetime | None:
    """ISO 8601 (Powertools' `2024-01-02 03:04:05,678+0000` included); a naive time is UTC."""
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def format_moment(moment: datetime, tz: tzinfo | None = None, *, precise: bool = False) -> str:
    """Local time by default; `tz` pins it (tests use UTC). `precise` adds milliseconds."""
    local = moment.astimezone(tz)
    return local.strftime("%Y-%m-%d %H:%M:%S") + (f".{local.microsecond // 1000:03d}" if precise else "")


def format_time(value: object, tz: tzinfo | None = None, *, precise: bool = False) -> str:
    """An API timestamp for a person; anything unreadable is shown as it came."""
    moment = parse_timestamp(value)
    if moment is None:
        return "" if value is None else str(value)
    return format_moment(moment, tz, precise=precise)
