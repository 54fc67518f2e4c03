"""The local home's storage: one SQLite file behind the storage ports."""

from .database import SqliteDatabase
from .secret_store import SqliteSecretStore
from .step_store import SqliteStepStore
from .task_store import SqliteTaskStore, TaskSaved
from .workspace_store import SqliteWorkspaceStore

__all__ = [
    "SqliteDatabase",
    "SqliteSecretStore",
    "SqliteStepStore",
    "SqliteTaskStore",
    "SqliteWorkspaceStore",
    "TaskSaved",
]
