"""`Idempotency-Key` as clients use it against the local home over HTTP: 20 clients sending the same
key at once get one task, which runs its steps once; a GitHub delivery retried is one task."""

import threading
from typing import Any

import httpx
from e2e_support import Server

CLIENTS = 20
STAMP = """export const condition = { order: Number };
export const content = async () => {
  data.stamped = (data.stamped || 0) + 1;
  task.complete(data);
};
"""


def test_twenty_clients_sending_one_key_at_once_get_one_task_that_runs_once(server: Server) -> None:
    ws = server.workspace("idempotent")
    ws.put_step("stamp", STAMP)
    start = threading.Barrier(CLIENTS)
    answers: list[httpx.Response | None] = [None] * CLIENTS

    def client(index: int) -> None:
        with httpx.Client(
            base_url=server.url, headers={"Authorization": f"Bearer {ws.key}"}, timeout=30
        ) as http:
            start.wait()
            answers[index] = http.post(
                "/v1/tasks", json={"data": {"order": index}}, headers={"Idempotency-Key": "order-burst"}
            )

    threads = [threading.Thread(target=client, args=(i,)) for i in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)

    assert all(answer is not None and answer.status_code == 201 for answer in answers)
    bodies: list[Any] = [answer.json() for answer in answers if answer is not None]
    ids = {body["id"] for body in bodies}
    assert len(ids) == 1
    assert sum("Idempotent-Replayed" not in answer.headers for answer in answers if answer is not None) == 1
    (task_id,) = ids
    done = ws.settle(task_id)
    assert done["state"] == "done"
    assert done["result"]["stamped"] == 1
    assert [task["id"] for task in ws.list_tasks()] == [task_id]


def test_a_retried_webhook_delivery_is_one_task(server: Server) -> None:
    ws = server.workspace("hooks")
    url = ws.client.post("/v1/webhooks", json={"name": "github"}).json()["url"]
    with httpx.Client(base_url=server.url, timeout=30) as anon:
        sent = [
            anon.post(url, json={"ref": "main"}, headers={"X-GitHub-Delivery": delivery})
            for delivery in ("d-1", "d-1", "d-2")
        ]
    assert [answer.status_code for answer in sent] == [202, 202, 202]
    assert sent[0].json() == sent[1].json() != sent[2].json()
    assert len(ws.list_tasks()) == 2
