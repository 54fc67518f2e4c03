"""The one timestamp form of answers and of `$via.received`: ISO 8601, UTC, milliseconds."""

from datetime import UTC, datetime


def iso_timestamp(epoch_ms: int) -> str:
    """Epoch milliseconds as `2025-01-31T09:30:00.000Z`."""
    seconds, millis = divmod(epoch_ms, 1000)
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%S") + f".{millis:03d}Z"
