"""The step queue on SQS: the `WorkQueue` port.

Requests go out in batches of 10 (SendMessageBatch's maximum), one message each, the body being
`RunRequest.to_json()` as JSON. SQS may refuse some entries of a batch while taking the others;
those are sent again a few times before `send` gives up and raises, so the caller's retry (a
matcher re-sends the claims of a version) covers the rest. Duplicates are harmless downstream.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from aloma_core.model import RunRequest

if TYPE_CHECKING:
    from mypy_boto3_sqs.client import SQSClient
    from mypy_boto3_sqs.type_defs import SendMessageBatchRequestEntryTypeDef

BATCH_SIZE = 10
_ATTEMPTS = 4


class QueueSendFailed(RuntimeError):
    """Some requests could not be queued; `failures` maps each one's entry id to SQS's reason."""

    def __init__(self, failures: dict[str, str]) -> None:
        super().__init__(f"{len(failures)} run requests were not queued: {failures}")
        self.failures = failures


class SqsWorkQueue:
    def __init__(
        self, client: SQSClient, queue_url: str, *, sleep: Callable[[float], None] = time.sleep
    ) -> None:
        self._client = client
        self._queue_url = queue_url
        self._sleep = sleep

    def send(self, requests: Sequence[RunRequest]) -> None:
        """Every batch is tried before a failure is raised: the more get through, the less to redo."""
        failures: dict[str, str] = {}
        for start in range(0, len(requests), BATCH_SIZE):
            batch = requests[start : start + BATCH_SIZE]
            entries: list[SendMessageBatchRequestEntryTypeDef] = [
                {"Id": str(start + offset), "MessageBody": json.dumps(request.to_json())}
                for offset, request in enumerate(batch)
            ]
            failures |= self._send_batch(entries)
        if failures:
            raise QueueSendFailed(failures)

    def _send_batch(self, entries: list[SendMessageBatchRequestEntryTypeDef]) -> dict[str, str]:
        """Send, re-sending refused entries a few times; what SQS still refuses, by entry id."""
        failures: dict[str, str] = {}
        for attempt in range(_ATTEMPTS):
            if attempt:
                self._sleep(0.05 * 2**attempt)
            answer = self._client.send_message_batch(QueueUrl=self._queue_url, Entries=entries)
            failed = answer.get("Failed", [])
            failures = {entry["Id"]: f"{entry['Code']}: {entry.get('Message', '')}" for entry in failed}
            # A sender fault (a malformed entry) fails the same way again: stop retrying it.
            if not failed or any(entry["SenderFault"] for entry in failed):
                break
            retry = {entry["Id"] for entry in failed}
            entries = [entry for entry in entries if entry["Id"] in retry]
        return failures
