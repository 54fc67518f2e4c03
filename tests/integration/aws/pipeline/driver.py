"""The Lambda service, emulated in-process: the event source mappings that moto does not run.

Stream -> matcher: every shard is read from TRIM_HORIZON with remembered iterators; records pass
the declared FilterCriteria and go to the matcher in ordered batches. A partial batch failure
checkpoints at the lowest failed sequence number and that record and all after it are delivered
again; a record failing more than MaximumRetryAttempts times is discarded (the on-failure
destination), and the shard moves on.

Queue -> runner: messages are received with all attributes (so ApproximateReceiveCount is SQS's
own), the runner's successes are deleted and its failures released. A released message would
come back once its visibility timeout expired: the virtual clock jumps by that timeout and the
message is made visible at once, and SQS's redrive policy moves it to the DLQ after
maxReceiveCount receives.

EventBridge -> tick: `tick` invokes the tick function as the template's one-minute schedule does;
`later` moves the virtual clock on and ticks until nothing more is due.

DLQ -> runner (when the template has the runner consume the DLQ): once the stream and the step
queue are quiet, the DLQ's messages go to the runner the same way, with the DLQ's ARN as their
eventSourceARN and the DLQ's own batch size and visibility timeout.

An invocation that Lambda ends (a test raises `InvocationKilled`) fails its whole batch.

Not emulated: bisecting a failing batch, batching windows, record age limits, parallelisation
within a shard, concurrent scaling unless a test asks for it (`run_concurrently`), time limits.
"""

import threading
from collections import Counter
from collections.abc import Sequence
from typing import Any

from containers import (
    API,
    LAMBDA_SERVICE,
    MATCHER,
    RUNNER,
    TICK,
    Container,
    InvocationKilled,
    RequestLog,
    start_container,
)
from event_filter import passes
from lambda_events import scheduled_event, sqs_event, stream_event
from resources import REGION, Resources
from store_support import run_threads

from virtual_clock import VirtualClock

MAX_ROUNDS = 2_000


class PipelineDriver:
    def __init__(self, resources: Resources) -> None:
        self.resources = resources
        self.requests = RequestLog()
        self.clock = VirtualClock()
        self.invocations: Counter[str] = Counter()
        self.records: Counter[str] = Counter()
        """Stream records or messages handed to each function (an API request counts one)."""
        self.discarded: list[dict[str, Any]] = []
        self.streamed: list[dict[str, Any]] = []
        """Every stream record the filter passed, in the order read (what `replay_stream` repeats)."""
        self.dead_lettered: list[dict[str, Any]] = []
        """Messages the DLQ's event source handed to the runner, as received."""
        session = self.requests.session(LAMBDA_SERVICE)
        self._streams = session.client("dynamodbstreams", region_name=REGION)
        self._sqs = session.client("sqs", region_name=REGION)
        self._containers: dict[str, list[Container]] = {API: [], MATCHER: [], RUNNER: [], TICK: []}
        self._iterators: dict[str, str | None] = {}
        self._pending: dict[str, list[dict[str, Any]]] = {}
        self._retries: Counter[str] = Counter()
        self._lock = threading.Lock()

    # Lambda functions

    def container(self, function: str, index: int = 0) -> Container:
        """The `index`-th warm environment of a function, started on first use."""
        with self._lock:
            warm = self._containers[function]
            while len(warm) <= index:
                warm.append(start_container(function, self.clock, self.requests))
            return warm[index]

    def invoke(self, function: str, event: dict[str, Any], index: int = 0) -> dict[str, Any]:
        with self._lock:
            self.invocations[function] += 1
            self.records[function] += len(event.get("Records", [event]))
        return self.container(function, index).invoke(event)

    # DynamoDB stream -> matcher

    def poll_stream(self) -> None:
        """Read what every shard gained since the last poll; keep the records the filter passes."""
        arn = self.resources.stream_arn
        shards = self._streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"]
        for shard in shards:
            shard_id = shard["ShardId"]
            if shard_id not in self._iterators:
                self._iterators[shard_id] = self._streams.get_shard_iterator(
                    StreamArn=arn, ShardId=shard_id, ShardIteratorType="TRIM_HORIZON"
                )["ShardIterator"]
            iterator = self._iterators[shard_id]
            if iterator is None:
                continue
            answer = self._streams.get_records(ShardIterator=iterator)
            self._iterators[shard_id] = answer.get("NextShardIterator")
            criteria = self.resources.declared.stream_filter
            fresh = [
                record
                for record in stream_event(answer["Records"], arn)["Records"]
                if passes(criteria, record)
            ]
            self._pending.setdefault(shard_id, []).extend(fresh)
            self.streamed.extend(fresh)

    def pump_stream(self) -> bool:
        """One matcher batch per shard with records waiting; whether any was delivered."""
        self.poll_stream()
        delivered = False
        for shard_id, pending in self._pending.items():
            if pending:
                self._deliver_stream_batch(shard_id, pending[: self.resources.declared.stream_batch_size])
                delivered = True
        return delivered

    def replay_stream(self) -> None:
        """Hand every record read so far to the matcher once more, in batches of the declared size,
        as Lambda does when it retries batches: each must be harmless the second time."""
        self.run_until_quiet()
        size = self.resources.declared.stream_batch_size
        records = list(self.streamed)
        for start in range(0, len(records), size):
            assert not self._failures(MATCHER, records[start : start + size], [])
        self.run_until_quiet()

    def _failures(
        self, function: str, batch: Sequence[dict[str, Any]], ids: list[str], index: int = 0
    ) -> set[str]:
        """The ids to retry: those the function reported failed, or all when the invocation died."""
        try:
            answer = self.invoke(function, {"Records": batch}, index)
        except InvocationKilled:
            return set(ids)
        return {item["itemIdentifier"] for item in answer.get("batchItemFailures", [])}

    def _deliver_stream_batch(self, shard_id: str, batch: list[dict[str, Any]]) -> None:
        numbers = [record["dynamodb"]["SequenceNumber"] for record in batch]
        failed = self._failures(MATCHER, batch, numbers)
        checkpoint = next((i for i, number in enumerate(numbers) if number in failed), len(batch))
        if checkpoint < len(batch):
            self._retries[numbers[checkpoint]] += 1
            limit = self.resources.declared.stream_max_retries
            if 0 <= limit < self._retries[numbers[checkpoint]]:
                self.discarded.append(batch[checkpoint])
                checkpoint += 1
        self._pending[shard_id] = self._pending[shard_id][checkpoint:]

    # SQS step queue -> runner

    def receive(self, max_messages: int | None = None, *, dead_letters: bool = False) -> list[dict[str, Any]]:
        """A batch of the step queue's visible messages (of the DLQ's with `dead_letters`)."""
        url, _, _ = self._queue(dead_letters)
        declared = self.resources.declared
        batch_size = declared.dlq_batch_size if dead_letters else declared.queue_batch_size
        answer = self._sqs.receive_message(
            QueueUrl=url,
            MaxNumberOfMessages=max_messages or batch_size or 10,
            AttributeNames=["All"],
            WaitTimeSeconds=0,
        )
        messages: list[dict[str, Any]] = answer.get("Messages", [])
        return messages

    def _queue(self, dead_letters: bool) -> tuple[str, str, int]:
        """URL, ARN and visibility timeout of the step queue, or of its DLQ."""
        res = self.resources
        if dead_letters:
            return res.dlq_url, res.dlq_arn, res.declared.dlq_visibility_timeout_s
        return res.queue_url, res.queue_arn, res.declared.visibility_timeout_s

    def run_messages(
        self, messages: Sequence[dict[str, Any]], index: int = 0, *, dead_letters: bool = False
    ) -> list[str]:
        """One runner invocation on these messages (of the DLQ with `dead_letters`), then what Lambda
        does with its answer; returns the ids of the messages the runner reported failed."""
        url, arn, _ = self._queue(dead_letters)
        event = sqs_event(messages, arn, REGION)
        failed = self._failures(RUNNER, event["Records"], [m["MessageId"] for m in messages], index)
        done = [m for m in messages if m["MessageId"] not in failed]
        if done:
            self._sqs.delete_message_batch(
                QueueUrl=url,
                Entries=[{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(done)],
            )
        retry = [m for m in messages if m["MessageId"] in failed]
        if retry:
            self.release(retry, dead_letters=dead_letters)
        return [m["MessageId"] for m in retry]

    def release(self, messages: Sequence[dict[str, Any]], *, dead_letters: bool = False) -> None:
        """Let the visibility timeout of these received messages pass: they can be received again."""
        url, _, timeout_s = self._queue(dead_letters)
        self.clock.advance(timeout_s)
        self._sqs.change_message_visibility_batch(
            QueueUrl=url,
            Entries=[
                {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"], "VisibilityTimeout": 0}
                for i, m in enumerate(messages)
            ],
        )

    def pump_queue(self) -> bool:
        """One runner invocation if a message is visible; whether there was one."""
        messages = self.receive()
        if messages:
            self.run_messages(messages)
        return bool(messages)

    def run_concurrently(self, batches: Sequence[Sequence[dict[str, Any]]]) -> None:
        """Each batch in its own runner environment, all invoked at the same moment."""
        run_threads(len(batches), lambda i: self.run_messages(batches[i], index=i))

    # Step DLQ -> runner

    def pump_dead_letters(self) -> bool:
        """One runner invocation if a message is visible in the DLQ and the runner consumes it."""
        if self.resources.declared.dlq_batch_size is None:
            return False
        messages = self.receive(dead_letters=True)
        if messages:
            self.dead_lettered.extend(messages)
            self.run_messages(messages, dead_letters=True)
        return bool(messages)

    # EventBridge rule -> tick

    def tick(self) -> int:
        """What the template's one-minute schedule does: one tick invocation; how many timers,
        schedules and notifications it handled."""
        answer = self.invoke(TICK, scheduled_event(self.clock.now_ms()))
        return int(answer["fired"]) + int(answer["notified"])

    def later(self, seconds: float) -> None:
        """Let `seconds` pass, then tick and run the pipeline until the tick finds nothing due."""
        self.clock.advance(seconds)
        for _ in range(MAX_ROUNDS):
            self.run_until_quiet()
            if not self.tick():
                return
        raise AssertionError(f"timers were still firing after {MAX_ROUNDS} ticks")

    # The whole pipeline

    def run_until_quiet(self) -> None:
        """Matcher batches first, then one runner batch, then the DLQ's, until all are empty."""
        for _ in range(MAX_ROUNDS):
            if not (self.pump_stream() or self.pump_queue() or self.pump_dead_letters()):
                return
        raise AssertionError(f"the pipeline was still busy after {MAX_ROUNDS} rounds")

    def dlq_messages(self) -> list[dict[str, Any]]:
        """What the DLQ holds, looked at without hiding it from its consumer."""
        answer = self._sqs.receive_message(
            QueueUrl=self.resources.dlq_url,
            MaxNumberOfMessages=10,
            AttributeNames=["All"],
            VisibilityTimeout=0,
            WaitTimeSeconds=0,
        )
        messages: list[dict[str, Any]] = answer.get("Messages", [])
        return messages
