"""Runner Lambda: one SQS message = one claimed step run, committed exactly once. Messages from
the step DLQ record a run whose runner was stopped on its last delivery (AwsHome.dead_letter)."""

from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from aloma_core.home.lambdas import home, logger, metrics, record_lost, record_run, tag_request, tracer
from aloma_core.model import RunRequest

processor = BatchProcessor(event_type=EventType.SQS, raise_on_entire_batch_failure=False)


@tracer.capture_method
def run(record: SQSRecord, lambda_context: LambdaContext) -> None:
    request = RunRequest.from_json(record.json_body)
    tag_request(request)
    if record.event_source_arn == home().settings.dead_letter_queue_arn:
        record_lost(home().dead_letter(request))
        return
    receives = int(record.attributes.approximate_receive_count)
    record_run(home().deliver(request, receives, lambda_context.get_remaining_time_in_millis()))


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    return process_partial_response(event=event, record_handler=run, processor=processor, context=context)
