"""The AWS home (architecture.md): the core over DynamoDB, SQS and Secrets Manager.

Each Lambda builds one `AwsHome` on its first invocation and keeps it while warm; clients are
created on first use, never at import time.
"""

from functools import cached_property

from ..adapters.aws.clients import AwsClients
from ..adapters.aws.dynamodb import (
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
from ..adapters.aws.secrets import SecretsManagerSecretStore, read_admin_token
from ..adapters.aws.sqs import SqsWorkQueue
from ..admin_token import AdminToken, FixedAdminToken, RotatingAdminToken
from ..connectors.hosts import StoredConnectorHosts
from ..library_pins import LibrarySets
from ..model import RunRequest
from ..notify.notifier import Notifier
from ..pipeline import CatalogCache, Matcher, RunBusy, RunLost, Runner, Timekeeper
from ..records import new_id
from ..sandbox.run import run_content
from ..sandbox.types import ConnectorHost, RunInput, RunResult
from ..schedules.firing import ScheduleFirer
from ..services import Platform
from ..settings import Settings
from .clock import SystemClock


class InProcessExecutor:
    """A Lambda runs one step at a time, so the sandbox's process-wide CPU clock is its own."""

    def execute(self, run: RunInput, host: ConnectorHost) -> RunResult:
        return run_content(run, host)


class AwsHome:
    def __init__(self, settings: Settings, clients: AwsClients | None = None) -> None:
        self.settings = settings
        self.clients = clients or AwsClients()
        self.clock = SystemClock()

    @cached_property
    def tasks(self) -> DynamoTaskStore:
        return DynamoTaskStore(self.clients.dynamodb, self.settings.table)

    @cached_property
    def steps(self) -> DynamoStepStore:
        return DynamoStepStore(self.clients.dynamodb, self.settings.table)

    @cached_property
    def workspaces(self) -> DynamoWorkspaceStore:
        return DynamoWorkspaceStore(self.clients.dynamodb, self.settings.table)

    @cached_property
    def secrets(self) -> SecretsManagerSecretStore:
        return SecretsManagerSecretStore(self.clients.secretsmanager, self.settings.secrets_prefix)

    @cached_property
    def connectors(self) -> DynamoConnectorStore:
        return DynamoConnectorStore(self.clients.dynamodb, self.settings.table)

    @cached_property
    def schedules(self) -> DynamoScheduleStore:
        return DynamoScheduleStore(self.clients.dynamodb, self.settings.table)

    @cached_property
    def libraries(self) -> DynamoLibraryStore:
        return DynamoLibraryStore(self.clients.dynamodb, self.settings.table)

    @cached_property
    def library_sets(self) -> LibrarySets:
        return LibrarySets(self.libraries)

    @cached_property
    def catalogs(self) -> CatalogCache:
        return CatalogCache(self.steps)

    @cached_property
    def platform(self) -> Platform:
        return Platform(
            self.workspaces,
            self.steps,
            self.tasks,
            self.secrets,
            self.clock,
            new_id,
            connectors=self.connectors,
            webhooks=DynamoWebhookStore(self.clients.dynamodb, self.settings.table),
            rate_limiter=DynamoRateLimiter(self.clients.dynamodb, self.settings.table),
            schedules=self.schedules,
            libraries=self.libraries,
        )

    @cached_property
    def matcher(self) -> Matcher:
        queue = SqsWorkQueue(self.clients.sqs, self.settings.queue_url)
        return Matcher(
            self.tasks,
            self.workspaces,
            self.catalogs,
            queue,
            self.clock,
            new_id,
            self.library_sets,
            self.notifier,
        )

    @cached_property
    def notifier(self) -> Notifier:
        notices = DynamoNoticeStore(self.clients.dynamodb, self.settings.table)
        return Notifier(notices, self.tasks, self.workspaces, self.secrets, self.connectors, self.clock)

    @cached_property
    def runner(self) -> Runner:
        return Runner(
            self.tasks,
            self.workspaces,
            self.secrets,
            self.catalogs,
            InProcessExecutor(),
            self.clock,
            new_id,
            StoredConnectorHosts(self.connectors),
            self.library_sets,
        )

    @cached_property
    def timekeeper(self) -> Timekeeper:
        firer = ScheduleFirer(self.schedules, self.tasks, self.workspaces, self.clock)
        return Timekeeper(self.tasks, firer, self.clock)

    def admin_token(self) -> AdminToken:
        """A token kept in Secrets Manager is re-read as it may be rotated under a warm Lambda."""
        secret_id = self.settings.admin_token_secret
        if self.settings.admin_token or not secret_id:
            return FixedAdminToken(self.settings.admin_token)
        client = self.clients.secretsmanager
        return RotatingAdminToken(
            lambda: read_admin_token(client, secret_id), seconds=lambda: self.clock.now_ms() / 1000
        )

    def deliver(self, request: RunRequest, receive_count: int, remaining_ms: int) -> RunResult | None:
        """One SQS delivery, bounded by the invocation's remaining time. On the queue's last
        delivery a failure is recorded on the task first, so the task shows `error` when the
        message moves to the DLQ; a busy run is left alone."""
        try:
            return self.runner.handle(request, self.clock.now_ms() + remaining_ms)
        except RunBusy:
            raise
        except Exception as error:
            if receive_count >= self.settings.max_receives:
                self.runner.give_up(request, error, receive_count)
            raise

    def dead_letter(self, request: RunRequest) -> bool:
        """A step message moved to the DLQ. When its last delivery's runner was stopped outright
        (a timeout, out of memory, a crash), nothing recorded the failure: record it now, so the
        task shows `error`. A run that committed or was already recorded is left alone, and one
        that another copy of the message is running is retried later (RunBusy).
        Returns whether a lost run was recorded."""
        lost = RunLost(
            "the runner was stopped before the run could finish (a timeout, out of memory or a crash); "
            "the step's changes were not committed"
        )
        return self.runner.give_up(request, lost, self.settings.max_receives, unless_leased=True)
