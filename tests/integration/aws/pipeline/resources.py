"""The deployed resources, created on moto from template.yaml's own properties: the table and its
stream, the step queue and its DLQ, and what the event source mappings are configured with.

Everything is found through the wiring of the template, starting from the handlers: the matcher's
DynamoDB event names the table; of the runner's SQS events, the one on a queue with a redrive
policy is the step queue's, that policy names the DLQ, and an event on the DLQ is its consumer's.
"""

import json
from dataclasses import dataclass
from typing import Any

import boto3

from cfn_yaml import properties, resolve

REGION = "us-east-1"
MATCHER_HANDLER = "functions/match/app.handler"
RUNNER_HANDLER = "functions/run_step/app.handler"


@dataclass(frozen=True)
class Declared:
    """What the template declares and the emulated event source mappings act on."""

    table: dict[str, Any]
    ttl_attribute: str
    queue_attributes: dict[str, str]
    dlq_attributes: dict[str, str]
    max_receive_count: int
    stream_filter: dict[str, Any] | None
    stream_batch_size: int
    stream_max_retries: int
    """-1: retried until the record expires, as Lambda does."""
    queue_batch_size: int
    dlq_batch_size: int | None
    """None: no function consumes the DLQ."""

    @property
    def visibility_timeout_s(self) -> int:
        return int(self.queue_attributes["VisibilityTimeout"])

    @property
    def dlq_visibility_timeout_s(self) -> int:
        return int(self.dlq_attributes.get("VisibilityTimeout", 30))


@dataclass(frozen=True)
class Resources:
    declared: Declared
    table: str
    stream_arn: str
    queue_url: str
    queue_arn: str
    dlq_url: str
    dlq_arn: str


def declared(template: dict[str, Any]) -> Declared:
    """The template's values, parameters at their defaults."""
    (stream,) = _events(template, MATCHER_HANDLER, "DynamoDB")
    runner = {_get_att(event["Queue"]): event for event in _events(template, RUNNER_HANDLER, "SQS")}
    (queue_id,) = (name for name in runner if "RedrivePolicy" in properties(template, name))
    table_id = _get_att(stream["Stream"])
    table = properties(template, table_id)
    queue = resolve(template, properties(template, queue_id))
    redrive = queue["RedrivePolicy"]
    dlq_id = _get_att(redrive["deadLetterTargetArn"])
    dead_letters = runner.get(dlq_id)
    return Declared(
        table={
            "AttributeDefinitions": table["AttributeDefinitions"],
            "KeySchema": table["KeySchema"],
            "GlobalSecondaryIndexes": table["GlobalSecondaryIndexes"],
            "BillingMode": table["BillingMode"],
            "StreamSpecification": {"StreamEnabled": True, **table["StreamSpecification"]},
        },
        ttl_attribute=table["TimeToLiveSpecification"]["AttributeName"],
        queue_attributes=_queue_attributes(queue),
        dlq_attributes=_queue_attributes(resolve(template, properties(template, dlq_id))),
        max_receive_count=int(redrive["maxReceiveCount"]),
        stream_filter=stream.get("FilterCriteria"),
        stream_batch_size=int(stream.get("BatchSize", 100)),
        stream_max_retries=int(stream.get("MaximumRetryAttempts", -1)),
        queue_batch_size=int(runner[queue_id].get("BatchSize", 10)),
        dlq_batch_size=None if dead_letters is None else int(dead_letters.get("BatchSize", 10)),
    )


def _events(template: dict[str, Any], handler: str, kind: str) -> list[dict[str, Any]]:
    """The properties of the `kind` events of the function whose handler is `handler`."""
    for body in template["Resources"].values():
        if body["Type"] == "AWS::Serverless::Function" and body["Properties"].get("Handler") == handler:
            return [e["Properties"] for e in body["Properties"]["Events"].values() if e["Type"] == kind]
    raise LookupError(f"no function with the handler {handler}")


def _get_att(value: dict[str, Any]) -> str:
    logical_id: str = value["Fn::GetAtt"][0]
    return logical_id


def _queue_attributes(queue: dict[str, Any]) -> dict[str, str]:
    """CloudFormation's queue properties are SQS attribute names; SQS wants every value as text."""
    return {
        name: str(value).lower() if isinstance(value, bool) else str(value)
        for name, value in queue.items()
        if name not in ("Tags", "RedrivePolicy", "QueueName")
    }


def create(spec: Declared, prefix: str = "aloma") -> Resources:
    dynamodb = boto3.client("dynamodb", region_name=REGION)
    description = dynamodb.create_table(TableName=f"{prefix}-table", **spec.table)["TableDescription"]
    dynamodb.update_time_to_live(
        TableName=description["TableName"],
        TimeToLiveSpecification={"Enabled": True, "AttributeName": spec.ttl_attribute},
    )
    sqs = boto3.client("sqs", region_name=REGION)
    dlq_url = sqs.create_queue(QueueName=f"{prefix}-steps-dlq", Attributes=spec.dlq_attributes)["QueueUrl"]
    dlq_arn = _queue_arn(sqs, dlq_url)
    redrive = {"deadLetterTargetArn": dlq_arn, "maxReceiveCount": spec.max_receive_count}
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
        dlq_arn=dlq_arn,
    )


def _queue_arn(sqs: Any, url: str) -> str:
    arn: str = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    return arn
