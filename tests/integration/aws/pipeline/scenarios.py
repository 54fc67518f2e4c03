"""What the pipeline scenarios share: step files, the onboarding example, history probes, the
metrics an alarm sees, and executors that make runs overlap, wait or die on purpose."""

import json
import threading
from pathlib import Path
from typing import Any

from api_client import Workspace
from containers import RUNNER, InvocationKilled
from driver import PipelineDriver

from aloma_core.home.aws import InProcessExecutor
from aloma_core.home.devsetup import load_setup
from aloma_core.sandbox.types import ConnectorHost, RunInput, RunResult
from cfn_yaml import resources_of_type

EXAMPLE = Path(__file__).parents[4] / "examples" / "onboarding"
SQS_MAX_BATCH = 10
"""The most messages one ReceiveMessage call returns."""


def use_example(ws: Workspace, services_url: str) -> None:
    """The onboarding example as `aloma dev` sets it up: the secrets, egress_allow and connectors of
    its aloma.dev.json (pointing at the stand-in services), then its steps, all through the API."""
    setup = load_setup(EXAMPLE, services_url)
    for name, value in setup.secrets.items():
        ws.api.ok("PUT", f"/v1/secrets/{name}", {"value": value}, status=204)
    ws.api.ok("PATCH", "/v1/workspace", {"settings": {"egress_allow": setup.egress_allow}})
    for namespace, connector in setup.connectors.items():
        ws.api.ok("PUT", f"/v1/connectors/{namespace}", connector.model_dump(mode="json"))
    for path in sorted(EXAMPLE.glob("*.js")):
        ws.put_step(path.stem, path.read_text())


def alarmed_metric(template: dict[str, Any], output: str, metric: str) -> float:
    """The sum of `metric` in the Embedded Metric Format lines Powertools printed to `output`, as
    the template's alarm on that metric sees it: the same namespace and dimension values."""
    (alarm,) = [
        body["Properties"]
        for body in resources_of_type(template, "AWS::CloudWatch::Alarm").values()
        if body["Properties"].get("MetricName") == metric
    ]
    dimensions = {item["Name"]: item["Value"] for item in alarm["Dimensions"]}
    total = 0.0
    for line in output.splitlines():
        try:
            blob = json.loads(line)
        except ValueError:
            continue
        if not isinstance(blob, dict) or "_aws" not in blob:
            continue
        for directive in blob["_aws"]["CloudWatchMetrics"]:
            if directive["Namespace"] != alarm["Namespace"]:
                continue
            if metric not in {m["Name"] for m in directive["Metrics"]}:
                continue
            if any({name: blob.get(name) for name in keys} == dimensions for keys in directive["Dimensions"]):
                value = blob[metric]
                total += sum(value) if isinstance(value, list) else value
    return total


class OverlappingRuns:
    """The production executor, except that each run, once its content has run, waits until every
    other run has too: all of them read the same data and commit at the same moment."""

    def __init__(self, runs: int) -> None:
        self._barrier = threading.Barrier(runs, timeout=10)
        # One sandbox at a time: a run's CPU limit reads the process CPU clock.
        self._sandbox = threading.Lock()
        self._executor = InProcessExecutor()

    def execute(self, run: RunInput, host: ConnectorHost) -> RunResult:
        with self._sandbox:
            result = self._executor.execute(run, host)
        self._barrier.wait()
        return result


def run_dispatched_together(driver: PipelineDriver, runs: int) -> None:
    """Match until `runs` messages are queued, then run them at once in separate runner environments."""
    while driver.pump_stream():
        pass
    messages: list[dict[str, Any]] = []
    for _ in range(runs):
        batch = driver.receive(max_messages=min(runs - len(messages), SQS_MAX_BATCH))
        messages.extend(batch)
        if not batch or len(messages) == runs:
            break
    assert len(messages) == runs, messages
    overlap = OverlappingRuns(runs)
    for index in range(runs):
        driver.container(RUNNER, index).home.runner.executor = overlap
    driver.run_concurrently([[message] for message in messages])


class HeldRun:
    """The production executor, except that a run waits at the sandbox's door until released."""

    def __init__(self) -> None:
        self.entered = threading.Event()
        self.release = threading.Event()
        self._executor = InProcessExecutor()

    def execute(self, run: RunInput, host: ConnectorHost) -> RunResult:
        self.entered.set()
        assert self.release.wait(10), "the held run was never released"
        return self._executor.execute(run, host)


class KilledRun:
    """A runner environment that Lambda ends mid-run (its timeout, or out of memory): the first
    `times` runs, or every run when None; later runs go through the production executor."""

    def __init__(self, times: int | None = None) -> None:
        self.runs = 0
        self._times = times
        self._executor = InProcessExecutor()

    def execute(self, run: RunInput, host: ConnectorHost) -> RunResult:
        self.runs += 1
        if self._times is None or self.runs <= self._times:
            raise InvocationKilled(f"Task timed out while running {run.step_name!r}")
        return self._executor.execute(run, host)
