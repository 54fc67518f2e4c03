"""Dashboard: how long a big task takes to open at /ui/tasks/{id} in headless Chromium.

The task is made by the local home itself (SQLite, the real sandbox and pipeline): 1 MB of data,
then 500 runs of a step that changes a few paths, logs a line and asks to run again, so its
history is what a real long task has (dispatches, runs with changes and logs, the final state).
A run is timed from navigation until the timeline holds every event; the browser is Debian's
Chromium (tests/e2e/chromium.py), the key set in session storage as after signing in.
`python -m bench.dashboard` prints the row.
"""

import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx
from playwright.sync_api import sync_playwright

from aloma_core.api import create_app
from aloma_core.home.local import LocalHome
from aloma_core.home.serving import serving

sys.path.insert(0, str(Path(__file__).parents[1] / "tests" / "e2e"))
from chromium import launch

RUNS = 500
DATA_BYTES = 1_000_000
REPEATS = 5
BUDGET_S = 1.0

STEP = """\
export const condition = { progress: { done: false } };

export const content = async () => {
  const n = data.progress.n + 1;
  data.progress.n = n;
  data.progress.last = { at: Date.now(), note: `pass ${n}` };
  data.notes[`n${n % 20}`] = { n, text: 'x'.repeat(n % 7 * 40) };
  console.log('pass', n);
  if (n >= %RUNS%) {
    data.progress.done = true;
    task.complete({ passes: n });
  } else {
    step.redo();
  }
};
""".replace("%RUNS%", str(RUNS))


def big_data() -> dict[str, object]:
    """About DATA_BYTES of customer-like records as compact JSON."""
    record = {"email": "ada@example.com", "name": "Ada Lovelace", "plan": "pro", "notes": "y" * 120}
    size = len(json.dumps(record, separators=(",", ":")))
    items = [{"id": i, **record} for i in range(DATA_BYTES // (size + 12))]
    return {"items": items, "notes": {}, "progress": {"n": 0, "done": False}}


def build(home: LocalHome) -> tuple[str, str, int]:
    """The workspace key, the task id and its number of history events."""
    platform = home.platform
    workspace, key = platform.create_workspace("bench-dashboard")
    workspace = platform.update_settings(
        workspace, {"max_runs_per_task": RUNS + 10, "limits": {"task_data_bytes": 4 * DATA_BYTES}}
    )
    platform.put_step(workspace, "count passes", source=STEP)
    task = platform.create_task(workspace, "big task", big_data())
    if not home.wait_idle(600):
        raise RuntimeError("the home did not finish the big task")
    done = platform.get_task(workspace, task.id)
    if done.state.value != "done" or done.runs != RUNS:
        raise RuntimeError(f"the big task ended {done.state.value} after {done.runs} runs")
    return key, task.id, len(platform.history(workspace, task.id))


def time_opening(url: str, key: str, task_id: str, events: int) -> list[float]:
    with sync_playwright() as playwright:
        browser = launch(playwright)
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        context.add_init_script(f"sessionStorage.setItem('aloma.key', {json.dumps(key)})")
        times = []
        for _ in range(REPEATS + 1):
            page = context.new_page()
            start = time.perf_counter()
            page.goto(f"{url}/ui/tasks/{task_id}")
            # A selector, not a script: the page's CSP refuses evaluated strings.
            last = f"#timeline .timeline > li:nth-child({events})"
            page.wait_for_selector(last, state="attached", timeout=60_000)
            times.append(time.perf_counter() - start)
            page.close()
        browser.close()
    return times[1:]


def fragment_seconds(url: str, key: str, task_id: str) -> float:
    """The timeline fragment alone, over HTTP: the server's share of the opening."""
    headers = {"Authorization": f"Bearer {key}"}
    with httpx.Client(base_url=url, headers=headers, timeout=60) as client:
        best = float("inf")
        for _ in range(3):
            start = time.perf_counter()
            answer = client.get(f"/ui/f/tasks/{task_id}/timeline")
            answer.raise_for_status()
            best = min(best, time.perf_counter() - start)
    return best


def run() -> list[tuple[str, str, str, str]]:
    with tempfile.TemporaryDirectory() as state:
        home = LocalHome(Path(state), workers=2)
        try:
            started = time.perf_counter()
            key, task_id, events = build(home)
            print(f"built the task in {time.perf_counter() - started:.0f} s", file=sys.stderr)
            with serving(create_app(home.platform, admin_token=None), "127.0.0.1", 0) as port:
                url = f"http://127.0.0.1:{port}"
                times = time_opening(url, key, task_id, events)
                server = fragment_seconds(url, key, task_id)
        finally:
            home.close()
    best, median = min(times), statistics.median(times)
    verdict = "under" if median < BUDGET_S else "OVER"
    return [
        (
            f"open a task: {RUNS} runs, {DATA_BYTES / 1e6:.0f} MB data, {events} events",
            f"best {best * 1000:.0f} ms, median {median * 1000:.0f} ms of {REPEATS}",
            f"timeline fragment {server * 1000:.0f} ms",
            f"{verdict} the {BUDGET_S:.0f} s budget",
        )
    ]


if __name__ == "__main__":
    for row in run():
        print(" | ".join(row))
