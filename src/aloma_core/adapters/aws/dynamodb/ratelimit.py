"""The `RateLimiter` port in DynamoDB: every API Lambda environment counts in the same items.

One `rate` item per key and epoch minute (see `table.py`). An event is one UpdateItem that adds 1
to `hits` only while `hits` is under the limit, so concurrent callers anywhere never let more
than the limit through in a minute; a failed condition is the refusal, and costs no write. The
item expires (TTL) a few minutes after its minute: DynamoDB deletes it some time later, and by
then no caller counts in that minute any more.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..table import RATE_SK, TTL_ATTRIBUTE, rate_pk
from .items import fits_key, n, s

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.client import DynamoDBClient

WINDOW_MS = 60_000
KEEP_S = 300
"""How long after its minute ends a count is kept before TTL may delete it."""


class DynamoRateLimiter:
    def __init__(self, client: DynamoDBClient, table: str) -> None:
        self._client = client
        self._table = table

    def allow(self, key: str, limit_per_minute: int, now_ms: int) -> bool:
        minute = now_ms // WINDOW_MS
        pk = rate_pk(key, minute)
        if limit_per_minute <= 0:
            return False
        if not fits_key(pk, RATE_SK):
            raise ValueError(f"rate limiter key too long: {len(key.encode())} bytes")
        try:
            self._client.update_item(
                TableName=self._table,
                Key={"pk": s(pk), "sk": s(RATE_SK)},
                UpdateExpression="SET kind = :kind, #expires = :expires ADD hits :one",
                ConditionExpression="attribute_not_exists(hits) OR hits < :limit",
                ExpressionAttributeNames={"#expires": TTL_ATTRIBUTE},
                ExpressionAttributeValues={
                    ":kind": s("rate"),
                    ":expires": n((minute + 1) * WINDOW_MS // 1000 + KEEP_S),
                    ":one": n(1),
                    ":limit": n(limit_per_minute),
                },
            )
        except self._client.exceptions.ConditionalCheckFailedException:
            return False
        return True
