"""Lambda events as AWS delivers them: the samples in tests/events/, and factories for variants.

The samples fix the envelope (version, request context, event source fields); the factories fill
in what a scenario or the emulated event source mapping decides.
"""

import base64
import copy
import json
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import quote

EVENTS = Path(__file__).parents[3] / "events"


@cache
def _sample(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((EVENTS / f"{name}.json").read_text())
    return loaded


def load_event(name: str) -> dict[str, Any]:
    """A fresh copy of the sample `tests/events/{name}.json`."""
    return copy.deepcopy(_sample(name))


def http_api_event(
    method: str,
    path: str,
    *,
    body: object = None,
    headers: Mapping[str, str] | None = None,
    query: str = "",
) -> dict[str, Any]:
    """An API Gateway HTTP API (payload 2.0) request; `body` is sent as JSON unless it is None.
    `path` is as the route sees it; `rawPath` carries it percent-encoded, as sent on the wire."""
    event = load_event("http_api_request")
    event["rawPath"] = quote(path)
    event["rawQueryString"] = query
    event["requestContext"]["http"].update(method=method, path=path)
    event["headers"].update({name.lower(): value for name, value in (headers or {}).items()})
    if body is not None:
        event["body"] = json.dumps(body)
        event["headers"]["content-type"] = "application/json"
    return event


GITHUB_KEY = "github-signing-key-kept-secret"
"""The signing key of the sample `http_api_github_push.json`: its X-Hub-Signature-256 is the
HMAC-SHA256 of its body with this key."""


def github_delivery(
    key: str,
    *,
    base64_body: bool = False,
    body: bytes | None = None,
    signature: str | None = None,
    delivery_id: str | None = None,
) -> dict[str, Any]:
    """The sample GitHub push delivery, sent to the webhook whose key is `key`. `base64_body`: the
    body base64-encoded, as API Gateway passes a body it takes for binary; `body` and `signature`
    replace the sample's (its signature then no longer matches unless given anew); `delivery_id`
    replaces its `X-GitHub-Delivery` (GitHub repeats it when it retries a delivery)."""
    event = load_event("http_api_github_push")
    path = f"/v1/hooks/{key}"
    event["rawPath"] = path
    event["requestContext"]["http"]["path"] = path
    raw = event["body"].encode() if body is None else body
    event["body"] = base64.b64encode(raw).decode() if base64_body else raw.decode()
    event["isBase64Encoded"] = base64_body
    event["headers"]["content-length"] = str(len(raw))
    if signature is not None:
        event["headers"]["x-hub-signature-256"] = signature
    if delivery_id is not None:
        event["headers"]["x-github-delivery"] = delivery_id
    return event


def stream_event(records: Sequence[Mapping[str, Any]], stream_arn: str) -> dict[str, Any]:
    """A DynamoDB stream batch from GetRecords records, which lack what Lambda adds: the source
    ARN, and creation times as epoch seconds rather than the datetimes boto3 parses them into."""
    envelope = load_event("dynamodb_stream")["Records"][0]
    batch = []
    for record in records:
        image = dict(record["dynamodb"])
        created = image.get("ApproximateCreationDateTime")
        if isinstance(created, datetime):
            image["ApproximateCreationDateTime"] = int(created.timestamp())
        batch.append({**envelope, **record, "dynamodb": image, "eventSourceARN": stream_arn})
    return {"Records": batch}


def sqs_event(messages: Sequence[Mapping[str, Any]], queue_arn: str, region: str) -> dict[str, Any]:
    """An SQS batch from ReceiveMessage messages (received with `AttributeNames=["All"]`)."""
    envelope = load_event("sqs_receive")["Records"][0]
    batch = [
        {
            **envelope,
            "messageId": message["MessageId"],
            "receiptHandle": message["ReceiptHandle"],
            "body": message["Body"],
            "attributes": dict(message["Attributes"]),
            "md5OfBody": message["MD5OfBody"],
            "eventSourceARN": queue_arn,
            "awsRegion": region,
        }
        for message in messages
    ]
    return {"Records": batch}


def scheduled_event(now_ms: int) -> dict[str, Any]:
    """What an EventBridge schedule rule sends its target, at `now_ms`."""
    event = load_event("eventbridge_scheduled")
    event["time"] = datetime.fromtimestamp(now_ms / 1000, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return event
