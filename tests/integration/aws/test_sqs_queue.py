"""The SQS work queue on moto: batching, message bodies, and retries of refused entries."""

import json
from collections.abc import Callable
from typing import Any

import pytest
from aws_support import count_requests
from mypy_boto3_sqs.client import SQSClient

from aloma_core.adapters.aws.sqs import QueueSendFailed, SqsWorkQueue
from aloma_core.model import RunRequest


@pytest.fixture
def queue_url(sqs: SQSClient) -> str:
    return sqs.create_queue(QueueName="aloma-steps")["QueueUrl"]


def requests(count: int) -> list[RunRequest]:
    return [RunRequest("ws_a", f"t_{i}", f"step-{i}", f"c_{i}") for i in range(count)]


def received(sqs: SQSClient, queue_url: str) -> list[RunRequest]:
    found: list[RunRequest] = []
    while True:
        messages = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10).get("Messages", [])
        if not messages:
            return found
        for message in messages:
            found.append(RunRequest.from_json(json.loads(message["Body"])))
            sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])


def test_25_requests_go_out_in_3_batches_as_25_messages(sqs: SQSClient, queue_url: str) -> None:
    calls = count_requests(sqs)

    SqsWorkQueue(sqs, queue_url).send(requests(25))

    assert dict(calls) == {"SendMessageBatch": 3}
    assert sorted(received(sqs, queue_url), key=lambda r: int(r.task_id[2:])) == requests(25)


def test_nothing_to_send_sends_nothing(sqs: SQSClient, queue_url: str) -> None:
    calls = count_requests(sqs)

    SqsWorkQueue(sqs, queue_url).send([])

    assert dict(calls) == {}


def refuse_entries(sqs: SQSClient, times: int, *, sender_fault: bool = False) -> list[int]:
    """Make SQS report the first two entries of the next `times` calls as failed (though moto took
    them: a retry then duplicates them, which runners must tolerate anyway)."""
    seen: list[int] = []

    def after_call(parsed: dict[str, Any], **_: Any) -> None:
        seen.append(len(parsed.get("Successful", [])))
        if len(seen) > times:
            return
        refused, parsed["Successful"] = parsed["Successful"][:2], parsed["Successful"][2:]
        parsed["Failed"] = [
            {"Id": entry["Id"], "SenderFault": sender_fault, "Code": "InternalError", "Message": "try again"}
            for entry in refused
        ]

    handler: Callable[..., None] = after_call
    sqs.meta.events.register("after-call.sqs.SendMessageBatch", handler)
    return seen


def test_refused_entries_are_sent_again(sqs: SQSClient, queue_url: str) -> None:
    batches = refuse_entries(sqs, times=2)
    naps: list[float] = []

    SqsWorkQueue(sqs, queue_url, sleep=naps.append).send(requests(5))

    assert batches == [5, 2, 2]
    assert len(naps) == 2
    assert {r.task_id for r in received(sqs, queue_url)} == {f"t_{i}" for i in range(5)}


def test_entries_refused_on_every_attempt_raise_after_every_batch_was_tried(
    sqs: SQSClient, queue_url: str
) -> None:
    refuse_entries(sqs, times=100)

    with pytest.raises(QueueSendFailed) as refused:
        SqsWorkQueue(sqs, queue_url, sleep=lambda _: None).send(requests(12))

    assert set(refused.value.failures) == {"0", "1", "10", "11"}


def test_a_sender_fault_is_not_retried(sqs: SQSClient, queue_url: str) -> None:
    batches = refuse_entries(sqs, times=100, sender_fault=True)

    with pytest.raises(QueueSendFailed, match="InternalError"):
        SqsWorkQueue(sqs, queue_url, sleep=lambda _: None).send(requests(3))

    assert batches == [3]
