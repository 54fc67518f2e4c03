"""Tick Lambda: invoked every minute by an EventBridge rule, fires the task timers (park, timeout)
and the schedules that are due, then delivers due notifications. Overlapping ticks are harmless:
every firing and every notice taken for sending is a conditional write."""

from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from aloma_core.home.lambdas import home, logger, metrics, tracer


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, int]:
    fired = home().timekeeper.tick()
    notified = home().notifier.tick()
    metrics.add_metric(name="TimersFired", unit=MetricUnit.Count, value=fired)
    metrics.add_metric(name="NotificationsHandled", unit=MetricUnit.Count, value=notified)
    return {"fired": fired, "notified": notified}
