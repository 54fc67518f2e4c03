"""Low-level DynamoDB helpers shared by the stores: typed attribute values, item sizes, transactions.

Every attribute the stores write is a string or an integer (free-form JSON is JSON text, in
`record` or, for a task's data and result, in attributes of their own), so two tiny constructors
replace a general serializer and no Decimal ever reaches the domain.
"""

from __future__ import annotations

import random
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING, TypeAlias

from ..table import PARTITION_KEY_BYTES, SORT_KEY_BYTES

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.client import DynamoDBClient
    from mypy_boto3_dynamodb.type_defs import AttributeValueTypeDef, TransactWriteItemTypeDef

Item: TypeAlias = "dict[str, AttributeValueTypeDef]"

CONDITION_FAILED = "ConditionalCheckFailed"
_TRANSIENT = frozenset(
    {"TransactionConflict", "ThrottlingError", "ProvisionedThroughputExceeded", "RequestLimitExceeded"}
)
_ATTEMPTS = 6
BATCH_GET_KEYS = 100


def s(value: str) -> AttributeValueTypeDef:
    return {"S": value}


def n(value: int) -> AttributeValueTypeDef:
    return {"N": str(value)}


def text(item: Item, name: str) -> str:
    value = item[name].get("S")
    if value is None:
        raise ValueError(f"item attribute {name!r} is not a string")
    return value


def number(item: Item, name: str) -> int:
    value = item[name].get("N")
    if value is None:
        raise ValueError(f"item attribute {name!r} is not a number")
    return int(value)


def item_size(item: Item) -> int:
    """An upper bound of DynamoDB's size of `item` (names plus values; a number counts its digits)."""
    total = 0
    for name, value in item.items():
        total += len(name.encode())
        total += len(value.get("S", "").encode()) + len(value.get("N", ""))
    return total


def fits_key(pk: str, sk: str = "") -> bool:
    """False for a key DynamoDB would refuse: an object with such an id or name cannot exist."""
    return len(pk.encode()) <= PARTITION_KEY_BYTES and len(sk.encode()) <= SORT_KEY_BYTES


def transact(client: DynamoDBClient, items: Sequence[TransactWriteItemTypeDef]) -> list[str] | None:
    """Commit `items` as one transaction: None when committed, else the cancellation code of
    each item when a condition failed. A clash with another transaction in flight on the same
    items (or throttling) says nothing about the conditions, so it is retried with jitter."""
    attempt = 1
    while True:
        try:
            client.transact_write_items(TransactItems=items)
        except client.exceptions.TransactionCanceledException as error:
            codes = [reason.get("Code", "None") for reason in error.response.get("CancellationReasons", [])]
            if CONDITION_FAILED in codes:
                return codes
            if attempt == _ATTEMPTS or not _TRANSIENT.intersection(codes):
                raise
            time.sleep(random.uniform(0, 0.02 * 2**attempt))
            attempt += 1
        else:
            return None


def get_items(client: DynamoDBClient, table: str, keys: Sequence[Item]) -> list[Item | None]:
    """The items of `keys` (`pk` and `sk`), in the order of `keys`; None for one that does not exist.

    Strongly consistent BatchGetItem requests of at most `BATCH_GET_KEYS` keys. What DynamoDB
    leaves unprocessed (past 16 MB of answer, or throttled) is asked for again: at once when the
    answer brought items, else after a jittered back-off, giving up after `_ATTEMPTS` empty answers.
    """
    found: dict[tuple[str, str], Item] = {}
    wanted = [{"pk": s(pk), "sk": s(sk)} for pk, sk in dict.fromkeys(_key_of(key) for key in keys)]
    for start in range(0, len(wanted), BATCH_GET_KEYS):
        pending: list[Item] = wanted[start : start + BATCH_GET_KEYS]
        empty_answers = 0
        while pending:
            answer = client.batch_get_item(RequestItems={table: {"Keys": pending, "ConsistentRead": True}})
            items = answer["Responses"].get(table, [])
            found.update((_key_of(item), item) for item in items)
            unprocessed = answer["UnprocessedKeys"].get(table)
            pending = [] if unprocessed is None else unprocessed["Keys"]
            if not pending or items:
                empty_answers = 0
                continue
            empty_answers += 1
            if empty_answers == _ATTEMPTS:
                raise RuntimeError(f"DynamoDB left {len(pending)} keys unprocessed {_ATTEMPTS} times running")
            time.sleep(random.uniform(0, 0.02 * 2**empty_answers))
    return [found.get(_key_of(key)) for key in keys]


def _key_of(item: Item) -> tuple[str, str]:
    return text(item, "pk"), text(item, "sk")
