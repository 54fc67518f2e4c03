"""Corpus, faults on the AWS home (the production handlers on moto): duplicate SQS deliveries, a
matcher killed between its claims and its send, 16 parallel commits on one task, DynamoDB
throttling in each function, and a poison message. Every task ends in a defined state and every
step ran once per task."""

import json
from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest
from api_client import Workspace
from botocore.exceptions import ClientError
from containers import API, MATCHER, RUNNER, InvocationKilled
from driver import PipelineDriver
from scenarios import KilledRun, run_dispatched_together

from aloma_core.sandbox.types import ConnectorHost, RunInput, RunResult
from lifecycle_scenarios import runs_of, step_file

NewWorkspace = Callable[..., Workspace]

pytest_plugins = ["pipeline_fixtures"]
pytestmark = pytest.mark.corpus


def run_counts(ws: Workspace, task_id: str) -> Counter[str]:
    return Counter(e["step"] for e in ws.events(task_id) if e["type"] == "run")


def chain(ws: Workspace) -> None:
    """Two steps, one after the other: `first` doubles `n`, `last` completes with the double."""
    ws.put_step("first", step_file("{n: Number, double: null}", "data.double = data.n * 2;"))
    ws.put_step("last", step_file("{double: Number}", "task.complete(data.double);"))


def assert_chain_done(ws: Workspace, task_id: str, n: int) -> None:
    task = ws.task(task_id)
    assert (task["state"], task["result"]) == ("done", 2 * n), task
    assert run_counts(ws, task_id) == Counter({"first": 1, "last": 1})


class FailFirstCalls:
    """A botocore hook that fails the first `times` calls of one DynamoDB operation of one function
    with the error `code`, raised where the SDK's own retries are already behind it: a throttling
    code is what a caller sees once DynamoDB kept throttling through those retries."""

    def __init__(self, pipeline: PipelineDriver, function: str, operation: str, code: str, times: int):
        self.code = code
        self.left = times
        self.raised = 0
        events = pipeline.container(function).home.clients.dynamodb.meta.events
        events.register(f"before-parameter-build.dynamodb.{operation}", self._fail)

    def _fail(self, **_: Any) -> None:
        if self.left > 0:
            self.left -= 1
            self.raised += 1
            raise ClientError({"Error": {"Code": self.code, "Message": "injected"}}, "injected")


def test_every_message_delivered_twice_runs_each_step_once(
    new_workspace: NewWorkspace, pipeline: PipelineDriver
) -> None:
    """Each message is received, left undeleted, and received again: both copies reach a runner, one
    after the other; the second finds its claim used and is dropped (and deleted, not retried)."""
    ws = new_workspace()
    chain(ws)
    ids = [ws.new_task({"n": n}) for n in range(5)]
    copies = 0
    for _ in range(20):
        while pipeline.pump_stream():
            pass
        first = pipeline.receive()
        if not first:
            break
        pipeline.release(first)
        second = pipeline.receive()
        assert sorted(m["MessageId"] for m in second) == sorted(m["MessageId"] for m in first)
        assert pipeline.run_messages(first) == []
        assert pipeline.run_messages(second) == []
        copies += len(second)
    assert copies == 10
    for n, task_id in enumerate(ids):
        assert_chain_done(ws, task_id, n)
    assert pipeline.receive() == []
    assert pipeline.dlq_messages() == []


def test_a_matcher_killed_between_claim_and_send_resends_the_same_claims_and_runs_once(
    new_workspace: NewWorkspace, pipeline: PipelineDriver
) -> None:
    """Lambda ends the matcher after its claims are stored and before SQS got them: the whole stream
    batch is delivered again, and the claims stored the first time are the ones sent."""
    sent: list[list[str]] = []

    def killed_before_the_first_send(params: dict[str, Any], **_: Any) -> None:
        claims = [json.loads(entry["MessageBody"])["claim_id"] for entry in params["Entries"]]
        sent.append(claims)
        if len(sent) == 1:
            raise InvocationKilled("Task timed out before SendMessageBatch")

    pipeline.container(MATCHER).home.clients.sqs.meta.events.register(
        "before-parameter-build.sqs.SendMessageBatch", killed_before_the_first_send
    )
    ws = new_workspace()
    for side in ("left", "right"):
        ws.put_step(side, step_file("{go: true}", f"data.{side} = true;"))
    ws.put_step("join", step_file("{left: true, right: true}", "task.complete('both');"))
    task_id = ws.new_task({"go": True})
    task = ws.settle(task_id)

    assert (task["state"], task["result"]) == ("done", "both"), task
    dispatched = [e["claim"] for e in ws.events(task_id) if e["type"] == "dispatched"]
    assert len(dispatched) == 3
    assert sorted(sent[0]) == sorted(sent[1]) == sorted(dispatched[:2])
    assert run_counts(ws, task_id) == Counter({"left": 1, "right": 1, "join": 1})
    assert pipeline.discarded == []


def test_16_steps_committing_in_parallel_on_one_task_keep_every_change(
    new_workspace: NewWorkspace, pipeline: PipelineDriver
) -> None:
    """16 runs read the same data and commit at the same moment, each conditioned on the version it
    read: those that lose the conditional write merge onto the newer version and retry. Every change is kept;
    only the two steps that wrote the same path record a conflict (the later one's value stands)."""
    ws = new_workspace()
    for i in range(14):
        ws.put_step(f"own{i:02}", step_file("{go: true}", f"data.own{i:02} = {i};"))
    for writer in ("a", "b"):
        ws.put_step(f"shared_{writer}", step_file("{go: true}", f"data.shared = '{writer}';"))
    task_id = ws.new_task({"go": True})
    pipeline.requests.reset()
    run_dispatched_together(pipeline, 16)
    task = ws.settle(task_id)

    assert pipeline.requests.counts[RUNNER, "dynamodb.TransactWriteItems"] > 16, "no commit was retried"
    assert {k: v for k, v in task["data"].items() if k.startswith("own")} == {
        f"own{i:02}": i for i in range(14)
    }
    assert task["runs"] == 16
    assert set(run_counts(ws, task_id).values()) == {1}
    (conflict,) = [e for e in ws.events(task_id) if e["type"] == "conflict"]
    assert conflict["paths"] == [["shared"]]
    assert task["data"]["shared"] == conflict["step"].removeprefix("shared_")


@pytest.mark.parametrize(
    ("function", "operation", "code", "times"),
    [
        (MATCHER, "TransactWriteItems", "ProvisionedThroughputExceededException", 2),
        (MATCHER, "GetItem", "ThrottlingException", 1),
        (RUNNER, "TransactWriteItems", "ThrottlingException", 1),
        (RUNNER, "GetItem", "ProvisionedThroughputExceededException", 1),
    ],
)
def test_dynamodb_throttling_in_the_pipeline_fails_the_item_and_its_retry_ends_the_task_right(
    new_workspace: NewWorkspace,
    pipeline: PipelineDriver,
    function: str,
    operation: str,
    code: str,
    times: int,
) -> None:
    """A throttled matcher or runner reports its item failed (a partial batch response), the stream
    or the queue delivers it again, and the task ends as if nothing had happened."""
    ws = new_workspace()
    chain(ws)
    ids = [ws.new_task({"n": n}) for n in range(3)]
    failing = FailFirstCalls(pipeline, function, operation, code, times)
    pipeline.records.clear()
    pipeline.run_until_quiet()

    assert failing.raised == times
    for n, task_id in enumerate(ids):
        assert_chain_done(ws, task_id, n)
    assert pipeline.discarded == []
    assert pipeline.dlq_messages() == []
    assert pipeline.dead_lettered == []
    if function == RUNNER:
        assert pipeline.records[RUNNER] == 6 + times, "each throttled message is delivered once more"


@pytest.mark.parametrize(
    ("operation", "code"),
    [("TransactWriteItems", "ProvisionedThroughputExceededException"), ("GetItem", "ThrottlingException")],
)
def test_dynamodb_throttling_in_the_api_answers_503_to_retry_and_creates_nothing(
    new_workspace: NewWorkspace, pipeline: PipelineDriver, operation: str, code: str
) -> None:
    ws = new_workspace()
    chain(ws)
    failing = FailFirstCalls(pipeline, API, operation, code, 1)
    answer = ws.api.call("POST", "/v1/tasks", {"data": {"n": 4}})
    assert failing.raised == 1
    assert answer.status == 503, answer
    assert answer.body["error"]["code"] == "unavailable"
    assert "try again" in answer.body["error"]["message"]
    assert ws.list_tasks() == []

    task_id = ws.new_task({"n": 4})
    ws.settle(task_id)
    assert_chain_done(ws, task_id, 4)
    assert [t["id"] for t in ws.list_tasks()] == [task_id]


def test_an_unexpected_api_failure_is_still_a_500(
    new_workspace: NewWorkspace, pipeline: PipelineDriver
) -> None:
    ws = new_workspace()
    FailFirstCalls(pipeline, API, "TransactWriteItems", "ValidationException", 1)
    answer = ws.api.call("POST", "/v1/tasks", {"data": {"n": 1}})
    assert answer.status == 500, answer
    assert answer.body["error"]["code"] == "internal_error"


def test_a_poison_message_reaches_the_dlq_and_only_its_task_ends_in_error(
    new_workspace: NewWorkspace, pipeline: PipelineDriver
) -> None:
    """The runner dies on every delivery of one claim: after ALOMA_MAX_RECEIVES deliveries the
    message moves to the DLQ, its consumer records the lost run, and the other tasks are untouched."""
    ws = new_workspace()
    chain(ws)
    ids = [ws.new_task({"n": n}) for n in range(4)]
    killer = KilledRun()
    production = pipeline.container(RUNNER).home.runner.executor

    class PoisonedClaim:
        """Dies on the poisoned task's first step, whichever delivery carries it; runs the rest."""

        def execute(self, run: RunInput, host: ConnectorHost) -> RunResult:
            if (run.task_id, run.step_name) == (ids[2], "first"):
                return killer.execute(run, host)
            return production.execute(run, host)

    pipeline.container(RUNNER).home.runner.executor = PoisonedClaim()
    pipeline.run_until_quiet()

    max_receives = pipeline.resources.declared.max_receive_count
    assert killer.runs == max_receives
    (dead,) = pipeline.dead_lettered
    assert json.loads(dead["Body"])["task_id"] == ids[2]
    assert pipeline.dlq_messages() == []
    lost = ws.task(ids[2])
    assert lost["state"] == "error", lost
    assert lost["error"]["step"] == "first"
    assert lost["error"]["message"].startswith(f"the run failed {max_receives} times; last error: RunLost")
    assert lost["data"] == {"n": 2}
    assert len(runs_of(ws.events(ids[2]), "first")) == 1
    assert run_counts(ws, ids[2]) == Counter({"first": 1})
    for n, task_id in enumerate(ids):
        if n != 2:
            assert_chain_done(ws, task_id, n)
