"""Reading the sparse due-time index `gsi3` (see `table.py`): what schedules and notices share.

The index is eventually consistent and KEYS_ONLY, so every entry found is re-read with a
consistent read, and the caller's `still_due` drops an item that is gone or no longer due.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from ..table import GSI_DUE, due_until
from .items import Item, get_items, s

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.client import DynamoDBClient
    from mypy_boto3_dynamodb.type_defs import QueryInputTypeDef


def due_items(
    client: DynamoDBClient, table: str, pk: str, now_ms: int, limit: int, still_due: Callable[[Item], bool]
) -> list[Item]:
    """Pages of index entries under `pk`, each re-read, until `limit` items are due or none is left."""
    found: list[Item] = []
    start: Item | None = None
    while len(found) < limit:
        query: QueryInputTypeDef = {
            "TableName": table,
            "IndexName": GSI_DUE,
            "KeyConditionExpression": f"{GSI_DUE}pk = :pk AND {GSI_DUE}sk <= :until",
            "ExpressionAttributeValues": {":pk": s(pk), ":until": s(due_until(now_ms))},
            "Limit": limit - len(found),
        }
        if start is not None:
            query["ExclusiveStartKey"] = start
        page = client.query(**query)
        found += [
            item for item in get_items(client, table, page["Items"]) if item is not None and still_due(item)
        ]
        start = page.get("LastEvaluatedKey")
        if start is None:
            break
    return found
