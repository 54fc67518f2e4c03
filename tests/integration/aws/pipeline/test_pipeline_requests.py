"""What one task costs in AWS requests and Lambda invocations, so a regression shows as a number.

The task is the onboarding example as `aloma dev` runs it: its `crm` (remote) and `slack`
connectors call the stand-in services on 127.0.0.1, which costs no AWS request. Four runs, two of
them dispatched together. Run with `-s` to see the table. The bounds are per unit of work (per
run, per task version matched), loose enough for harmless changes and tight enough to catch an
extra request per run.

Measured (one warm runner): the API 3 requests; the matcher 10 GetItem, 1 Query, 3 claim writes
and 3 sends for the 5 of the task's 12 versions that reach it (dispatches and run starts are
quiet); the runner 12 GetItem, 4 PutItem (run starts), 4 TransactWriteItems (commits), 6 Query, 1
BatchWriteItem and 1 GetSecretValue for 4 runs. Before quiet versions, stream images and commits
on the started version, the matcher made 28 GetItem for 12 versions and the runner 16 GetItem and
8 TransactWriteItems. The runner's Query count went from 2 to 6 when the AWS home got connectors:
each run lists the workspace's connectors when it starts.
"""

import json
from collections.abc import Callable

from api_client import Workspace
from containers import API, LAMBDA_SERVICE, MATCHER, RUNNER
from driver import PipelineDriver
from lambda_events import GITHUB_KEY, github_delivery
from scenarios import EXAMPLE, use_example

from aloma_core.home.example_services import ExampleServices

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


def test_one_onboarding_task_end_to_end(
    new_workspace: Callable[..., Workspace],
    pipeline: PipelineDriver,
    example_services: tuple[str, ExampleServices],
) -> None:
    ws = new_workspace()
    use_example(ws, example_services[0])
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
    # A run: start and commit, each a conditional write after a read, and one Query of the
    # workspace's connectors (read as the run starts, so a connector set a moment ago is there).
    # Once per warm runner: the steps (a Query) and the secrets. Once per task that ends: a Query
    # of its history and a BatchWriteItem giving its events their expiry.
    assert of(RUNNER, "dynamodb.TransactWriteItems") <= 2 * runs
    assert of(RUNNER, "dynamodb.GetItem") <= 4 * runs
    assert of(RUNNER, "dynamodb.Query") <= runs + 2
    assert of(RUNNER, "secretsmanager.GetSecretValue") <= 1
    assert of(RUNNER, "dynamodb.BatchWriteItem") <= 1
    assert {caller for caller, _ in counts} <= {API, MATCHER, RUNNER, LAMBDA_SERVICE}
    assert not [operation for _, operation in counts if operation == "dynamodb.Scan"]
    # One invocation per run, nothing redelivered; each matcher batch carries at least one version.
    assert pipeline.invocations[RUNNER] == runs
    assert pipeline.invocations[MATCHER] <= versions
    assert of(LAMBDA_SERVICE, "sqs.DeleteMessageBatch") == runs


def test_one_signed_webhook_delivery(
    new_workspace: Callable[..., Workspace], pipeline: PipelineDriver
) -> None:
    """A delivery is taken by the API function alone: it reads the key's lookup item, counts the
    minute's rate, reads the signing key (Secrets Manager, cached while the environment is warm:
    at most once here), reads the workspace and creates the task: 4 requests a delivery. (Each
    delivery has its own id: a repeated one is answered from the first task, tested elsewhere.)"""
    ws = new_workspace()
    ws.api.ok("PUT", "/v1/secrets/GH_SECRET", {"value": GITHUB_KEY}, status=204)
    webhook = {"name": "github", "signing": {"scheme": "github", "secret": "GH_SECRET"}}
    key = ws.api.ok("POST", "/v1/webhooks", webhook, status=201)["key"]
    pipeline.requests.reset()

    for n in range(2):
        delivery = github_delivery(key, delivery_id=f"72d3162e-cc78-11e3-81ab-4c9367dc095{n}")
        assert pipeline.invoke(API, delivery)["statusCode"] == 202
    counts = pipeline.requests.counts.copy()
    print("\n" + table(pipeline))

    assert counts.pop((API, "secretsmanager.GetSecretValue"), 0) <= 1
    assert counts == {
        (API, "dynamodb.GetItem"): 2 * 2,
        (API, "dynamodb.UpdateItem"): 2,
        (API, "dynamodb.TransactWriteItems"): 2,
    }
