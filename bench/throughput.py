"""Onboarding tasks per second on the local home (SQLite, in-process queue, worker processes)."""

import json
import tempfile
import time
from pathlib import Path

from aloma_core.home.local import LocalHome
from aloma_core.model import TaskState

EXAMPLE = Path(__file__).parents[1] / "examples" / "onboarding"
TASKS = 200


def run() -> list[tuple[str, str, str, str]]:
    with tempfile.TemporaryDirectory() as state:
        home = LocalHome(Path(state), workers=2)
        try:
            platform = home.platform
            workspace, _key = platform.create_workspace("bench")
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
        finally:
            home.close()
