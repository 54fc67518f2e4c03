"""The `ConnectorStore`, `WebhookStore` and `RateLimiter` ports on the local home.

Written as the ports' contract: the tests see only the port, through the fixtures, so the
DynamoDB implementations can run them by moving the store tests into `aws/contract/` (a `home`
fixture over `HOMES`) and adding their limiter to `LIMITERS`.
"""

import sqlite3
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from store_support import A, B

from aloma_core.adapters.local.ratelimit import InMemoryRateLimiter
from aloma_core.adapters.local.sqlite import SqliteConnectorStore, SqliteDatabase, SqliteWebhookStore
from aloma_core.adapters.local.sqlite.database import migrate
from aloma_core.adapters.local.sqlite.schema import MIGRATIONS
from aloma_core.errors import ConflictingState, NotFound
from aloma_core.model import ConnectorConfig, SigningScheme, Webhook, WebhookSigning
from aloma_core.ports import ConnectorStore, RateLimiter, WebhookStore


@pytest.fixture
def database(tmp_path: Path) -> Iterator[SqliteDatabase]:
    with SqliteDatabase(tmp_path / "aloma.db") as db:
        yield db


@pytest.fixture
def connectors(database: SqliteDatabase) -> ConnectorStore:
    return SqliteConnectorStore(database)


@pytest.fixture
def webhooks(database: SqliteDatabase) -> WebhookStore:
    return SqliteWebhookStore(database)


def connector(workspace_id: str, namespace: str, url: str = "https://crm.example.com") -> ConnectorConfig:
    return ConnectorConfig(workspace_id, namespace, "remote", {"url": url, "secret": "CRM_TOKEN"}, 10)


def webhook(workspace_id: str, name: str, webhook_id: str = "wh_1") -> Webhook:
    signing = WebhookSigning(SigningScheme.GITHUB, "GH_SECRET", "X-Hub-Signature-256")
    return Webhook(workspace_id, webhook_id, name, signing, ("X-GitHub-Event",), 60, 10)


# Connectors


def test_connectors_put_get_list_replace_delete(connectors: ConnectorStore) -> None:
    connectors.put(connector(A, "slack"))
    connectors.put(connector(A, "crm"))
    replaced = connector(A, "crm", url="https://crm2.example.com")
    connectors.put(replaced)

    assert connectors.get(A, "crm") == replaced
    assert [c.namespace for c in connectors.list(A)] == ["crm", "slack"]

    connectors.delete(A, "crm")
    assert [c.namespace for c in connectors.list(A)] == ["slack"]
    with pytest.raises(NotFound):
        connectors.get(A, "crm")
    with pytest.raises(NotFound):
        connectors.delete(A, "crm")


def test_connectors_are_isolated_by_workspace(connectors: ConnectorStore) -> None:
    connectors.put(connector(A, "crm", url="https://a.example.com"))
    connectors.put(connector(B, "crm", url="https://b.example.com"))

    assert connectors.get(A, "crm").config["url"] == "https://a.example.com"
    assert connectors.list("ws_other") == []
    with pytest.raises(NotFound):
        connectors.get("ws_other", "crm")
    with pytest.raises(NotFound):
        connectors.delete("ws_other", "crm")

    connectors.delete(B, "crm")
    assert [c.workspace_id for c in connectors.list(A)] == [A]


# Webhooks


def test_webhooks_create_find_by_key_list_delete(webhooks: WebhookStore) -> None:
    github = webhook(A, "github", "wh_1")
    webhooks.create(github, "hash-1")
    webhooks.create(webhook(A, "billing", "wh_2"), "hash-2")

    assert webhooks.by_key_hash("hash-1") == github
    assert webhooks.by_key_hash("nope") is None
    assert [w.name for w in webhooks.list(A)] == ["billing", "github"]

    webhooks.delete(A, "github")
    assert webhooks.by_key_hash("hash-1") is None
    with pytest.raises(NotFound):
        webhooks.delete(A, "github")


def test_a_webhook_name_is_unique_in_its_workspace_only(webhooks: WebhookStore) -> None:
    webhooks.create(webhook(A, "github", "wh_1"), "hash-1")

    with pytest.raises(ConflictingState):
        webhooks.create(webhook(A, "github", "wh_2"), "hash-2")
    webhooks.create(webhook(B, "github", "wh_3"), "hash-3")

    assert webhooks.by_key_hash("hash-2") is None
    assert [w.id for w in webhooks.list(B)] == ["wh_3"]


def test_webhooks_are_isolated_by_workspace(webhooks: WebhookStore) -> None:
    webhooks.create(webhook(A, "github"), "hash-1")

    assert webhooks.list(B) == []
    with pytest.raises(NotFound):
        webhooks.delete(B, "github")
    assert webhooks.by_key_hash("hash-1") == webhook(A, "github")


# Migration 2 on a file made by an earlier aloma


def test_a_database_at_migration_1_gains_the_new_tables_and_keeps_its_rows(tmp_path: Path) -> None:
    path = tmp_path / "aloma.db"
    old = sqlite3.connect(path, isolation_level=None)
    migrate(old, MIGRATIONS[:1])
    old.execute("INSERT INTO secrets VALUES ('ws', 'TOKEN', 'v')")
    old.close()

    with SqliteDatabase(path) as db:
        SqliteConnectorStore(db).put(connector("ws", "crm"))
        assert SqliteConnectorStore(db).list("ws") == [connector("ws", "crm")]
        assert db.read().execute("SELECT value FROM secrets").fetchall() == [("v",)]
        assert db.read().execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)


# Rate limiter

LIMITERS: list[Callable[[], RateLimiter]] = [InMemoryRateLimiter]
MINUTE = 60_000
T0 = 1_735_689_600_000  # the start of a minute


@pytest.fixture(params=LIMITERS)
def limiter(request: pytest.FixtureRequest) -> RateLimiter:
    made: RateLimiter = request.param()
    return made


def test_the_limit_holds_within_a_minute_and_resets_with_the_next(limiter: RateLimiter) -> None:
    assert [limiter.allow("k", 3, T0 + i) for i in range(5)] == [True, True, True, False, False]
    assert limiter.allow("k", 3, T0 + MINUTE - 1) is False

    assert limiter.allow("k", 3, T0 + MINUTE) is True


def test_keys_are_counted_apart(limiter: RateLimiter) -> None:
    assert limiter.allow("a", 1, T0)
    assert limiter.allow("b", 1, T0)
    assert not limiter.allow("a", 1, T0)


def test_concurrent_events_never_pass_the_limit(limiter: RateLimiter) -> None:
    allowed: list[bool] = []
    lock = threading.Lock()

    def hit() -> None:
        for _ in range(50):
            result = limiter.allow("k", 100, T0)
            with lock:
                allowed.append(result)

    threads = [threading.Thread(target=hit) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert allowed.count(True) == 100
