"""Reading the functions' log groups in CloudWatch Logs, for `aloma logs` on AWS.

FilterLogEvents searches one log group per call, so each group is paged on its own and the groups
are merged by event time: one task's story crosses the API, matcher and runner functions.
Every failure becomes a `CloudWatchLogsError` whose message a person can act on.
"""

from __future__ import annotations

import heapq
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError, NoRegionError

from .clients import AwsClients

if TYPE_CHECKING:
    from mypy_boto3_logs.client import CloudWatchLogsClient

MAX_PAGE = 10_000  # the most events FilterLogEvents returns per call
# What a filter-pattern string says literally: no quote to escape, no `*` (a wildcard there).
_LITERAL = re.compile(r"[A-Za-z0-9_.:-]+")


class CloudWatchLogsError(Exception):
    """The logs could not be read (no credentials or region, an unknown group, access denied)."""


@dataclass(frozen=True)
class LogEvent:
    timestamp_ms: int
    group: str
    message: str


def json_field_equals(field: str, value: str) -> str:
    """A pattern CloudWatch evaluates on its side, so only matching lines leave the service."""
    if not _LITERAL.fullmatch(value):
        raise ValueError(f"{value!r} cannot be matched exactly: use letters, digits and _ . : -")
    return f'{{ $.{field} = "{value}" }}'


class CloudWatchLogReader:
    def __init__(
        self, client: CloudWatchLogsClient, groups: Sequence[str], page_size: int = MAX_PAGE
    ) -> None:
        self._client = client
        self._groups = list(groups)
        self._page_size = page_size

    def events(self, start_ms: int = 0, filter_pattern: str = "") -> Iterator[LogEvent]:
        """Every group's matching events, oldest first. Each group's pages come in time order, so a
        merge streams them; it reads the first page of every group before yielding anything, so an
        unknown group fails before any line is shown."""
        per_group = [self._group_events(group, start_ms, filter_pattern) for group in self._groups]
        return heapq.merge(*per_group, key=lambda event: event.timestamp_ms)

    def _group_events(self, group: str, start_ms: int, filter_pattern: str) -> Iterator[LogEvent]:
        pages = self._client.get_paginator("filter_log_events").paginate(
            logGroupName=group,
            startTime=start_ms,
            filterPattern=filter_pattern,
            # AWS always interleaves a group's streams by event time and ignores this flag since
            # 2019; an emulator (moto) searches stream after stream unless asked.
            interleaved=True,
            PaginationConfig={"PageSize": self._page_size},
        )
        try:  # the paginator is lazy: requests, and so failures, happen while iterating
            for page in pages:
                for event in page.get("events", []):
                    yield LogEvent(event.get("timestamp", 0), group, event.get("message", ""))
        except ClientError as error:
            raise CloudWatchLogsError(self._refusal(group, error)) from None
        except BotoCoreError as error:
            raise CloudWatchLogsError(_describe(error)) from None

    def _refusal(self, group: str, error: ClientError) -> str:
        code = error.response.get("Error", {}).get("Code", "")
        if code == "ResourceNotFoundException":
            return f"log group {group!r} does not exist in {self._client.meta.region_name}"
        reason = error.response.get("Error", {}).get("Message", str(error))
        return f"cannot read log group {group!r}: {reason} ({code})"


def _describe(error: BotoCoreError) -> str:
    if isinstance(error, NoCredentialsError):
        return "no AWS credentials found: set AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"
    if isinstance(error, NoRegionError):
        return "no AWS region set: set AWS_REGION to the stack's region"
    return f"cannot read CloudWatch Logs: {error}"


def open_reader(groups: Sequence[str]) -> CloudWatchLogReader:
    """A reader on the default session; a missing region or unknown profile surfaces here."""
    try:
        client = AwsClients().logs
    except BotoCoreError as error:
        raise CloudWatchLogsError(_describe(error)) from None
    return CloudWatchLogReader(client, groups)
