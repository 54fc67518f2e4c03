"""Corpus, load on the local home: 1,000 tasks posted at once by 32 clients over HTTP to a real
uvicorn server; every task ends right and each step ran exactly as often as it matched."""

import threading
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from e2e_support import Server, Workspace, serve

from aloma_core.home.local import LocalHome
from load_scenarios import assert_load_task_done, expected_runs, put_load_steps, runs_per_step

pytestmark = [pytest.mark.corpus, pytest.mark.slow]

TASKS = 1_000
CLIENTS = 32


@pytest.fixture(scope="module")
def load_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A home of its own: no other module's tasks share its queues."""
    home = LocalHome(tmp_path_factory.mktemp("load"), workers=2)
    try:
        yield from serve(home)
    finally:
        home.close()


def post_concurrently(ws: Workspace, tasks: int, clients: int) -> dict[int, str]:
    """Task `n` posted by client `n % clients`, each client on its own thread and connection."""
    start = threading.Barrier(clients)

    def client_posts(client_index: int) -> dict[int, str]:
        headers = {"Authorization": f"Bearer {ws.key}"}
        with httpx.Client(base_url=ws.client.base_url, headers=headers, timeout=60) as client:
            start.wait()
            posted = {}
            for n in range(client_index, tasks, clients):
                answer = client.post("/v1/tasks", json={"data": {"n": n}})
                assert answer.status_code == 201, answer.text
                posted[n] = answer.json()["id"]
            return posted

    with ThreadPoolExecutor(clients) as pool:
        results = list(pool.map(client_posts, range(clients)))
    return {n: task_id for posted in results for n, task_id in posted.items()}


def test_1000_tasks_from_32_clients_all_end_right_with_exact_runs_per_step(load_server: Server) -> None:
    ws = load_server.workspace("load")
    put_load_steps(ws)
    ids = post_concurrently(ws, TASKS, CLIENTS)

    assert sorted(ids) == list(range(TASKS))
    assert len(set(ids.values())) == TASKS
    assert load_server.home.wait_idle(300), "the home did not become idle"
    runs: Counter[str] = Counter()
    for n, task_id in ids.items():
        task = ws.task(task_id)
        assert_load_task_done(task, n)
        per_task = runs_per_step(ws.events(task_id))
        assert set(per_task.values()) == {1}, per_task
        runs += per_task
    assert runs == expected_runs(TASKS)
