"""The AWS home's storage: one DynamoDB table (see `adapters/aws/table.py`) behind the storage ports.

Each store takes an injected low-level DynamoDB client and the table name; none builds a client
or reads the environment.
"""

from .steps import DynamoStepStore
from .tasks import DynamoTaskStore
from .workspaces import DynamoWorkspaceStore

__all__ = ["DynamoStepStore", "DynamoTaskStore", "DynamoWorkspaceStore"]
