"""The deployed resources, created on moto: the table with its stream, the step queue and its DLQ.

`declared()` is the one place that says what the deployment looks like; `create()` builds it.
"""

import json
from dataclasses import dataclass
from typing import Any

import boto3

from aloma_core.adapters.aws.table import TTL_ATTRIBUTE, table_definition

REGION = "us-east-1"


@dataclass(frozen=True)
class Declared:
    """What the template declares and the emulated event source mappings act on."""

    table: dict[str, Any]
    queue_attributes: dict[str, str]
    max_receive_count: int
    stream_filter: dict[str, Any] | None
    stream_batch_size: int
    stream_max_retries: int
    queue_batch_size: int


@dataclass(frozen=True)
class Resources:
    declared: Declared
    table: str
    stream_arn: str
    queue_url: str
    queue_arn: str
    dlq_url: str


def declared() -> Declared:
    """Until template.yaml exists: the table of `table_definition`, the rest as the design says
    (runner batches of 1, maxReceiveCount = ALOMA_MAX_RECEIVES, only task items reach the matcher)."""
    table = {key: value for key, value in table_definition("unused").items() if key != "TableName"}
    return Declared(
        table=table,
        queue_attributes={"VisibilityTimeout": "540"},
        max_receive_count=3,
        stream_filter={
            "Filters": [{"Pattern": json.dumps({"dynamodb": {"NewImage": {"kind": {"S": ["task"]}}}})}]
        },
        stream_batch_size=100,
        stream_max_retries=10,
        queue_batch_size=1,
    )


def create(spec: Declared, prefix: str = "aloma") -> Resources:
    dynamodb = boto3.client("dynamodb", region_name=REGION)
    description = dynamodb.create_table(TableName=f"{prefix}-table", **spec.table)["TableDescription"]
    dynamodb.update_time_to_live(
        TableName=description["TableName"],
        TimeToLiveSpecification={"Enabled": True, "AttributeName": TTL_ATTRIBUTE},
    )
    sqs = boto3.client("sqs", region_name=REGION)
    dlq_url = sqs.create_queue(QueueName=f"{prefix}-steps-dlq")["QueueUrl"]
    redrive = {"deadLetterTargetArn": _queue_arn(sqs, dlq_url), "maxReceiveCount": spec.max_receive_count}
    queue_url = sqs.create_queue(
        QueueName=f"{prefix}-steps",
        Attributes={**spec.queue_attributes, "RedrivePolicy": json.dumps(redrive)},
    )["QueueUrl"]
    return Resources(
        declared=spec,
        table=description["TableName"],
        stream_arn=description["LatestStreamArn"],
        queue_url=queue_url,
        queue_arn=_queue_arn(sqs, queue_url),
        dlq_url=dlq_url,
    )


def _queue_arn(sqs: Any, url: str) -> str:
    arn: str = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    return arn
