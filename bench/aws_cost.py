"""What an onboarding task costs on AWS: requests by kind, counted on the moto pipeline through the
production handlers (tests/integration/aws/pipeline), priced at list prices, beside AWS Step
Functions running the same four-step flow (validate -> [add to CRM, welcome] -> finish).

DynamoDB capacity units are computed from the items each request writes or reads (on-demand: a
write unit per KB written, doubled in a transaction; a strongly consistent read unit per 4 KB).
Lambda duration cannot be measured on moto (its in-process emulation is far slower than DynamoDB),
so it is priced at stated assumptions, the same for a step run in every flavour; the Lambda
service's own polling of the queue is not counted. The connector calls go to the example's
stand-in services on 127.0.0.1.
"""

import io
import json
import math
import os
import sys
import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager, redirect_stdout
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from moto import mock_aws

from aloma_core.adapters.aws.dynamodb.items import item_size
from aloma_core.home.example_services import ExampleServices
from aloma_core.home.serving import serving

TESTS = Path(__file__).parents[1] / "tests"
sys.path[:0] = [
    str(TESTS),
    str(TESTS / "integration"),
    str(TESTS / "integration" / "aws"),
    str(TESTS / "integration" / "aws" / "pipeline"),
]

# The pipeline of tests/integration/aws/pipeline: the production handlers driven as Lambda would.
from api_client import ADMIN_TOKEN, Workspace
from driver import PipelineDriver
from moto_fixes import dynamodb_like_moto
from resources import create, declared
from scenarios import EXAMPLE, use_example

from cfn_yaml import load_template

TASKS = 20

# us-east-1 list prices (USD), as published in 2026.
PRICE = {
    "lambda request": 0.20 / 1e6,
    "lambda arm64 GB-s": 0.0000133334,
    "dynamodb write unit": 0.625 / 1e6,
    "dynamodb read unit": 0.125 / 1e6,
    "sqs request": 0.40 / 1e6,
    "secrets manager call": 0.05 / 1e4,
    "step functions standard transition": 0.025 / 1e3,
    "step functions express request": 1.00 / 1e6,
    "step functions express GB-s": 0.00001667,
}
MEMORY_GB = {"api": 0.5, "match": 0.5, "run_step": 1.0, "tick": 0.25}
"""The template's MemorySize of each function."""
ASSUMED_MS = {"api": 20, "match": 20, "run_step": 50}
"""Billed duration assumed per invocation: a few DynamoDB round trips, plus the step for a run."""
SEQUENTIAL_RUNS = 3
"""The flow's runs one after another (the CRM and welcome steps run side by side)."""
FLOW_TRANSITIONS = 6
"""Standard: validate, the parallel state, its two branches, finish, and the end."""
FLOW_LAMBDAS = 4
"""Either Step Functions flavour still runs each step in a Lambda of its own."""


class Meter:
    """DynamoDB capacity units and request counts by operation, from botocore's own events."""

    def __init__(self) -> None:
        self._size = item_size
        self.write_units = 0
        self.read_units = 0
        self.requests: Counter[str] = Counter()
        self._lock = threading.Lock()

    def install(self, session: Any) -> None:
        session.events.register("provide-client-params.dynamodb", self._writes)
        session.events.register("after-call.dynamodb", self._reads)
        session.events.register("before-call", self._count)

    def _count(self, model: Any, **_: Any) -> None:
        with self._lock:
            self.requests[f"{model.service_model.service_name}.{model.name}"] += 1

    def _writes(self, params: dict[str, Any], model: Any, **_: Any) -> None:
        units = 0
        if model.name == "TransactWriteItems":
            for entry in params["TransactItems"]:
                item = entry.get("Put", {}).get("Item")
                units += 2 * (math.ceil(self._size(item) / 1024) if item else 1)
        elif model.name == "BatchWriteItem":
            for requests in params["RequestItems"].values():
                units += sum(
                    math.ceil(self._size(r["PutRequest"]["Item"]) / 1024)
                    for r in requests
                    if "PutRequest" in r
                )
        elif model.name in ("PutItem", "UpdateItem", "DeleteItem"):
            item = params.get("Item")
            units += math.ceil(self._size(item) / 1024) if item else 1
        with self._lock:
            self.write_units += units

    def _reads(self, parsed: dict[str, Any], model: Any, **_: Any) -> None:
        items: list[Any] = []
        if model.name == "GetItem" and "Item" in parsed:
            items = [parsed["Item"]]
        elif model.name == "Query":
            items = parsed.get("Items", [])
        elif model.name == "BatchGetItem":
            items = [item for found in parsed.get("Responses", {}).values() for item in found]
        units = sum(math.ceil(self._size(item) / 4096) for item in items) or (
            1 if model.name == "GetItem" else 0
        )
        with self._lock:
            self.read_units += units


@contextmanager
def _moto_pipeline() -> Iterator[Any]:
    """The pipeline on moto, as its fixtures set it up."""
    environment = {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_ACCOUNT_ID_ENDPOINT_MODE": "disabled",
        "POWERTOOLS_SERVICE_NAME": "aloma",
        "POWERTOOLS_TRACE_DISABLED": "1",
        "POWERTOOLS_METRICS_NAMESPACE": "aloma",
        "POWERTOOLS_LOG_LEVEL": "WARNING",
    }
    saved = dict(os.environ)
    os.environ.update(environment)
    try:
        with dynamodb_like_moto(), mock_aws():
            built = create(declared(load_template()))
            os.environ.update(
                {
                    "ALOMA_TABLE": built.table,
                    "ALOMA_QUEUE_URL": built.queue_url,
                    "ALOMA_SECRETS_PREFIX": "aloma/bench/",
                    "ALOMA_ADMIN_TOKEN": ADMIN_TOKEN,
                    "ALOMA_MAX_RECEIVES": str(built.declared.max_receive_count),
                    "ALOMA_DEAD_LETTER_QUEUE_ARN": built.dlq_arn,
                }
            )
            yield PipelineDriver(built)
    finally:
        os.environ.clear()
        os.environ.update(saved)


def measure() -> dict[str, Any]:
    """Requests, units and Lambda use per onboarding task, averaged over TASKS tasks."""
    services = FastAPI()
    services.include_router(ExampleServices().router)
    with _moto_pipeline() as driver, serving(services, "127.0.0.1", 0) as port:
        ws = Workspace.create(driver)
        use_example(ws, f"http://127.0.0.1:{port}")
        sample = json.loads((EXAMPLE / "task.json").read_text())
        meter = Meter()
        _install_everywhere(driver, meter)
        driver.invocations.clear()
        ids = [ws.new_task(sample) for _ in range(TASKS)]
        driver.run_until_quiet()
        use = {
            "requests": {name: count / TASKS for name, count in sorted(meter.requests.items())},
            "write_units": meter.write_units / TASKS,
            "read_units": meter.read_units / TASKS,
            "invocations": {name: count / TASKS for name, count in driver.invocations.items()},
        }
        assert all(ws.task(task_id)["state"] == "done" for task_id in ids), "every task must end done"
        return use


def _install_everywhere(driver: Any, meter: Meter) -> None:
    """Every botocore session the driver makes from now on (one per function container) is metered."""
    log = driver.requests
    session = log.session

    def metered(caller: str) -> Any:
        made = session(caller)
        meter.install(made)
        return made

    log.session = metered
    driver._containers = {name: [] for name in driver._containers}


def cost_per_million(use: dict[str, Any]) -> dict[str, float]:
    requests = use["requests"]
    invocations = use["invocations"]
    lambdas = sum(invocations.values())
    gb_s = sum(MEMORY_GB[name] * ASSUMED_MS[name] / 1000 * count for name, count in invocations.items())
    sqs = sum(count for name, count in requests.items() if name.startswith("sqs."))
    secrets = sum(count for name, count in requests.items() if name.startswith("secretsmanager."))
    aloma = (
        lambdas * PRICE["lambda request"]
        + gb_s * PRICE["lambda arm64 GB-s"]
        + use["write_units"] * PRICE["dynamodb write unit"]
        + use["read_units"] * PRICE["dynamodb read unit"]
        + sqs * PRICE["sqs request"]
        + secrets * PRICE["secrets manager call"]
    )
    run_gb_s = MEMORY_GB["run_step"] * ASSUMED_MS["run_step"] / 1000 * FLOW_LAMBDAS
    step_lambdas = FLOW_LAMBDAS * PRICE["lambda request"] + run_gb_s * PRICE["lambda arm64 GB-s"]
    flow_s = math.ceil(SEQUENTIAL_RUNS * ASSUMED_MS["run_step"] / 100) / 10  # billed per 100 ms
    standard = FLOW_TRANSITIONS * PRICE["step functions standard transition"] + step_lambdas
    express = PRICE["step functions express request"] + flow_s * 0.0625 * PRICE["step functions express GB-s"]
    return {"aloma": aloma * 1e6, "standard": standard * 1e6, "express": (express + step_lambdas) * 1e6}


def run() -> list[tuple[str, str, str, str]]:
    with redirect_stdout(io.StringIO()):  # Powertools prints its metrics to stdout
        use = measure()
    costs = cost_per_million(use)
    requests = use["requests"]
    dynamodb = sum(n for name, n in requests.items() if name.startswith("dynamodb."))
    sqs = sum(n for name, n in requests.items() if name.startswith("sqs."))
    lambdas = sum(use["invocations"].values())
    by_kind = ", ".join(f"{name.split('.', 1)[1]} {n:.1f}" for name, n in requests.items() if n >= 0.05)
    return [
        ("requests per task", f"DynamoDB {dynamodb:.1f}, SQS {sqs:.1f}", f"Lambda {lambdas:.1f}", by_kind),
        (
            "capacity per task",
            f"{use['write_units']:.1f} WRU, {use['read_units']:.1f} RRU",
            ", ".join(f"{name} {n:.1f}" for name, n in sorted(use["invocations"].items())),
            f"Lambda ms assumed: {ASSUMED_MS}",
        ),
        (
            "$ per 1M tasks",
            f"aloma {costs['aloma']:.0f}",
            f"Step Functions Standard {costs['standard']:.0f}",
            f"Express {costs['express']:.0f} ({costs['standard'] / costs['aloma']:.1f}x / "
            f"{costs['express'] / costs['aloma']:.2f}x aloma's)",
        ),
    ]
