"""The two homes whose stores the contract suite runs against: SQLite on a file in `tmp_path` (and
the in-memory rate limiter), and DynamoDB / Secrets Manager on moto.

The suite lives under `aws/` only so that `aws/conftest.py` serves it: moto, fake credentials and
the corrections that make moto behave like DynamoDB (100-item transactions, atomic requests).
Each test module declares a `home` fixture parametrised with `HOMES` and builds the store it
tests with the functions below, so every test runs once per home, and a DynamoDB client is
only made for the DynamoDB runs.
"""

import pytest
from mypy_boto3_dynamodb.client import DynamoDBClient
from store_support import moto_client, table_name

from aloma_core.adapters.aws.dynamodb import (
    DynamoConnectorStore,
    DynamoLibraryStore,
    DynamoNoticeStore,
    DynamoRateLimiter,
    DynamoScheduleStore,
    DynamoStepStore,
    DynamoTaskStore,
    DynamoWebhookStore,
    DynamoWorkspaceStore,
)
from aloma_core.adapters.aws.secrets import SecretsManagerSecretStore
from aloma_core.adapters.local.ratelimit import InMemoryRateLimiter
from aloma_core.adapters.local.sqlite import (
    SqliteConnectorStore,
    SqliteDatabase,
    SqliteLibraryStore,
    SqliteNoticeStore,
    SqliteScheduleStore,
    SqliteSecretStore,
    SqliteStepStore,
    SqliteTaskStore,
    SqliteWebhookStore,
    SqliteWorkspaceStore,
)
from aloma_core.ports import (
    ConnectorStore,
    LibraryStore,
    NoticeStore,
    RateLimiter,
    ScheduleStore,
    SecretStore,
    StepStore,
    TaskStore,
    WebhookStore,
    WorkspaceStore,
)

SQLITE = "sqlite"
AWS = "aws"
HOMES = [SQLITE, AWS]
SECRET_PREFIX = "aloma/contract/"


def task_store(home: str, request: pytest.FixtureRequest) -> TaskStore:
    if home == SQLITE:
        return SqliteTaskStore(_database(request))
    return DynamoTaskStore(*_table(request))


def step_store(home: str, request: pytest.FixtureRequest) -> StepStore:
    if home == SQLITE:
        return SqliteStepStore(_database(request))
    return DynamoStepStore(*_table(request))


def workspace_store(home: str, request: pytest.FixtureRequest) -> WorkspaceStore:
    if home == SQLITE:
        return SqliteWorkspaceStore(_database(request))
    return DynamoWorkspaceStore(*_table(request))


def secret_store(home: str, request: pytest.FixtureRequest) -> SecretStore:
    if home == SQLITE:
        return SqliteSecretStore(_database(request))
    return SecretsManagerSecretStore(moto_client(request, "secretsmanager"), SECRET_PREFIX)


def connector_store(home: str, request: pytest.FixtureRequest) -> ConnectorStore:
    if home == SQLITE:
        return SqliteConnectorStore(_database(request))
    return DynamoConnectorStore(*_table(request))


def webhook_store(home: str, request: pytest.FixtureRequest) -> WebhookStore:
    if home == SQLITE:
        return SqliteWebhookStore(_database(request))
    return DynamoWebhookStore(*_table(request))


def schedule_store(home: str, request: pytest.FixtureRequest) -> ScheduleStore:
    if home == SQLITE:
        return SqliteScheduleStore(_database(request))
    return DynamoScheduleStore(*_table(request))


def library_store(home: str, request: pytest.FixtureRequest) -> LibraryStore:
    if home == SQLITE:
        return SqliteLibraryStore(_database(request))
    return DynamoLibraryStore(*_table(request))


def notice_store(home: str, request: pytest.FixtureRequest) -> NoticeStore:
    if home == SQLITE:
        return SqliteNoticeStore(_database(request))
    return DynamoNoticeStore(*_table(request))


def rate_limiter(home: str, request: pytest.FixtureRequest) -> RateLimiter:
    """The local home counts in memory (one process serves every webhook), the AWS home in the table."""
    if home == SQLITE:
        return InMemoryRateLimiter()
    return DynamoRateLimiter(*_table(request))


def _table(request: pytest.FixtureRequest) -> tuple[DynamoDBClient, str]:
    client: DynamoDBClient = moto_client(request, "dynamodb")
    return client, table_name(client)


def _database(request: pytest.FixtureRequest) -> SqliteDatabase:
    database = SqliteDatabase(request.getfixturevalue("tmp_path") / "aloma.db")
    request.addfinalizer(database.close)
    return database
