"""A delivery's body becomes the task data, with `$via` saying where it came from.

`$via` is the platform's: a body that carries one has it replaced, so a sender cannot pose as
another way in. Kept headers are keyed by the spelling the webhook was created with.
"""

import json
from collections.abc import Mapping

from ..errors import InvalidInput
from ..json_types import JsonObject, JsonValue
from ..model import Webhook
from ..timestamps import iso_timestamp


def parse_body(body: bytes) -> JsonObject:
    """The body as a JSON object; anything else is `InvalidInput` saying what it is instead."""
    try:
        value: JsonValue = json.loads(body, parse_constant=_refuse_constant)
    except (ValueError, UnicodeDecodeError) as exc:
        raise InvalidInput(f"body: not JSON: {exc}") from None
    if not isinstance(value, dict):
        kind = "null" if value is None else type(value).__name__
        raise InvalidInput(f"body: a JSON object becomes the task's data, not {kind}")
    return value


def task_data(body: JsonObject, webhook: Webhook, headers: Mapping[str, str], received_ms: int) -> JsonObject:
    """`headers` has lower-case names."""
    via: JsonObject = {
        "type": "webhook",
        "name": webhook.name,
        "id": webhook.id,
        "received": iso_timestamp(received_ms),
    }
    if webhook.keep_headers:
        via["headers"] = {
            name: headers[name.lower()] for name in webhook.keep_headers if name.lower() in headers
        }
    return {**body, "$via": via}


def _refuse_constant(name: str) -> JsonValue:
    raise ValueError(f"{name} is not a JSON number")
