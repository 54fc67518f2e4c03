"""The use cases behind the HTTP API and the CLI, over the ports; the same in both homes.

Work after a write (matching, dispatch) is not started here: each home reacts to stored task
versions (a DynamoDB stream on AWS, the SQLite store's hook locally), so an accepted task is
stored before anyone answers, and nothing depends on the API process staying alive.
"""

import contextlib
import hashlib
import math
import re
import secrets
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from pydantic import ValidationError

from . import engine, idempotency, replay
from .catalog import StepCatalog
from .conditions import parse_condition
from .connectors import registry
from .connectors.stored import owned_secrets
from .errors import ConflictingState, InvalidInput, NotFound, RateLimited, TooLarge, Unauthorized
from .json_types import JsonObject, JsonValue
from .libraries import Library
from .library_service import LibraryUses
from .limits import TASK_SIZE
from .model import (
    ConnectorConfig,
    Event,
    Schedule,
    SigningScheme,
    Step,
    Task,
    TaskState,
    Webhook,
    Workspace,
    WorkspaceSettings,
)
from .notify.validation import check_notify
from .ports import (
    Clock,
    ConnectorStore,
    IdFactory,
    LibraryStore,
    RateLimiter,
    ScheduleStore,
    SecretStore,
    StepStore,
    TaskStore,
    WebhookStore,
    WorkspaceStore,
)
from .schedules import cron as crontab
from .schedules import definition as schedule_rules
from .schedules import firing
from .steps import CompiledStep, check_step_name, compile_json_form, compile_source
from .task_filter import TaskFilter
from .webhooks import definition, delivery, signing

_SECRET_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]{0,127}$")
MAX_SECRET_BYTES = 64 * 1024
MAX_PAGE = 200
MAX_BULK = 100
MINUTE_MS = 60_000


BulkAction = Literal["resume", "rerun"]


@dataclass
class BulkOutcome:
    """What one page of a bulk action did: `skipped` pairs a task id with why."""

    matched: int
    next: str | None
    changed: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)


def hash_key(key: str) -> str:
    """Keys are 256-bit random strings, so a plain SHA-256 is a safe, fast lookup hash."""
    return hashlib.sha256(key.encode()).hexdigest()


def _new_workspace_key() -> str:
    return "alk_" + secrets.token_urlsafe(32)


def validation_message(error: ValidationError, root: str) -> str:
    problems = []
    for item in error.errors():
        where = ".".join([root, *(str(part) for part in item["loc"])])
        problems.append(f"{where}: {item['msg']}")
    return "; ".join(problems)


@dataclass
class Platform:
    workspaces: WorkspaceStore
    steps: StepStore
    tasks: TaskStore
    secrets: SecretStore
    clock: Clock
    new_id: IdFactory
    connectors: ConnectorStore
    webhooks: WebhookStore
    rate_limiter: RateLimiter
    schedules: ScheduleStore
    libraries: LibraryStore | None = None

    def __post_init__(self) -> None:
        # Step uploads evaluate JavaScript in this process; the sandbox's CPU clock is per process.
        self._upload_lock = threading.Lock()

    # Workspaces and keys

    def create_workspace(self, name: str) -> tuple[Workspace, str]:
        if not name.strip() or len(name) > 200:
            raise InvalidInput("name: 1-200 characters")
        workspace = Workspace(self.new_id(), name, WorkspaceSettings(), self.clock.now_ms())
        key = _new_workspace_key()
        self.workspaces.create(workspace, hash_key(key))
        return workspace, key

    def rotate_key(self, workspace_id: str) -> tuple[Workspace, str]:
        """A new key replaces the workspace's key; the old one is refused from the moment this
        returns. The new key is returned once and only its hash is kept."""
        workspace = self.workspaces.get(workspace_id)
        key = _new_workspace_key()
        self.workspaces.replace_key(workspace.id, hash_key(key))
        return workspace, key

    def authenticate(self, key: str) -> Workspace:
        workspace = self.workspaces.by_key_hash(hash_key(key)) if key else None
        if workspace is None:
            raise Unauthorized("missing or unknown API key")
        return workspace

    def list_workspaces(self) -> list[Workspace]:
        return self.workspaces.list()

    def update_settings(self, workspace: Workspace, patch: dict[str, Any]) -> Workspace:
        current = workspace.settings.model_dump(mode="json")
        limits_patch = patch.get("limits")
        merged = {**current, **patch}
        if isinstance(limits_patch, dict):
            merged["limits"] = {**current["limits"], **limits_patch}
        try:
            settings = WorkspaceSettings.model_validate(merged)
        except ValidationError as error:
            raise InvalidInput(validation_message(error, "settings")) from None
        if "notify" in patch or "egress_allow" in patch:
            check_notify(workspace.id, settings, self.connectors)
        return self.workspaces.save_settings(workspace.id, settings)

    # Libraries (library_service.py)

    def _libraries(self) -> LibraryUses:
        if self.libraries is None:
            raise NotFound("this home stores no libraries")
        return LibraryUses(self.libraries, self.clock, self._upload_lock)

    def put_library(self, workspace: Workspace, name: str, source: str) -> tuple[Library, bool]:
        return self._libraries().put(workspace.id, name, source, workspace.settings.limits)

    def get_library(self, workspace: Workspace, name: str) -> Library:
        return self._libraries().get(workspace.id, name)

    def list_libraries(self, workspace: Workspace) -> list[Library]:
        return self._libraries().list(workspace.id)

    def delete_library(self, workspace: Workspace, name: str) -> None:
        self._libraries().delete(workspace.id, name)

    # Steps

    def get_step(self, workspace: Workspace, name: str) -> Step:
        return self.steps.get(workspace.id, name)

    def list_steps(self, workspace: Workspace) -> list[Step]:
        return self.steps.list(workspace.id)

    def matching_steps(self, workspace: Workspace, data: JsonObject) -> list[Step]:
        """The enabled steps that match `data` in dispatch order, then the disabled ones that would."""
        steps = self.steps.list(workspace.id)
        enabled = StepCatalog(steps).matching(data)
        disabled = [s for s in steps if not s.enabled and parse_condition(s.condition).matches(data)]
        return [*enabled, *disabled]

    def delete_step(self, workspace: Workspace, name: str) -> None:
        self.steps.delete(workspace.id, name)

    def put_step(
        self,
        workspace: Workspace,
        name: str,
        *,
        source: str | None = None,
        condition: JsonValue = None,
        content: str | None = None,
        enabled: bool | None = None,
    ) -> tuple[Step, bool]:
        """Create or replace a step; True when it was created. Refused uploads change nothing."""
        check_step_name(name)
        compiled = self._compile(workspace, source, condition, content)
        now = self.clock.now_ms()
        for _ in range(5):
            try:
                existing: Step | None = self.steps.get(workspace.id, name)
            except NotFound:
                existing = None
            step = self._next_step(workspace, name, compiled, enabled, existing, now)
            if step == existing:
                return step, False
            if self.steps.put(step, None if existing is None else existing.version):
                return step, existing is None
        raise InvalidInput(f"step {name!r} is being changed by someone else; try again")

    def _compile(
        self, workspace: Workspace, source: str | None, condition: JsonValue, content: str | None
    ) -> CompiledStep:
        limits = workspace.settings.limits
        with self._upload_lock:
            if source is not None:
                if content is not None or condition is not None:
                    raise InvalidInput("give either source, or condition and content, not both")
                return compile_source(source, limits)
            if content is None or condition is None:
                raise InvalidInput("a step needs source, or both condition and content")
            return compile_json_form(condition, content, limits)

    @staticmethod
    def _next_step(
        workspace: Workspace,
        name: str,
        compiled: CompiledStep,
        enabled: bool | None,
        existing: Step | None,
        now: int,
    ) -> Step:
        if existing is not None:
            unchanged = (
                existing.source == compiled.source
                and existing.condition == compiled.condition
                and (enabled is None or enabled == existing.enabled)
            )
            if unchanged:
                return existing
        return Step(
            workspace_id=workspace.id,
            name=name,
            version=1 if existing is None else existing.version + 1,
            condition=compiled.condition,
            content=compiled.content,
            source=compiled.source,
            enabled=(True if existing is None else existing.enabled) if enabled is None else enabled,
            specificity=compiled.specificity,
            created_at=now if existing is None else existing.created_at,
            updated_at=now,
            created_seq=0 if existing is None else existing.created_seq,
        )

    # Tasks

    def get_task(self, workspace: Workspace, task_id: str) -> Task:
        return self.tasks.get(workspace.id, task_id)

    def create_task(self, workspace: Workspace, name: str | None, data: JsonObject) -> Task:
        outcome = engine.new_task(
            workspace.id, self.new_id(), name, data, self.clock.now_ms(), workspace.settings
        )
        self.tasks.create(outcome.task, outcome.events)
        return outcome.task

    def create_task_once(
        self, workspace: Workspace, name: str | None, data: JsonObject, key: str, way_in: str = "api"
    ) -> tuple[Task, bool]:
        """The task that `key` names: created now (False), or the one an earlier delivery with the
        same key created (True), whatever this one carries (see idempotency.py)."""
        task_id = idempotency.task_id_for(workspace.id, way_in, idempotency.checked_key(key))
        outcome = engine.new_task(workspace.id, task_id, name, data, self.clock.now_ms(), workspace.settings)
        try:
            self.tasks.create(outcome.task, outcome.events)
        except ConflictingState:
            return self.tasks.get(workspace.id, task_id), True
        return outcome.task, False

    def list_tasks(
        self,
        workspace: Workspace,
        state: TaskState | None,
        limit: int,
        cursor: str | None,
        where: TaskFilter | None = None,
    ) -> tuple[list[Task], str | None]:
        if not 1 <= limit <= MAX_PAGE:
            raise InvalidInput(f"limit: between 1 and {MAX_PAGE}")
        return self.tasks.list(workspace.id, state, limit, cursor, where)

    def count_tasks(self, workspace: Workspace, where: TaskFilter) -> tuple[dict[TaskState, int], bool]:
        return self.tasks.count(workspace.id, where)

    def history(self, workspace: Workspace, task_id: str) -> list[Event]:
        self.tasks.get(workspace.id, task_id)
        return self.tasks.history(workspace.id, task_id)

    def patch_task(self, workspace: Workspace, task_id: str, patch: JsonObject) -> Task:
        return self._update(
            workspace, task_id, lambda task, now: engine.patch_data(task, patch, now, workspace.settings)
        )

    def resume_task(self, workspace: Workspace, task_id: str) -> Task:
        return self._update(workspace, task_id, engine.resume)

    def cancel_task(self, workspace: Workspace, task_id: str) -> Task:
        return self._update(workspace, task_id, engine.cancel)

    def task_data_at(self, workspace: Workspace, task_id: str, seq: int) -> JsonObject:
        """The data right after history event `seq`, rebuilt from the history (replay.py)."""
        return replay.data_after(self.history(workspace, task_id), seq)

    def rerun_task(
        self, workspace: Workspace, task_id: str, from_seq: int | None, data: JsonObject | None
    ) -> Task:
        def change(task: Task, now: int) -> engine.Outcome:
            history = self.tasks.history(workspace.id, task_id)
            return engine.rerun(task, history, from_seq, data, now, workspace.settings)

        return self._update(workspace, task_id, change)

    def clone_task(
        self, workspace: Workspace, task_id: str, name: str | None, data: JsonObject | None
    ) -> Task:
        source = self.tasks.get(workspace.id, task_id)
        outcome = engine.clone(source, self.new_id(), name, data, self.clock.now_ms(), workspace.settings)
        self.tasks.create(outcome.task, outcome.events)
        return outcome.task

    def bulk(
        self,
        workspace: Workspace,
        action: BulkAction,
        state: TaskState | None,
        where: TaskFilter,
        limit: int,
        cursor: str | None,
    ) -> BulkOutcome:
        """One page of the filter, each task resumed or rerun; a task that refuses is skipped with
        the reason. The cursor is by creation time, so it stays right while the changed tasks
        leave the filtered state."""
        if not 1 <= limit <= MAX_BULK:
            raise InvalidInput(f"limit: between 1 and {MAX_BULK}")
        page, following = self.tasks.list(workspace.id, state, limit, cursor, where)
        outcome = BulkOutcome(matched=len(page), next=following)
        for task in page:
            try:
                self._bulk_one(workspace, task, action, where.step)
            except (ConflictingState, InvalidInput, NotFound, TooLarge) as refusal:
                outcome.skipped.append((task.id, refusal.message))
            else:
                outcome.changed.append(task.id)
        return outcome

    def _bulk_one(self, workspace: Workspace, task: Task, action: BulkAction, step: str | None) -> None:
        if action == "resume":
            self.resume_task(workspace, task.id)
            return
        from_seq = None
        if step is not None:
            history = self.tasks.history(workspace.id, task.id)
            first = next((e for e in history if e.type == "run" and e.detail.get("step") == step), None)
            if first is None:
                raise InvalidInput(f"step {step!r} never ran on this task")
            from_seq = first.seq
        self.rerun_task(workspace, task.id, from_seq, None)

    def _update(self, workspace: Workspace, task_id: str, change: Any) -> Task:
        """Read, apply a pure rule, store conditionally; retried when a runner committed meanwhile."""
        while True:
            task = self.tasks.get(workspace.id, task_id)
            outcome: engine.Outcome = change(task, self.clock.now_ms())
            if self.tasks.save(outcome.task, task.version, outcome.events):
                return outcome.task

    # Secrets

    def put_secret(self, workspace: Workspace, name: str, value: str, *, where: str = "value") -> None:
        """`where` names the value in a refusal (a connector's secret field is refused as config.FIELD)."""
        if not _SECRET_NAME.match(name):
            raise InvalidInput(
                "name: letters, digits, '_', '.', '-', starting with a letter or '_', at most 128"
            )
        if len(value.encode()) > MAX_SECRET_BYTES:
            raise InvalidInput(f"{where}: at most {MAX_SECRET_BYTES} bytes")
        self.secrets.put(workspace.id, name, value)

    def secret_names(self, workspace: Workspace) -> list[str]:
        return self.secrets.names(workspace.id)

    def delete_secret(self, workspace: Workspace, name: str) -> None:
        self.secrets.delete(workspace.id, name)

    def _require_set(self, workspace: Workspace, names: Sequence[str], where: str) -> None:
        missing = sorted(set(names) - set(self.secrets.names(workspace.id)))
        if missing:
            raise InvalidInput(
                f"{where}: the workspace secret {missing[0]} is not set; set it first "
                f"(PUT /v1/secrets/{missing[0]}, or `aloma secret set {missing[0]} VALUE`)"
            )

    # Connectors

    def put_connector(
        self, workspace: Workspace, namespace: str, type_name: str, config: JsonObject
    ) -> ConnectorConfig:
        """Create or replace `connectors.NAMESPACE`. Literal secrets go to the secret store first, so
        a run never reads a configuration whose secrets are not there; the ones a previous
        configuration of the namespace stored and this one no longer uses are removed after."""
        store = self.connectors
        prepared = registry.prepare(namespace, type_name, config)
        self._require_set(
            workspace, [n for n in prepared.secret_names if n not in prepared.new_secrets], "config"
        )
        for name, value in prepared.new_secrets.items():
            self.put_secret(workspace, name, value, where=f"config.{name.rsplit('.', 1)[-1]}")
        try:
            previous: JsonObject = store.get(workspace.id, namespace).config
        except NotFound:
            previous = {}
        connector = ConnectorConfig(workspace.id, namespace, type_name, prepared.stored, self.clock.now_ms())
        store.put(connector)
        self._drop_secrets(workspace, set(owned_secrets(namespace, previous)) - set(prepared.secret_names))
        return connector

    def get_connector(self, workspace: Workspace, namespace: str) -> ConnectorConfig:
        return self.connectors.get(workspace.id, namespace)

    def list_connectors(self, workspace: Workspace) -> list[ConnectorConfig]:
        return self.connectors.list(workspace.id)

    def delete_connector(self, workspace: Workspace, namespace: str) -> None:
        """The secrets a PUT stored for this connector (`connector.NAMESPACE.FIELD`) go with it."""
        store = self.connectors
        stored = store.get(workspace.id, namespace)
        store.delete(workspace.id, namespace)
        self._drop_secrets(workspace, set(owned_secrets(namespace, stored.config)))

    def _drop_secrets(self, workspace: Workspace, names: set[str]) -> None:
        for name in sorted(names):
            with contextlib.suppress(NotFound):  # deleted by hand meanwhile
                self.secrets.delete(workspace.id, name)

    # Webhooks

    def create_webhook(
        self,
        workspace: Workspace,
        name: str,
        *,
        signing_scheme: SigningScheme | None = None,
        signing_secret: str = "",
        signature_header: str | None = None,
        keep_headers: Sequence[str] = (),
        rate_limit_per_minute: int | None = None,
    ) -> tuple[Webhook, str]:
        """A new webhook and its key, which is shown this once: only its hash is stored."""
        store = self.webhooks
        definition.check_name(name)
        signed = None
        if signing_scheme is not None:
            signed = definition.signing(signing_scheme, signing_secret, signature_header)
            self._require_set(workspace, [signed.secret], "signing.secret")
        webhook = Webhook(
            workspace_id=workspace.id,
            id=f"wh_{self.new_id()}",
            name=name,
            signing=signed,
            keep_headers=definition.kept_headers(keep_headers),
            rate_limit_per_minute=definition.rate_limit(rate_limit_per_minute),
            created_at=self.clock.now_ms(),
        )
        key = "whk_" + secrets.token_urlsafe(32)
        store.create(webhook, hash_key(key))
        return webhook, key

    def list_webhooks(self, workspace: Workspace) -> list[Webhook]:
        return self.webhooks.list(workspace.id)

    def delete_webhook(self, workspace: Workspace, name: str) -> None:
        self.webhooks.delete(workspace.id, name)

    def receive_webhook(self, key: str, headers: Mapping[str, str], body: bytes) -> tuple[Task, bool]:
        """A delivery, checked in an order that tells an unknown caller least: the key, the rate, the
        signature, then the body. `headers` has lower-case names. The task is stored on return; True
        when it is the one an earlier delivery with the same delivery id created."""
        store = self.webhooks
        limiter = self.rate_limiter
        webhook = store.by_key_hash(hash_key(key))
        if webhook is None:
            raise NotFound("no webhook has this key")
        now = self.clock.now_ms()
        if not limiter.allow(f"webhook:{webhook.id}", webhook.rate_limit_per_minute, now):
            retry_after_s = math.ceil((MINUTE_MS - now % MINUTE_MS) / 1000)
            raise RateLimited(
                f"over this webhook's limit of {webhook.rate_limit_per_minute} deliveries a minute",
                retry_after_s,
            )
        if webhook.signing is not None:
            signing_key = self.secrets.values(webhook.workspace_id).get(webhook.signing.secret)
            signing.verify(webhook.signing, signing_key, headers, body, now)
        parsed = delivery.parse_body(body)
        data = delivery.task_data(parsed, webhook, headers, now)
        workspace = self.workspaces.get(webhook.workspace_id)
        delivery_id = idempotency.delivery_key(webhook, headers, parsed)
        if delivery_id is None:
            return self.create_task(workspace, webhook.name, data), False
        return self.create_task_once(workspace, webhook.name, data, delivery_id, f"webhook:{webhook.id}")

    # Schedules

    def put_schedule(
        self,
        workspace: Workspace,
        name: str,
        *,
        cron: str,
        data: JsonObject,
        timezone: str = crontab.DEFAULT_TIMEZONE,
        task_name: str | None = None,
    ) -> tuple[Schedule, bool]:
        """Create or replace a schedule; True when it was created. The same cron expression and time
        zone keep the next firing (an identical PUT changes nothing); new ones count from now."""
        schedule_rules.check_name(name)
        crontab.check_cron(cron)
        crontab.zone(timezone)
        schedule_rules.check_task_name(task_name)
        store = self.schedules
        try:
            existing: Schedule | None = store.get(workspace.id, name)
        except NotFound:
            existing = None
        if existing is None and len(store.list(workspace.id)) >= schedule_rules.MAX_SCHEDULES:
            raise InvalidInput(
                f"schedule name: the workspace has {schedule_rules.MAX_SCHEDULES} schedules, the most "
                "it may have; delete one first"
            )
        now = self.clock.now_ms()
        same_slots = existing is not None and (existing.cron, existing.timezone) == (cron, timezone)
        schedule = Schedule(
            workspace_id=workspace.id,
            name=name,
            cron=cron,
            timezone=timezone,
            data=data,
            task_name=None if task_name == name else task_name,
            next_fire_at=existing.next_fire_at
            if existing is not None and same_slots
            else crontab.next_slot(cron, timezone, now),
            created_at=now if existing is None else existing.created_at,
            updated_at=now,
            last_fired_at=None if existing is None else existing.last_fired_at,
            last_task_id=None if existing is None else existing.last_task_id,
        )
        limit = workspace.settings.limits.task_data_bytes
        if engine.data_size(firing.task_data(schedule, now)) > limit:
            raise TooLarge(f"data: with $via, the tasks' data would exceed the {TASK_SIZE} of {limit} bytes")
        if existing is not None and replace(schedule, updated_at=existing.updated_at) == existing:
            return existing, False
        store.put(schedule)
        return schedule, existing is None

    def get_schedule(self, workspace: Workspace, name: str) -> Schedule:
        return self.schedules.get(workspace.id, name)

    def list_schedules(self, workspace: Workspace) -> list[Schedule]:
        return self.schedules.list(workspace.id)

    def delete_schedule(self, workspace: Workspace, name: str) -> None:
        self.schedules.delete(workspace.id, name)
