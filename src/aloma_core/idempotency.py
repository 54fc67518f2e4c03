"""Idempotent ingress: a client or a webhook provider that sends the same delivery again gets the
task the first one created, never a second task.

The key is not kept in a table of its own: the task's id is derived from it (with the workspace
and the way in), so the store's "create only if no task has this id" (SQLite's primary key, a
DynamoDB conditional write) settles concurrent retries on one task in the very write that creates
it. A key is therefore remembered as long as its task is kept: at least 24 hours, as the contract
asks (for ever locally; on AWS until the task's expiry 30 days after it ends).
"""

import hashlib
import re
from collections.abc import Mapping

from .errors import InvalidInput
from .json_types import JsonObject
from .model import SigningScheme, Webhook

KEY_HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
MAX_KEY_CHARS = 255
_KEY = re.compile(rf"[\x20-\x7e]{{1,{MAX_KEY_CHARS}}}")
_GITHUB_DELIVERY = "x-github-delivery"


def checked_key(key: str, where: str = KEY_HEADER) -> str:
    """Printable ASCII only, as in an HTTP header; an empty or over-long key is refused, not hashed."""
    if not _KEY.fullmatch(key) or not key.strip():
        raise InvalidInput(f"{where}: 1 to {MAX_KEY_CHARS} printable ASCII characters")
    return key


def task_id_for(workspace_id: str, way_in: str, key: str) -> str:
    """Shaped like `records.new_id` (28 hex digits) so every store and route takes it as it is."""
    return hashlib.sha256(f"{workspace_id}\0{way_in}\0{key}".encode()).hexdigest()[:28]


def delivery_key(webhook: Webhook, headers: Mapping[str, str], body: JsonObject) -> str | None:
    """The id a provider gives each delivery and repeats when it retries: an `Idempotency-Key`
    header, GitHub's `X-GitHub-Delivery`, or, on a Stripe-signed webhook, the event's `id`.
    `headers` has lower-case names."""
    for header in (KEY_HEADER.lower(), _GITHUB_DELIVERY):
        if header in headers:
            return checked_key(headers[header], header)
    signing = webhook.signing
    event_id = body.get("id")
    if signing is not None and signing.scheme is SigningScheme.STRIPE and isinstance(event_id, str):
        return checked_key(event_id, "id")
    return None
