"""The AWS home's storage: one DynamoDB table (see `adapters/aws/table.py`) behind the storage ports.

Each store takes an injected low-level DynamoDB client and the table name; none builds a client
or reads the environment.
"""

from .connectors import DynamoConnectorStore
from .libraries import DynamoLibraryStore
from .notices import DynamoNoticeStore
from .ratelimit import DynamoRateLimiter
from .schedules import DynamoScheduleStore
from .steps import DynamoStepStore
from .tasks import DynamoTaskStore, task_from_item
from .webhooks import DynamoWebhookStore
from .workspaces import DynamoWorkspaceStore

__all__ = [
    "DynamoConnectorStore",
    "DynamoLibraryStore",
    "DynamoNoticeStore",
    "DynamoRateLimiter",
    "DynamoScheduleStore",
    "DynamoStepStore",
    "DynamoTaskStore",
    "DynamoWebhookStore",
    "DynamoWorkspaceStore",
    "task_from_item",
]
