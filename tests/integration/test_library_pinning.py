"""A run sees the libraries of when its task was matched: the matcher pins the workspace's library
revision in each claim, the runner loads that revision (the local home's pipeline, on SQLite)."""

from collections.abc import Sequence
from dataclasses import dataclass, replace

import pytest

from aloma_core.adapters.local.sqlite import SqliteTaskStore
from aloma_core.connectors.hosts import StoredConnectorHosts
from aloma_core.library_pins import LibrarySets
from aloma_core.model import RunRequest, Workspace
from aloma_core.pipeline import CatalogCache, Matcher, Runner
from aloma_core.records import new_id
from aloma_core.sandbox.run import run_content
from aloma_core.sandbox.types import ConnectorHost, RunInput, RunResult
from aloma_core.services import Platform

STEP = """export const condition = { name: String, greeting: null };
export const content = async () => {
  data.greeting = lib.greet.hello(data.name);
};
"""


def greet(word: str) -> str:
    return f"export const hello = (name) => '{word}, ' + name;\n"


class CapturingQueue:
    def __init__(self) -> None:
        self.sent: list[RunRequest] = []

    def send(self, requests: Sequence[RunRequest]) -> None:
        self.sent.extend(requests)


class InlineExecutor:
    def execute(self, run: RunInput, host: ConnectorHost) -> RunResult:
        return run_content(run, host)


@dataclass
class Pipeline:
    platform: Platform
    tasks: SqliteTaskStore
    matcher: Matcher
    runner: Runner
    queue: CapturingQueue
    workspace: Workspace

    def match(self, task_id: str) -> list[RunRequest]:
        version = self.tasks.get(self.workspace.id, task_id).version
        self.matcher.handle(self.workspace.id, task_id, version)
        sent, self.queue.sent = self.queue.sent, []
        return sent

    def greeting(self, task_id: str) -> object:
        return self.tasks.get(self.workspace.id, task_id).data.get("greeting")


@pytest.fixture
def pipeline(platform: Platform) -> Pipeline:
    """The conftest's platform on SQLite, with the local home's matcher and runner over its stores;
    the queue only captures what the matcher sends, so each test decides when a run happens."""
    assert isinstance(platform.tasks, SqliteTaskStore)
    assert platform.libraries is not None
    catalogs, sets, queue = CatalogCache(platform.steps), LibrarySets(platform.libraries), CapturingQueue()
    matcher = Matcher(platform.tasks, platform.workspaces, catalogs, queue, platform.clock, new_id, sets)
    hosts = StoredConnectorHosts(platform.connectors)
    runner = Runner(
        platform.tasks,
        platform.workspaces,
        platform.secrets,
        catalogs,
        InlineExecutor(),
        platform.clock,
        new_id,
        hosts,
        sets,
    )
    workspace, _ = platform.create_workspace("pinning")
    platform.put_step(workspace, "greet", source=STEP)
    return Pipeline(platform, platform.tasks, matcher, runner, queue, workspace)


def test_a_task_matched_before_a_library_change_runs_with_the_old_version(pipeline: Pipeline) -> None:
    pipeline.platform.put_library(pipeline.workspace, "greet", greet("Hello"))
    before = pipeline.platform.create_task(pipeline.workspace, None, {"name": "Ada"}).id
    [early] = pipeline.match(before)

    pipeline.platform.put_library(pipeline.workspace, "greet", greet("Howdy"))
    after = pipeline.platform.create_task(pipeline.workspace, None, {"name": "Bob"}).id
    [late] = pipeline.match(after)
    pipeline.runner.handle(late)
    pipeline.runner.handle(early)

    assert pipeline.greeting(before) == "Hello, Ada"
    assert pipeline.greeting(after) == "Howdy, Bob"


def test_a_library_deleted_after_matching_is_still_there_for_the_pinned_run(pipeline: Pipeline) -> None:
    pipeline.platform.put_library(pipeline.workspace, "greet", greet("Hello"))
    task_id = pipeline.platform.create_task(pipeline.workspace, None, {"name": "Ada"}).id
    [request] = pipeline.match(task_id)

    pipeline.platform.delete_library(pipeline.workspace, "greet")
    pipeline.runner.handle(request)

    assert pipeline.greeting(task_id) == "Hello, Ada"


def test_a_library_uploaded_after_matching_is_not_seen_by_the_pinned_run(pipeline: Pipeline) -> None:
    task_id = pipeline.platform.create_task(pipeline.workspace, None, {"name": "Ada"}).id
    [request] = pipeline.match(task_id)

    pipeline.platform.put_library(pipeline.workspace, "greet", greet("Hello"))
    pipeline.runner.handle(request)

    task = pipeline.tasks.get(pipeline.workspace.id, task_id)
    assert task.state.value == "error"
    assert task.error is not None
    assert task.error.message == "TypeError: cannot read property 'hello' of undefined"


def test_a_claim_made_without_a_pin_runs_with_the_current_libraries(pipeline: Pipeline) -> None:
    pipeline.platform.put_library(pipeline.workspace, "greet", greet("Hello"))
    task_id = pipeline.platform.create_task(pipeline.workspace, None, {"name": "Ada"}).id
    [request] = pipeline.match(task_id)
    task = pipeline.tasks.get(pipeline.workspace.id, task_id)
    unpinned = replace(task.claims["greet"], libraries=None)
    stored = task.with_changes(claims={"greet": unpinned}, version=task.version + 1)
    assert pipeline.tasks.save(stored, task.version, [])

    pipeline.platform.put_library(pipeline.workspace, "greet", greet("Howdy"))
    pipeline.runner.handle(request)

    assert pipeline.greeting(task_id) == "Howdy, Ada"


def test_a_library_change_rematches_nothing(pipeline: Pipeline) -> None:
    task_id = pipeline.platform.create_task(pipeline.workspace, None, {"other": 1}).id
    assert pipeline.match(task_id) == []
    version = pipeline.tasks.get(pipeline.workspace.id, task_id).version

    pipeline.platform.put_library(pipeline.workspace, "greet", greet("Hello"))

    assert pipeline.tasks.get(pipeline.workspace.id, task_id).version == version
