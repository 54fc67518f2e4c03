"""What one task costs in AWS requests and Lambda invocations, so a regression shows as a number.

The task is the onboarding flow without its connector calls (the AWS home has no connectors yet):
four runs, two of them dispatched together. Run with `-s` to see the table. The bounds are per
unit of work (per run, per task version matched), loose enough for harmless changes and tight
enough to catch an extra request per run.
"""

import json
from collections.abc import Callable

from api_client import Workspace
from containers import API, LAMBDA_SERVICE, MATCHER, RUNNER
from driver import PipelineDriver
from scenarios import EXAMPLE, use_onboarding_without_connectors

pytest_plugins = ["pipeline_fixtures"]


def table(pipeline: PipelineDriver) -> str:
    rows = [f"{'caller':<15} {'request':<34} {'count':>5}"]
    rows += [
        f"{caller:<15} {operation:<34} {count:>5}"
        for (caller, operation), count in sorted(pipeline.requests.counts.items())
    ]
    rows += ["", f"{'function':<15} {'invocations':>11} {'records':>7}"]
    rows += [
        f"{function:<15} {pipeline.invocations[function]:>11} {pipeline.records[function]:>7}"
        for function in (API, MATCHER, RUNNER)
    ]
    return "\n".join(rows)


def test_one_onboarding_task_without_connectors_end_to_end(
    new_workspace: Callable[..., Workspace], pipeline: PipelineDriver
) -> None:
    ws = new_workspace()
    use_onboarding_without_connectors(ws)
    pipeline.requests.reset()
    pipeline.invocations.clear()
    pipeline.records.clear()
    task_id = ws.new_task(json.loads((EXAMPLE / "task.json").read_text()))
    pipeline.run_until_quiet()
    counts = pipeline.requests.counts.copy()
    print("\n" + table(pipeline))

    task = ws.task(task_id)
    assert task["state"] == "done"
    runs, versions = task["runs"], pipeline.records[MATCHER]

    def of(caller: str, operation: str) -> int:
        return counts[caller, operation]

    assert of(API, "dynamodb.TransactWriteItems") == 1
    assert sum(n for (caller, _), n in counts.items() if caller == API) <= 4
    # The matcher reads the task, the workspace and the step revision per task version, writes
    # claims only on a version that dispatches, and sends once per claim write.
    assert of(MATCHER, "dynamodb.GetItem") <= 3 * versions
    assert of(MATCHER, "dynamodb.Query") <= 1
    assert of(MATCHER, "dynamodb.TransactWriteItems") <= runs
    assert of(MATCHER, "sqs.SendMessageBatch") == of(MATCHER, "dynamodb.TransactWriteItems")
    # A run: start and commit, each a conditional write after a read; secrets read once per warm runner.
    assert of(RUNNER, "dynamodb.TransactWriteItems") <= 2 * runs
    assert of(RUNNER, "dynamodb.GetItem") <= 4 * runs
    assert of(RUNNER, "dynamodb.Query") <= 2
    assert of(RUNNER, "secretsmanager.GetSecretValue") <= 1
    assert of(RUNNER, "dynamodb.BatchWriteItem") <= 1
    assert {caller for caller, _ in counts} <= {API, MATCHER, RUNNER, LAMBDA_SERVICE}
    assert not [operation for _, operation in counts if operation == "dynamodb.Scan"]
    # One invocation per run, nothing redelivered; each matcher batch carries at least one version.
    assert pipeline.invocations[RUNNER] == runs
    assert pipeline.invocations[MATCHER] <= versions
    assert of(LAMBDA_SERVICE, "sqs.DeleteMessageBatch") == runs
