"""The use cases behind the HTTP API and the CLI, over the ports; the same in both homes.

Work after a write (matching, dispatch) is not started here: each home reacts to stored task
versions (a DynamoDB stream on AWS, the SQLite store's hook locally), so an accepted task is
stored before anyone answers, and nothing depends on the API process staying alive.
"""

import hashlib
import re
import secrets
import threading
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from . import engine
from .errors import InvalidInput, NotFound, Unauthorized
from .json_types import JsonObject, JsonValue
from .model import Event, Step, Task, TaskState, Workspace, WorkspaceSettings
from .ports import Clock, IdFactory, SecretStore, StepStore, TaskStore, WorkspaceStore
from .steps import CompiledStep, check_step_name, compile_json_form, compile_source

_SECRET_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]{0,127}$")
MAX_SECRET_BYTES = 64 * 1024
MAX_PAGE = 200


def hash_key(key: str) -> str:
    """Keys are 256-bit random strings, so a plain SHA-256 is a safe, fast lookup hash."""
    return hashlib.sha256(key.encode()).hexdigest()


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

    def __post_init__(self) -> None:
        # Step uploads evaluate JavaScript in this process; the sandbox's CPU clock is per process.
        self._upload_lock = threading.Lock()

    # Workspaces and keys

    def create_workspace(self, name: str) -> tuple[Workspace, str]:
        if not name.strip() or len(name) > 200:
            raise InvalidInput("name: 1-200 characters")
        workspace = Workspace(self.new_id(), name, WorkspaceSettings(), self.clock.now_ms())
        key = "alk_" + secrets.token_urlsafe(32)
        self.workspaces.create(workspace, hash_key(key))
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
        return self.workspaces.save_settings(workspace.id, settings)

    # Steps

    def get_step(self, workspace: Workspace, name: str) -> Step:
        return self.steps.get(workspace.id, name)

    def list_steps(self, workspace: Workspace) -> list[Step]:
        return self.steps.list(workspace.id)

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

    def list_tasks(
        self, workspace: Workspace, state: TaskState | None, limit: int, cursor: str | None
    ) -> tuple[list[Task], str | None]:
        if not 1 <= limit <= MAX_PAGE:
            raise InvalidInput(f"limit: between 1 and {MAX_PAGE}")
        return self.tasks.list(workspace.id, state, limit, cursor)

    def history(self, workspace: Workspace, task_id: str) -> list[Event]:
        self.tasks.get(workspace.id, task_id)
        return self.tasks.history(workspace.id, task_id)

    def patch_task(self, workspace: Workspace, task_id: str, patch: JsonObject) -> Task:
        return self._update(
            workspace, task_id, lambda task, now: engine.patch_data(task, patch, now, workspace.settings)
        )

    def resume_task(self, workspace: Workspace, task_id: str) -> Task:
        return self._update(workspace, task_id, engine.resume)

    def _update(self, workspace: Workspace, task_id: str, change: Any) -> Task:
        """Read, apply a pure rule, store conditionally; retried when a runner committed meanwhile."""
        while True:
            task = self.tasks.get(workspace.id, task_id)
            outcome: engine.Outcome = change(task, self.clock.now_ms())
            if self.tasks.save(outcome.task, task.version, outcome.events):
                return outcome.task

    # Secrets

    def put_secret(self, workspace: Workspace, name: str, value: str) -> None:
        if not _SECRET_NAME.match(name):
            raise InvalidInput(
                "name: letters, digits, '_', '.', '-', starting with a letter or '_', at most 128"
            )
        if len(value.encode()) > MAX_SECRET_BYTES:
            raise InvalidInput(f"value: at most {MAX_SECRET_BYTES} bytes")
        self.secrets.put(workspace.id, name, value)

    def secret_names(self, workspace: Workspace) -> list[str]:
        return self.secrets.names(workspace.id)

    def delete_secret(self, workspace: Workspace, name: str) -> None:
        self.secrets.delete(workspace.id, name)
