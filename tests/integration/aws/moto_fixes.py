"""Where moto is not DynamoDB, corrected so that tests (and the AWS cost benchmark) check our code
and not moto.

- moto still caps a transaction at 25 items; DynamoDB allows 100 since 2022.
- A cancelled TransactWriteItems is rolled back by putting deep copies of the tables in place, so
  the items it wrote before the failing condition stay in the old table's stream, and every later
  write goes to the copy's stream, which no open shard iterator reads: after one cancelled
  transaction the stream looks empty for good. DynamoDB writes nothing of a cancelled transaction.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from moto.dynamodb import responses as dynamodb_responses
from moto.dynamodb.models import DynamoDBBackend


@contextmanager
def dynamodb_like_moto() -> Iterator[None]:
    original = DynamoDBBackend.transact_write_items

    def transact_write_items(self: DynamoDBBackend, transact_items: list[dict[str, Any]]) -> None:
        live = dict(self.tables)
        streamed = {name: len(t.stream_shard.items) for name, t in live.items() if t.stream_shard}
        try:
            original(self, transact_items)
        except Exception:
            for name, table in live.items():
                restored = self.tables.get(name)
                if restored is not None and restored is not table:
                    table.items = restored.items
                    self.tables[name] = table
                if name in streamed and table.stream_shard is not None:
                    del table.stream_shard.items[streamed[name] :]
            raise

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(dynamodb_responses, "TRANSACTION_MAX_ITEMS", 100)
        patch.setattr(DynamoDBBackend, "transact_write_items", transact_write_items)
        yield
