"""What a webhook may be created with: its name, the headers it keeps, its signing and its rate."""

import re
from collections.abc import Sequence

from ..errors import InvalidInput
from ..model import SigningScheme, WebhookSigning

DEFAULT_RATE_PER_MINUTE = 600
# On AWS the count is one DynamoDB item per webhook and minute: 30,000 a minute is 500 writes a
# second, half of what one partition takes.
MAX_RATE_PER_MINUTE = 30_000
MAX_KEPT_HEADERS = 20

DEFAULT_SIGNATURE_HEADER = {
    SigningScheme.GITHUB: "X-Hub-Signature-256",
    SigningScheme.STRIPE: "Stripe-Signature",
    SigningScheme.HMAC_SHA256: "X-Signature",
}

# Spaces inside, as ALOMA's webhook names have them ("aloma ui feedback"); the URL names the key.
_NAME = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9 _.-]{0,62}[A-Za-z0-9_.-])?")
# An HTTP field name (RFC 9110 token).
_HEADER = re.compile(r"[A-Za-z0-9!#$%&'*+.^_`|~-]{1,128}")
# Credentials of the caller's own: a task's data would keep them for anyone who reads the task.
_NEVER_KEPT = frozenset({"authorization", "proxy-authorization", "cookie"})


def check_name(name: str) -> None:
    if not _NAME.fullmatch(name):
        raise InvalidInput(
            "name: 1-64 letters, digits, spaces, '_', '.', '-', starting with a letter or digit "
            "and not ending with a space"
        )


def kept_headers(names: Sequence[str]) -> tuple[str, ...]:
    """The header names as given (that spelling is the key in `$via.headers`), checked."""
    if len(names) > MAX_KEPT_HEADERS:
        raise InvalidInput(f"keep_headers: at most {MAX_KEPT_HEADERS} headers")
    seen: set[str] = set()
    for name in names:
        if not _HEADER.fullmatch(name):
            raise InvalidInput(f"keep_headers: {name!r} is not a header name")
        if name.lower() in _NEVER_KEPT:
            raise InvalidInput(f"keep_headers: {name} carries credentials and is never kept")
        if name.lower() in seen:
            raise InvalidInput(f"keep_headers: {name} is listed twice")
        seen.add(name.lower())
    return tuple(names)


def signing(scheme: SigningScheme, secret: str, header: str | None) -> WebhookSigning:
    if not secret:
        raise InvalidInput("signing.secret: the name of the workspace secret holding the signing key")
    chosen = DEFAULT_SIGNATURE_HEADER[scheme] if header is None else header
    if not _HEADER.fullmatch(chosen) or chosen.lower() in _NEVER_KEPT:
        raise InvalidInput(f"signing.header: {chosen!r} cannot carry a signature")
    return WebhookSigning(scheme, secret, chosen)


def rate_limit(per_minute: int | None) -> int:
    if per_minute is None:
        return DEFAULT_RATE_PER_MINUTE
    if not 1 <= per_minute <= MAX_RATE_PER_MINUTE:
        raise InvalidInput(f"rate_limit_per_minute: between 1 and {MAX_RATE_PER_MINUTE}")
    return per_minute
