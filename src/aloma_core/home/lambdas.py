"""What the three Lambda handlers share: Powertools' logger, tracer and metrics, and the home.

The core logs through the standard `aloma.*` loggers; they get Powertools' JSON formatter here, so
every line of a run carries `workspace`, `task_id`, `step` and `claim` like the handler's own.

Other libraries log through the root logger, which Lambda sends to CloudWatch at the level its log
controls set. The request lines of the HTTP client and of Mangum are kept out at any level: they
carry whole URLs, and a URL may be a credential (a Slack incoming webhook a connector posts to, a
webhook's key in `/v1/hooks/{key}`).
"""

import logging
import time
from functools import cache

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.logging.utils import copy_config_to_registered_loggers
from aws_lambda_powertools.metrics import MetricUnit

from ..model import RunRequest
from ..sandbox.types import RunResult
from ..settings import Settings
from .aws import AwsHome

logger = Logger(service="aloma")
tracer = Tracer(service="aloma")
metrics = Metrics(namespace="aloma", service="aloma")
copy_config_to_registered_loggers(source_logger=logger, include={"aloma"})
for _url_logger in ("httpx", "httpcore", "mangum.http"):
    logging.getLogger(_url_logger).setLevel(logging.WARNING)


@cache
def home() -> AwsHome:
    """Built on the first invocation and kept while the Lambda stays warm."""
    return AwsHome(Settings())


def tag_request(request: RunRequest) -> None:
    logger.append_keys(
        workspace=request.workspace_id, task_id=request.task_id, step=request.step, claim=request.claim_id
    )


def record_run(result: RunResult | None) -> None:
    if result is None:
        return
    metrics.add_metric(name="StepRuns", unit=MetricUnit.Count, value=1)
    metrics.add_metric(name="StepErrors", unit=MetricUnit.Count, value=1 if result.error else 0)
    metrics.add_metric(name="StepDuration", unit=MetricUnit.Milliseconds, value=result.wall_ms)


def record_lost(recorded: bool) -> None:
    """A run whose runner was stopped on its last delivery, just recorded on its task from the DLQ:
    counted as RunsLost, which the stack's alarm watches."""
    if recorded:
        metrics.add_metric(name="RunsLost", unit=MetricUnit.Count, value=1)


def record_match_latency(written_at_ms: int) -> None:
    """From the task write to the matcher's decision on it."""
    metrics.add_metric(
        name="MatchLatency", unit=MetricUnit.Milliseconds, value=time.time() * 1000 - written_at_ms
    )
