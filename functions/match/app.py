"""Matcher Lambda: each stored task version from the table's stream is matched and dispatched."""

from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord

from aloma_core.adapters.aws.dynamodb import task_from_item
from aloma_core.home.lambdas import home, logger, metrics, record_match_latency, tracer

processor = BatchProcessor(event_type=EventType.DynamoDBStreams, raise_on_entire_batch_failure=False)


@tracer.capture_method
def match(record: DynamoDBRecord) -> None:
    assert record.dynamodb is not None
    image = record.dynamodb.new_image
    logger.append_keys(workspace=image["workspace_id"], task_id=image["task_id"])
    # The stream carries the whole item: the matcher decides on it without reading the task again.
    stored = task_from_item(record.raw_event["dynamodb"]["NewImage"])
    task = home().matcher.handle(image["workspace_id"], image["task_id"], int(image["version"]), stored)
    if task is not None:
        record_match_latency(task.updated_at)


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event: dict[str, Any], context: Any) -> PartialItemFailureResponse:
    return process_partial_response(event=event, record_handler=match, processor=processor, context=context)
