"""`aloma logs` on AWS: the functions' CloudWatch Logs as the same `LogRecord`s as the local file.

Imported only when log groups are named, so the CLI starts without boto3 otherwise.

Lines that are not JSON come from the Lambda runtime, not Powertools: START, END and REPORT
(duration, memory), and the only trace of a timeout, an out-of-memory kill or a crash at import.
They are shown as plain lines, prefixed by their function, because hiding them would hide those
failures. They carry no task id, so `--task` leaves them out, and `--json` (one JSON object per
line) skips them.
"""

from collections.abc import Iterator, Sequence
from dataclasses import replace
from datetime import UTC, datetime

from ..adapters.aws.cloudwatch_logs import (
    CloudWatchLogReader,
    CloudWatchLogsError,
    LogEvent,
    json_field_equals,
    open_reader,
)
from .errors import CliError, UsageProblem
from .logsource import LogQuery, LogRecord, parse_line


class CloudWatchLogSource:
    def __init__(self, reader: CloudWatchLogReader, *, plain_lines: bool) -> None:
        self._reader = reader
        self._plain_lines = plain_lines

    def records(self, query: LogQuery) -> Iterator[LogRecord]:
        start_ms = 0 if query.since is None else int(query.since.timestamp() * 1000)
        try:
            for event in self._reader.events(start_ms, _task_pattern(query.task_id)):
                record = self._record(event)
                # CloudWatch already filtered by task; emulators (moto) ignore JSON patterns and
                # return every line, and checking again here costs nothing on AWS.
                if record is not None and (query.task_id is None or record.field("task_id") == query.task_id):
                    yield record
        except CloudWatchLogsError as error:
            raise CliError(str(error)) from None

    def _record(self, event: LogEvent) -> LogRecord | None:
        at = datetime.fromtimestamp(event.timestamp_ms / 1000, UTC)
        record = parse_line(event.message)
        if record is not None:
            return record if record.timestamp is not None else replace(record, timestamp=at)
        if not self._plain_lines:
            return None
        function = event.group.rsplit("/", 1)[-1]
        return LogRecord(timestamp=at, level="", message=f"{function}: {event.message.rstrip()}", raw={})


def _task_pattern(task_id: str | None) -> str:
    if task_id is None:
        return ""
    try:
        return json_field_equals("task_id", task_id)
    except ValueError as error:
        raise UsageProblem(f"--task: {error}") from None


def cloudwatch_source(groups: Sequence[str], *, plain_lines: bool) -> CloudWatchLogSource:
    try:
        return CloudWatchLogSource(open_reader(groups), plain_lines=plain_lines)
    except CloudWatchLogsError as error:
        raise CliError(str(error)) from None
