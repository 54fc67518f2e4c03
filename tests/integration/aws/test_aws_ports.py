"""The AWS adapters are the ports' implementations (checked by mypy on this file, run here too)."""

from mypy_boto3_dynamodb.client import DynamoDBClient
from mypy_boto3_secretsmanager.client import SecretsManagerClient
from mypy_boto3_sqs.client import SQSClient
from store_support import table_name

from aloma_core.adapters.aws.dynamodb import (
    DynamoConnectorStore,
    DynamoRateLimiter,
    DynamoStepStore,
    DynamoTaskStore,
    DynamoWebhookStore,
    DynamoWorkspaceStore,
)
from aloma_core.adapters.aws.secrets import SecretsManagerSecretStore
from aloma_core.adapters.aws.sqs import SqsWorkQueue
from aloma_core.ports import (
    ConnectorStore,
    RateLimiter,
    SecretStore,
    StepStore,
    TaskStore,
    WebhookStore,
    WorkQueue,
    WorkspaceStore,
)


def test_the_adapters_implement_the_ports(
    dynamodb: DynamoDBClient, secretsmanager: SecretsManagerClient, sqs: SQSClient
) -> None:
    table = table_name(dynamodb)
    tasks: TaskStore = DynamoTaskStore(dynamodb, table)
    steps: StepStore = DynamoStepStore(dynamodb, table)
    workspaces: WorkspaceStore = DynamoWorkspaceStore(dynamodb, table)
    connectors: ConnectorStore = DynamoConnectorStore(dynamodb, table)
    webhooks: WebhookStore = DynamoWebhookStore(dynamodb, table)
    limiter: RateLimiter = DynamoRateLimiter(dynamodb, table)
    secrets: SecretStore = SecretsManagerSecretStore(secretsmanager, "aloma/")
    queue: WorkQueue = SqsWorkQueue(sqs, "https://sqs.us-east-1.amazonaws.com/123456789012/steps")

    assert steps.list("ws") == []
    assert tasks.list("ws", None, 1, None) == ([], None)
    assert workspaces.list() == []
    assert connectors.list("ws") == []
    assert webhooks.by_key_hash("hash") is None
    assert limiter.allow("key", 1, 0)
    assert secrets.names("ws") == []
    queue.send([])
