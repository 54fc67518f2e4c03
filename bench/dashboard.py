"""Dashboard: how long a big task takes to open at /ui/tasks/{id} in headless Chromium.

The task is made by the local home itself (SQLite, the real sandbox and pipeline): 1 MB of data,
then 500 runs of a step that changes a few paths, logs a line and asks to run again, so its
history is what a real long task has (dispatches, runs with changes and logs, the final state).
An opening is timed two ways, from a click on the task in the Tasks page (the same tab, as a
user opens a task) and from its URL in a new tab, until the timeline holds every event and the
browser has painted a frame after that (two animation frames: layout and paint of what is on
screen are done). The browser is Debian's Chromium (tests/e2e/chromium.py), the key set in session storage
as after signing in. The server's share is timed apart: each fragment the page loads, fetched
over HTTP alone. The machine's load average when the openings start is part of the row: on a
shared machine the same opening takes longer when others are busy.
`python -m bench.dashboard` prints the rows.
"""

import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx
from playwright.sync_api import Page, sync_playwright

from aloma_core.api import create_app
from aloma_core.home.local import LocalHome
from aloma_core.home.serving import serving

sys.path.insert(0, str(Path(__file__).parents[1] / "tests" / "e2e"))
from chromium import launch

RUNS = 500
DATA_BYTES = 1_000_000
REPEATS = 5
BUDGET_S = 1.0
FROM_LIST = "from the task list"
NEW_TAB = "in a new tab"
# Resolves once the browser has rendered a frame after the timeline arrived.
PAINTED = "() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))"

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


def time_opening(url: str, key: str, task_id: str, events: int) -> dict[str, list[float]]:
    """Seconds per opening, two ways: a click on the task in the Tasks page (the same tab, as a
    user opens a task from the list) and its URL in a new tab."""
    last = f"#timeline .timeline > li:nth-child({events})"
    times: dict[str, list[float]] = {FROM_LIST: [], NEW_TAB: []}
    with sync_playwright() as playwright:
        browser = launch(playwright)
        # The page's CSP allows no evaluated script; the measurement's own frame wait needs one.
        context = browser.new_context(viewport={"width": 1280, "height": 900}, bypass_csp=True)
        context.add_init_script(f"sessionStorage.setItem('aloma.key', {json.dumps(key)})")

        def opened(page: Page, start: float) -> float:
            page.wait_for_selector(last, state="attached", timeout=60_000)
            page.evaluate(PAINTED)
            return time.perf_counter() - start

        tab = context.new_page()
        for _ in range(REPEATS + 1):
            tab.goto(f"{url}/ui")
            link = tab.locator(f"table.tasks a[href$='/{task_id}']")
            link.wait_for(timeout=60_000)
            start = time.perf_counter()
            link.click()
            times[FROM_LIST].append(opened(tab, start))
        for _ in range(REPEATS + 1):
            page = context.new_page()
            start = time.perf_counter()
            page.goto(f"{url}/ui/tasks/{task_id}")
            times[NEW_TAB].append(opened(page, start))
            page.close()
        browser.close()
    return {way: seconds[1:] for way, seconds in times.items()}


def fragment_times(url: str, key: str, task_id: str) -> dict[str, tuple[float, int]]:
    """Each fragment the task page loads, over HTTP alone: best seconds of 3 and size in bytes."""
    fragments = {
        "task": f"/ui/f/tasks/{task_id}",
        "timeline": f"/ui/f/tasks/{task_id}/timeline",
        "whoami": "/ui/f/whoami",
    }
    headers = {"Authorization": f"Bearer {key}"}
    out = {}
    with httpx.Client(base_url=url, headers=headers, timeout=60) as client:
        for name, path in fragments.items():
            best, size = float("inf"), 0
            for _ in range(3):
                start = time.perf_counter()
                answer = client.get(path)
                answer.raise_for_status()
                best, size = min(best, time.perf_counter() - start), len(answer.content)
            out[name] = (best, size)
    return out


def run() -> list[tuple[str, str, str, str]]:
    with tempfile.TemporaryDirectory() as state:
        home = LocalHome(Path(state), workers=2)
        try:
            started = time.perf_counter()
            key, task_id, events = build(home)
            print(f"built the task in {time.perf_counter() - started:.0f} s", file=sys.stderr)
            with serving(create_app(home.platform, admin_token=None), "127.0.0.1", 0) as port:
                url = f"http://127.0.0.1:{port}"
                load = os.getloadavg()[0]
                times = time_opening(url, key, task_id, events)
                server = fragment_times(url, key, task_id)
        finally:
            home.close()
    shares = [f"{name} {sec * 1000:.0f} ms ({size / 1024:.0f} KB)" for name, (sec, size) in server.items()]
    rows = []
    for way, seconds in times.items():
        median = statistics.median(seconds)
        verdict = "under" if median < BUDGET_S else "OVER"
        rows.append(
            (
                f"open a task ({way}): {RUNS} runs, {DATA_BYTES / 1e6:.0f} MB data, {events} events",
                f"best {min(seconds) * 1000:.0f} ms, median {median * 1000:.0f} ms of {REPEATS}",
                ", ".join(shares),
                f"{verdict} the {BUDGET_S:.0f} s budget (load {load:.1f} on {os.cpu_count()} cores)",
            )
        )
    return rows


if __name__ == "__main__":
    for row in run():
        print(" | ".join(row))
