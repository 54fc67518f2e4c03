"""The log-size limit: a run's log (and apart from it, its audit lines) is cut at the limit, on a character
boundary, with a marker line."""

from ..limits import LOG
from .types import LogLine


def truncation_marker(limit_bytes: int) -> LogLine:
    return LogLine("error", f"[log truncated: {LOG} of {limit_bytes} bytes reached]")


def clip_logs(lines: list[LogLine], limit_bytes: int) -> tuple[list[LogLine], bool]:
    """The lines that fit in `limit_bytes` of UTF-8 (the last one cut short), and whether any were cut.

    Each line counts one byte more, for its line break as a log file would hold it: a flood of
    empty lines fills the log like any other.
    """
    kept: list[LogLine] = []
    room = limit_bytes
    for line in lines:
        encoded = line.message.encode("utf-8")
        if len(encoded) + 1 <= room:
            kept.append(line)
            room -= len(encoded) + 1
            continue
        if room > 1:
            kept.append(LogLine(line.level, encoded[: room - 1].decode("utf-8", errors="ignore")))
        kept.append(truncation_marker(limit_bytes))
        return kept, True
    return kept, False


def clip_audit(lines: list[str], limit_bytes: int) -> tuple[list[str], bool]:
    """Audit lines cut like log lines; the marker is an audit line too."""
    kept, clipped = clip_logs([LogLine("audit", line) for line in lines], limit_bytes)
    return [line.message for line in kept], clipped
