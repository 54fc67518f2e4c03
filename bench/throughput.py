"""Onboarding tasks per second on the local home (SQLite, in-process queue, worker processes).

The example's connectors call its stand-in CRM and Slack over HTTP on 127.0.0.1, as under
`aloma dev examples/onboarding`, so each task's time includes two real connector calls.
"""

import json
import tempfile
import time
from pathlib import Path

from aloma_core.api import create_app
from aloma_core.cli.client import ApiClient
from aloma_core.home.devsetup import apply_setup, load_setup
from aloma_core.home.example_services import ExampleServices
from aloma_core.home.local import LocalHome
from aloma_core.home.serving import serving
from aloma_core.model import TaskState

EXAMPLE = Path(__file__).parents[1] / "examples" / "onboarding"
TASKS = 200


def run() -> list[tuple[str, str, str, str]]:
    with tempfile.TemporaryDirectory() as state:
        home = LocalHome(Path(state), workers=2)
        app = create_app(home.platform, admin_token=None)
        app.include_router(ExampleServices().router)
        try:
            with serving(app, "127.0.0.1", 0) as port:
                return _measure(home, f"http://127.0.0.1:{port}")
        finally:
            home.close()


def _measure(home: LocalHome, url: str) -> list[tuple[str, str, str, str]]:
    platform = home.platform
    workspace, key = platform.create_workspace("bench")
    with ApiClient(url, key) as client:
        apply_setup(client, load_setup(EXAMPLE, url), {})
    for path in sorted(EXAMPLE.glob("*.js")):
        platform.put_step(workspace, path.stem, source=path.read_text())
    sample = json.loads((EXAMPLE / "task.json").read_text())
    start = time.perf_counter()
    ids = [platform.create_task(workspace, None, sample).id for _ in range(TASKS)]
    assert home.wait_idle(600)
    elapsed = time.perf_counter() - start
    done = sum(platform.tasks.get(workspace.id, i).state is TaskState.DONE for i in ids)
    assert done == TASKS, f"only {done} of {TASKS} tasks ended done"
    runs = 4 * TASKS
    return [
        (
            f"{TASKS} onboarding tasks",
            f"{TASKS / elapsed:.1f} tasks/s",
            f"{runs / elapsed:.1f} runs/s",
            f"{elapsed:.1f} s",
        ),
    ]
