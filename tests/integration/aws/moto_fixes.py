"""Where moto is not DynamoDB, corrected so that tests (and the AWS cost benchmark) check our code
and not moto.

- moto still caps a transaction at 25 items; DynamoDB allows 100 since 2022.
- A cancelled TransactWriteItems is rolled back by putting deep copies of the tables in place, so
  the items it wrote before the failing condition stay in the old table's stream, and every later
  write goes to the copy's stream, which no open shard iterator reads: after one cancelled
  transaction the stream looks empty for good. DynamoDB writes nothing of a cancelled transaction.
- Those deep copies are of whole tables, stream included, one per item of every transaction: a
  transaction's cost grows with everything the table ever held, and a few hundred tasks take
  minutes. Here a transaction keeps the tables it was given; only the items it names are copied,
  and put back (with the stream cut where it was) when it is cancelled.
- A Query of the table (not of an index) sorts and scans every item of every partition to find
  one partition's: here it reads that partition only, as DynamoDB does.
"""

import copy
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import SimpleNamespace
from typing import Any

import pytest
from moto.dynamodb import models as dynamodb_models
from moto.dynamodb import responses as dynamodb_responses
from moto.dynamodb.models import DynamoDBBackend
from moto.dynamodb.models.dynamo_type import DynamoType, Item
from moto.dynamodb.models.table import Table

ItemKey = tuple[str, DynamoType, DynamoType | None]
QUERY_INDEX_NAME_POSITION = 6
"""Where `Table.query` takes `index_name` among the arguments after `hash_key` (moto passes them all
by position)."""

_queried = threading.local()
"""The partition that the Query running on this thread reads, when it reads the table itself."""


def _deepcopy_but_tables(value: Any, memo: dict[int, Any] | None = None) -> Any:
    """moto's backup of a table before a transaction, made a no-op: the items are saved instead."""
    return value if isinstance(value, Table) else copy.deepcopy(value, memo)


def _key_of(backend: DynamoDBBackend, operation: dict[str, Any]) -> ItemKey | None:
    """The table and key of one transaction item, or None when moto will refuse it anyway."""
    ((kind, op),) = operation.items()
    table = backend.tables.get(op.get("TableName", ""))
    attributes = op.get("Item") if kind == "Put" else op.get("Key")
    if table is None or not isinstance(attributes, dict) or table.hash_key_attr not in attributes:
        return None
    range_value = attributes.get(table.range_key_attr) if table.range_key_attr else None
    return (
        table.name,
        DynamoType(attributes[table.hash_key_attr]),
        None if range_value is None else DynamoType(range_value),
    )


def _restore(table: Table, key: ItemKey, saved: Item | None) -> None:
    _, hash_value, range_value = key
    if range_value is None:
        if saved is None:
            table.items.pop(hash_value, None)
        else:
            table.items[hash_value] = saved
        return
    if saved is None:
        table.items.get(hash_value, {}).pop(range_value, None)
    else:
        table.items[hash_value][range_value] = saved


def _partition_items(table: Table, hash_value: DynamoType) -> list[Item]:
    partition = table.items.get(hash_value)
    if partition is None:
        return []
    if table.range_key_attr is None:
        return [partition] if isinstance(partition, Item) else []
    return sorted(partition.values(), key=lambda item: item.range_key)


@contextmanager
def dynamodb_like_moto() -> Iterator[None]:
    original = DynamoDBBackend.transact_write_items

    def transact_write_items(self: DynamoDBBackend, transact_items: list[dict[str, Any]]) -> None:
        keys = [key for key in (_key_of(self, item) for item in transact_items if len(item) == 1) if key]
        saved = {key: copy.deepcopy(self.tables[key[0]].get_item(key[1], key[2])) for key in keys}
        streamed = {name: len(t.stream_shard.items) for name, t in self.tables.items() if t.stream_shard}
        try:
            original(self, transact_items)
        except Exception:
            for key, item in saved.items():
                _restore(self.tables[key[0]], key, item)
            for name, length in streamed.items():
                shard = self.tables[name].stream_shard
                assert shard is not None
                del shard.items[length:]
            raise

    original_query = Table.query
    original_all_items = Table.all_items

    def query(self: Table, hash_key: DynamoType | None, *args: Any, **kwargs: Any) -> Any:
        if len(args) > QUERY_INDEX_NAME_POSITION:
            index_name = args[QUERY_INDEX_NAME_POSITION]
        else:
            index_name = kwargs.get("index_name")
        _queried.partition = hash_key if index_name is None else None
        try:
            return original_query(self, hash_key, *args, **kwargs)
        finally:
            _queried.partition = None

    def all_items(self: Table) -> list[Item]:
        partition = getattr(_queried, "partition", None)
        if partition is None:
            return original_all_items(self)
        return _partition_items(self, partition)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(Table, "query", query)
        patch.setattr(Table, "all_items", all_items)
        patch.setattr(dynamodb_responses, "TRANSACTION_MAX_ITEMS", 100)
        patch.setattr(DynamoDBBackend, "transact_write_items", transact_write_items)
        patch.setattr(dynamodb_models, "copy", SimpleNamespace(deepcopy=_deepcopy_but_tables))
        yield
