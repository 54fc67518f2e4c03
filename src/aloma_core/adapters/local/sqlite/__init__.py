"""The local home's storage: one SQLite file behind the storage ports."""

from .connector_store import SqliteConnectorStore
from .database import SqliteDatabase
from .library_store import SqliteLibraryStore
from .notice_store import SqliteNoticeStore
from .schedule_store import SqliteScheduleStore
from .secret_store import SqliteSecretStore
from .step_store import SqliteStepStore
from .task_store import SqliteTaskStore, TaskSaved
from .webhook_store import SqliteWebhookStore
from .workspace_store import SqliteWorkspaceStore

__all__ = [
    "SqliteConnectorStore",
    "SqliteDatabase",
    "SqliteLibraryStore",
    "SqliteNoticeStore",
    "SqliteScheduleStore",
    "SqliteSecretStore",
    "SqliteStepStore",
    "SqliteTaskStore",
    "SqliteWebhookStore",
    "SqliteWorkspaceStore",
    "TaskSaved",
]
