"""What only the DynamoDB connector and webhook stores and rate limiter do, on moto: the items of
`table.py`, their expiry and DynamoDB's limits. The ports' contracts they share with the local
home run against both homes in `contract/`."""

import pytest
from mypy_boto3_dynamodb.client import DynamoDBClient
from store_support import A, share_botocore_loader, table_name

from aloma_core.adapters.aws.dynamodb import DynamoConnectorStore, DynamoRateLimiter, DynamoWebhookStore
from aloma_core.adapters.aws.dynamodb.ratelimit import KEEP_S
from aloma_core.errors import InvalidInput, TooLarge
from aloma_core.model import ConnectorConfig, Webhook

MINUTE_MS = 60_000
T0 = 1_735_689_600_000  # the start of a minute


@pytest.fixture(autouse=True)
def _one_botocore_loader(monkeypatch: pytest.MonkeyPatch) -> None:
    share_botocore_loader(monkeypatch)


def items(dynamodb: DynamoDBClient) -> list[dict[str, str]]:
    """Every item's keys, kind, count and expiry, as text."""
    scanned = dynamodb.scan(TableName=table_name(dynamodb))["Items"]
    wanted = ("pk", "sk", "kind", "expires_at", "hits")
    shown = [
        {name: str(value.get("S", value.get("N"))) for name, value in item.items() if name in wanted}
        for item in scanned
    ]
    return sorted(shown, key=lambda item: (item["pk"], item["sk"]))


def test_a_webhook_is_two_items_created_and_deleted_together(dynamodb: DynamoDBClient) -> None:
    webhooks = DynamoWebhookStore(dynamodb, table_name(dynamodb))

    webhooks.create(Webhook(A, "wh_1", "github", None, (), 60, 10), "c0ffee")

    assert items(dynamodb) == [
        {"pk": "HOOK#c0ffee", "sk": "HOOK", "kind": "webhook_key"},
        {"pk": f"WS#{A}#WEBHOOKS", "sk": "WEBHOOK#github", "kind": "webhook"},
    ]
    webhooks.delete(A, "github")
    assert items(dynamodb) == []


def test_a_connector_is_one_item_in_its_workspaces_partition(dynamodb: DynamoDBClient) -> None:
    DynamoConnectorStore(dynamodb, table_name(dynamodb)).put(
        ConnectorConfig(A, "crm", "remote", {"url": "https://crm.example.com"}, 1)
    )

    assert items(dynamodb) == [{"pk": f"WS#{A}#CONNECTORS", "sk": "CONNECTOR#crm", "kind": "connector"}]


def test_a_connector_too_large_for_an_item_or_a_key_is_refused(dynamodb: DynamoDBClient) -> None:
    connectors = DynamoConnectorStore(dynamodb, table_name(dynamodb))

    with pytest.raises(TooLarge):
        connectors.put(
            ConnectorConfig(A, "big", "remote", {"url": "https://x.example", "pad": "x" * 400_000}, 1)
        )
    with pytest.raises(InvalidInput, match="namespace"):
        connectors.put(ConnectorConfig(A, "n" * 2000, "remote", {"url": "https://x.example"}, 1))

    assert items(dynamodb) == []


def test_a_minutes_count_is_one_item_that_expires_minutes_after_it(dynamodb: DynamoDBClient) -> None:
    limiter = DynamoRateLimiter(dynamodb, table_name(dynamodb))
    minute = T0 // MINUTE_MS

    assert [limiter.allow("webhook:wh_1", 2, T0 + 59_000) for _ in range(3)] == [True, True, False]

    expires = (T0 + MINUTE_MS) // 1000 + KEEP_S
    assert items(dynamodb) == [
        {
            "pk": f"RATE#webhook:wh_1#{minute}",
            "sk": "RATE",
            "kind": "rate",
            "expires_at": str(expires),
            "hits": "2",
        }
    ]
    assert 60 <= KEEP_S <= 900, "a few minutes: long enough for any late caller, short enough to cost nothing"
