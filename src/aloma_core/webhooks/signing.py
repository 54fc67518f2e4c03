"""Signature checks over the raw body of a delivery, HMAC-SHA256 with the workspace's signing key.

- `github`: `X-Hub-Signature-256: sha256=<hex>` over the body;
- `stripe`: `Stripe-Signature: t=<unix seconds>,v1=<hex>[,v1=...]` over `"{t}.{body}"`, `t` within
  five minutes of now (a replayed old delivery fails);
- `hmac-sha256`: `<header>: <hex>` or `sha256=<hex>` over the body.

Digests are compared in constant time. The reason for a refusal names what is wrong, never the
expected value.
"""

import hashlib
import hmac
import re
from collections.abc import Mapping

from ..errors import BadSignature
from ..model import SigningScheme, WebhookSigning

STRIPE_TOLERANCE_S = 300

_HEX_DIGEST = re.compile(r"[0-9a-fA-F]{64}")


def verify(
    signing: WebhookSigning, key: str | None, headers: Mapping[str, str], body: bytes, now_ms: int
) -> None:
    """Raise `BadSignature` unless the delivery is signed with `key`; `headers` has lower-case names."""
    if not key:
        raise BadSignature(f"cannot verify: the workspace secret {signing.secret} is not set")
    value = headers.get(signing.header.lower())
    if value is None:
        raise BadSignature(f"missing signature: no {signing.header} header")
    if signing.scheme is SigningScheme.STRIPE:
        _verify_stripe(key, value.strip(), body, now_ms // 1000)
        return
    given = value.strip()
    if given.startswith("sha256="):
        given = given.removeprefix("sha256=")
    elif signing.scheme is SigningScheme.GITHUB:
        raise BadSignature(f"malformed signature: {signing.header} must be sha256=<hex>")
    if not _matches(key, body, given):
        raise BadSignature("the signature does not match the body")


def _verify_stripe(key: str, value: str, body: bytes, now_s: int) -> None:
    fields = [part.split("=", 1) for part in value.split(",") if "=" in part]
    stamps = [text for name, text in fields if name.strip() == "t"]
    signatures = [text.strip() for name, text in fields if name.strip() == "v1"]
    if len(stamps) != 1 or not stamps[0].strip().isdecimal() or not signatures:
        raise BadSignature("malformed signature: Stripe-Signature must hold t=<seconds> and v1=<hex>")
    stamp = stamps[0].strip()
    if abs(now_s - int(stamp)) > STRIPE_TOLERANCE_S:
        raise BadSignature(f"the signature's timestamp is more than {STRIPE_TOLERANCE_S} s from now")
    payload = stamp.encode() + b"." + body
    # Every candidate is checked, so the time taken does not tell which one came close.
    results = [_matches(key, payload, signature) for signature in signatures]
    if not any(results):
        raise BadSignature("the signature does not match the body")


def _matches(key: str, payload: bytes, given: str) -> bool:
    if not _HEX_DIGEST.fullmatch(given):
        return False
    expected = hmac.new(key.encode(), payload, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, given.lower())
