"""What only the AWS home can get wrong: at-least-once delivery, crashes between two writes, retries
ending in the DLQ, concurrent Lambda environments, and tenants and secrets behind API Gateway."""

import json
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import boto3
import pytest
from api_client import Workspace
from botocore.exceptions import ClientError
from containers import MATCHER, RUNNER, InvocationKilled
from driver import PipelineDriver
from resources import REGION
from scenarios import HeldRun, KilledRun, alarmed_metric, run_dispatched_together

from lifecycle_scenarios import runs_of, step_file

NewWorkspace = Callable[..., Workspace]

pytest_plugins = ["pipeline_fixtures"]


def test_a_message_delivered_twice_runs_the_step_once(
    new_workspace: NewWorkspace, pipeline: PipelineDriver
) -> None:
    """SQS redelivers the message while its first delivery is still running: the second copy finds
    the run's live lease and is reported failed, to be retried once the first copy is through."""
    ws = new_workspace()
    ws.put_step("charge", step_file("{amount: Number}", "data.charged = true;"))
    task_id = ws.new_task({"amount": 5})
    while pipeline.pump_stream():
        pass
    first = pipeline.receive()
    pipeline.release(first)
    second = pipeline.receive()
    assert [m["MessageId"] for m in second] == [m["MessageId"] for m in first]
    held = HeldRun()
    pipeline.container(RUNNER, 0).home.runner.executor = held
    with ThreadPoolExecutor(1) as pool:
        running = pool.submit(pipeline.run_messages, first, 0)
        assert held.entered.wait(10)
        assert pipeline.run_messages(second, index=1) == [second[0]["MessageId"]]
        held.release.set()
        running.result()
    task = ws.settle(task_id)
    assert task["data"] == {"amount": 5, "charged": True}
    assert task["runs"] == 1
    assert len(runs_of(ws.events(task_id), "charge")) == 1
    assert pipeline.dlq_messages() == []


def test_the_same_message_received_again_after_the_run_committed_is_dropped(
    new_workspace: NewWorkspace, pipeline: PipelineDriver
) -> None:
    ws = new_workspace()
    ws.put_step("charge", step_file("{amount: Number}", "data.charged = true;"))
    task_id = ws.new_task({"amount": 5})
    while pipeline.pump_stream():
        pass
    first = pipeline.receive()
    pipeline.release(first)
    second = pipeline.receive()
    pipeline.run_messages(first)
    pipeline.run_messages(second)
    task = ws.settle(task_id)
    assert task["runs"] == 1
    assert len(runs_of(ws.events(task_id), "charge")) == 1


def test_a_crash_between_claim_and_send_is_recovered_with_the_same_claims(
    new_workspace: NewWorkspace, pipeline: PipelineDriver
) -> None:
    """The matcher stores its claims, then SQS fails it: the stream delivers the record again and
    the claims of that version are sent, the very same ones."""
    sent: list[list[str]] = []

    def fail_first_send(params: dict[str, Any], **_: Any) -> None:
        sent.append([json.loads(entry["MessageBody"])["claim_id"] for entry in params["Entries"]])
        if len(sent) == 1:
            raise ClientError(
                {"Error": {"Code": "ServiceUnavailable", "Message": "injected"}}, "SendMessageBatch"
            )

    pipeline.container(MATCHER).home.clients.sqs.meta.events.register(
        "before-parameter-build.sqs.SendMessageBatch", fail_first_send
    )
    ws = new_workspace()
    for side in ("left", "right"):
        ws.put_step(side, step_file("{go: true}", f"data.{side} = true;"))
    ws.put_step("finish", step_file("{left: true, right: true}", "task.complete('both');"))
    task_id = ws.new_task({"go": True})
    task = ws.settle(task_id)
    assert task["state"] == "done", [(e["type"], e.get("step"), e.get("reason")) for e in ws.events(task_id)]
    assert task["result"] == "both"
    dispatched = [e["claim"] for e in ws.events(task_id) if e["type"] == "dispatched"]
    assert len(sent[0]) == 2
    assert sent[0] == sent[1] == dispatched[:2]
    assert sorted(claim for batch in sent[1:] for claim in batch) == sorted(dispatched)
    assert task["runs"] == 3
    assert pipeline.discarded == []


def _commits_a_successful_run(params: dict[str, Any]) -> bool:
    """Whether a transaction stores a `run` event without an error (a run's commit, not a failure)."""
    for entry in params["TransactItems"]:
        record = entry.get("Put", {}).get("Item", {}).get("record", {}).get("S")
        if record is None or json.loads(record).get("type") != "run":
            continue
        if json.loads(json.loads(record)["detail"])["error"] is None:
            return True
    return False


def test_a_run_that_keeps_failing_ends_in_the_dlq_with_the_task_in_error(
    new_workspace: NewWorkspace,
    pipeline: PipelineDriver,
    template: dict[str, Any],
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The last delivery records the failure; the DLQ's consumer finds it recorded and lets it be."""

    def fail_commit(params: dict[str, Any], **_: Any) -> None:
        if _commits_a_successful_run(params):
            raise ClientError(
                {"Error": {"Code": "InternalServerError", "Message": "injected"}}, "TransactWriteItems"
            )

    pipeline.container(RUNNER).home.clients.dynamodb.meta.events.register(
        "before-parameter-build.dynamodb.TransactWriteItems", fail_commit
    )
    ws = new_workspace()
    ws.put_step("ship", step_file("{order: String}", "data.shipped = true;"))
    task_id = ws.new_task({"order": "A-1"})
    task = ws.settle(task_id)
    max_receives = pipeline.resources.declared.max_receive_count
    assert task["state"] == "error", task
    assert task["data"] == {"order": "A-1"}
    assert task["error"]["step"] == "ship"
    assert f"the run failed {max_receives} times" in task["error"]["message"]
    assert "InternalServerError" in task["error"]["message"]
    (run,) = runs_of(ws.events(task_id), "ship")
    assert run["error"]["message"] == task["error"]["message"]
    (dead,) = pipeline.dead_lettered
    assert json.loads(dead["Body"])["task_id"] == task_id
    assert int(dead["Attributes"]["ApproximateReceiveCount"]) >= max_receives
    assert pipeline.dlq_messages() == []
    assert pipeline.invocations[RUNNER] == max_receives + 1
    assert alarmed_metric(template, capsys.readouterr().out, "RunsLost") == 0


def test_two_runs_committing_at_once_keep_both_changes(
    new_workspace: NewWorkspace, pipeline: PipelineDriver
) -> None:
    ws = new_workspace()
    ws.put_step("price", step_file("{go: true}", "data.price = 10;"))
    ws.put_step("stock", step_file("{go: true}", "data.stock = 3;"))
    task_id = ws.new_task({"go": True})
    run_dispatched_together(pipeline, 2)
    task = ws.settle(task_id)
    assert task["data"] == {"go": True, "price": 10, "stock": 3}
    assert task["runs"] == 2
    assert [e for e in ws.events(task_id) if e["type"] == "conflict"] == []


def test_workspaces_are_isolated_behind_the_api(new_workspace: NewWorkspace) -> None:
    a, b = new_workspace(), new_workspace()
    a.put_step("mark", step_file("{item: String}", "data.by = 'a';"))
    b.put_step("mark", step_file("{item: String}", "data.by = 'b';"))
    task_id = a.new_task({"item": "x"})
    assert a.settle(task_id)["data"] == {"item": "x", "by": "a"}
    for method, path, body in [
        ("GET", f"/v1/tasks/{task_id}", None),
        ("GET", f"/v1/tasks/{task_id}/history", None),
        ("PATCH", f"/v1/tasks/{task_id}", {"data": {"by": "b"}}),
        ("POST", f"/v1/tasks/{task_id}/resume", None),
    ]:
        answer = b.api.call(method, path, body)
        assert answer.status == 404, (method, path, answer)
        assert answer.body["error"]["code"] == "not_found"
    assert b.api.ok("GET", "/v1/tasks")["tasks"] == []
    assert [t["id"] for t in a.api.ok("GET", "/v1/tasks")["tasks"]] == [task_id]
    assert [e["step"] for e in a.events(task_id) if e["type"] == "run"] == ["mark"]
    assert a.settle(task_id)["data"] == {"item": "x", "by": "a"}


def test_a_step_never_reads_another_workspace_s_secret(new_workspace: NewWorkspace) -> None:
    owner, other = new_workspace(), new_workspace()
    assert owner.api.call("PUT", "/v1/secrets/CRM_TOKEN", {"value": "s3cr3t-value"}).status == 204
    other.put_step("peek", step_file("{go: true}", "data.seen = task.config('CRM_TOKEN') ?? null;"))
    task = other.settle(other.new_task({"go": True}))
    assert task["data"] == {"go": True, "seen": None}
    assert other.api.ok("GET", "/v1/secrets") == {"secrets": []}


def test_a_run_killed_on_every_delivery_ends_in_the_dlq_with_the_task_in_error(
    new_workspace: NewWorkspace,
    pipeline: PipelineDriver,
    template: dict[str, Any],
    capsys: pytest.CaptureFixture[str],
) -> None:
    """architecture.md: "A run that dies mid-way is retried after the queue's visibility timeout;
    after N failures the message lands in the DLQ and the task shows `error`". No code of the
    killed runner records anything: the DLQ's consumer does, and counts the lost run."""
    killed = KilledRun()
    pipeline.container(RUNNER).home.runner.executor = killed
    ws = new_workspace()
    ws.put_step("heavy", step_file("{go: true}", "data.done = true;"))
    task_id = ws.new_task({"go": True})
    task = ws.settle(task_id)
    max_receives = pipeline.resources.declared.max_receive_count
    assert killed.runs == max_receives
    (dead,) = pipeline.dead_lettered
    assert json.loads(dead["Body"])["task_id"] == task_id
    assert pipeline.dlq_messages() == []
    assert task["state"] == "error", task
    assert task["data"] == {"go": True}
    assert task["error"]["step"] == "heavy"
    message = task["error"]["message"]
    assert message.startswith(f"the run failed {max_receives} times; last error: RunLost: ")
    assert "the runner was stopped before the run could finish" in message
    assert "the step's changes were not committed" in message
    (run,) = runs_of(ws.events(task_id), "heavy")
    assert (run["changes"], run["error"]["message"]) == ([], message)
    assert alarmed_metric(template, capsys.readouterr().out, "RunsLost") == 1


def test_a_run_killed_on_all_but_its_last_delivery_ends_done_with_nothing_lost(
    new_workspace: NewWorkspace,
    pipeline: PipelineDriver,
    template: dict[str, Any],
    capsys: pytest.CaptureFixture[str],
) -> None:
    max_receives = pipeline.resources.declared.max_receive_count
    killed = KilledRun(times=max_receives - 1)
    pipeline.container(RUNNER).home.runner.executor = killed
    ws = new_workspace()
    ws.put_step("finish", step_file("{go: true}", "task.complete('finished');"))
    task = ws.settle(ws.new_task({"go": True}))
    assert killed.runs == max_receives
    assert (task["state"], task["result"]) == ("done", "finished"), task
    assert pipeline.dead_lettered == []
    assert pipeline.dlq_messages() == []
    assert alarmed_metric(template, capsys.readouterr().out, "RunsLost") == 0


def test_a_message_that_reaches_the_dlq_after_its_run_committed_leaves_the_task_alone(
    new_workspace: NewWorkspace,
    pipeline: PipelineDriver,
    template: dict[str, Any],
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The last delivery's runner commits and is stopped before it can answer: the message moves
    to the DLQ all the same, and its consumer finds the claim used."""
    max_receives = pipeline.resources.declared.max_receive_count
    home = pipeline.container(RUNNER).home
    home.runner.executor = KilledRun(times=max_receives - 1)

    def note_commit(params: dict[str, Any], context: dict[str, Any], **_: Any) -> None:
        context["commits_run"] = _commits_a_successful_run(params)

    def stop_after_commit(http_response: Any, context: dict[str, Any], **_: Any) -> None:
        if context.get("commits_run") and http_response.status_code < 300:
            raise InvocationKilled("Task timed out after the run committed")

    events = home.clients.dynamodb.meta.events
    events.register("before-parameter-build.dynamodb.TransactWriteItems", note_commit)
    events.register("after-call.dynamodb.TransactWriteItems", stop_after_commit)
    ws = new_workspace()
    ws.put_step("ship", step_file("{order: String}", "data.shipped = true;"))
    task_id = ws.new_task({"order": "A-1"})
    task = ws.settle(task_id)
    (dead,) = pipeline.dead_lettered
    assert json.loads(dead["Body"])["task_id"] == task_id
    assert pipeline.dlq_messages() == []
    assert task["state"] == "incomplete", task
    assert task["data"] == {"order": "A-1", "shipped": True}
    (run,) = runs_of(ws.events(task_id), "ship")
    assert run["error"] is None
    assert alarmed_metric(template, capsys.readouterr().out, "RunsLost") == 0


def test_a_dead_letter_waits_while_another_copy_of_its_message_runs(
    new_workspace: NewWorkspace,
    pipeline: PipelineDriver,
    template: dict[str, Any],
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Two copies of one claim's message (the matcher re-sends after a crash): one reaches the DLQ
    while the other runs under a live lease, which may still commit. The dead letter is retried,
    and then finds the run committed."""
    ws = new_workspace()
    ws.put_step("charge", step_file("{amount: Number}", "data.charged = true;"))
    task_id = ws.new_task({"amount": 5})
    while pipeline.pump_stream():
        pass
    running_copy = pipeline.receive()
    sqs = boto3.client("sqs", region_name=REGION)
    sqs.send_message(QueueUrl=pipeline.resources.dlq_url, MessageBody=running_copy[0]["Body"])
    held = HeldRun()
    pipeline.container(RUNNER, 0).home.runner.executor = held
    with ThreadPoolExecutor(1) as pool:
        running = pool.submit(pipeline.run_messages, running_copy, 0)
        assert held.entered.wait(10)
        dead = pipeline.receive(dead_letters=True)
        assert pipeline.run_messages(dead, index=1, dead_letters=True) == [dead[0]["MessageId"]]
        assert ws.task(task_id)["state"] == "running"
        held.release.set()
        running.result()
    task = ws.settle(task_id)
    assert task["data"] == {"amount": 5, "charged": True}
    assert task["state"] == "incomplete", task
    assert len(pipeline.dead_lettered) == 1
    assert pipeline.dlq_messages() == []
    assert alarmed_metric(template, capsys.readouterr().out, "RunsLost") == 0


def test_a_run_killed_once_is_retried_even_with_the_longest_wall_time_limit(
    new_workspace: NewWorkspace, pipeline: PipelineDriver
) -> None:
    """The dead attempt's lease must not outlive the queue's retries: a run is bounded by its
    Lambda's remaining time, so its lease is too, whatever the workspace's wall time limit."""
    pipeline.container(RUNNER).home.runner.executor = KilledRun(times=1)
    ws = new_workspace({"limits": {"wall_time_ms": 900_000}})
    ws.put_step("slow", step_file("{go: true}", "data.done = true;"))
    task = ws.settle(ws.new_task({"go": True}))
    assert pipeline.dlq_messages() == []
    assert task["state"] == "incomplete", task
    assert task["data"] == {"go": True, "done": True}
