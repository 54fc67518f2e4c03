"""The admin token as the API checks it: a fixed value (a setting), or one read from a secret
store that an operator rotates while warm processes keep running.

A rotating token is cached so that admin requests do not each cost a secret read, but never for
long: the cache expires after `max_age_s`, and a token that does not match the cached one causes
a fresh read at once (at most one per `recheck_s`, so a stream of wrong tokens cannot turn into a
stream of secret reads). A new token therefore works at once, and an old one stops working within
`max_age_s` everywhere.
"""

import hmac
import threading
import time
from collections.abc import Callable
from typing import Protocol


class AdminToken(Protocol):
    def matches(self, given: str) -> bool:
        """Whether `given` is the admin token; False for every token when none is configured."""


def _same(given: str, expected: str | None) -> bool:
    return bool(expected) and hmac.compare_digest(given.encode(), (expected or "").encode())


class FixedAdminToken:
    """`None` or empty configures no token: the admin routes then refuse everyone."""

    def __init__(self, token: str | None) -> None:
        self._token = token

    def matches(self, given: str) -> bool:
        return _same(given, self._token)


class RotatingAdminToken:
    def __init__(
        self,
        load: Callable[[], str],
        *,
        max_age_s: float = 30.0,
        recheck_s: float = 5.0,
        seconds: Callable[[], float] = time.monotonic,
    ) -> None:
        self._load = load
        self._max_age_s = max_age_s
        self._recheck_s = recheck_s
        self._seconds = seconds
        self._lock = threading.Lock()
        self._token: str | None = None
        self._read_at = 0.0

    def matches(self, given: str) -> bool:
        with self._lock:
            now = self._seconds()
            age = now - self._read_at
            # A clock that went back (wall time) counts as expiry rather than freezing the cache.
            expired = self._token is None or not 0 <= age < self._max_age_s
            if expired or (age >= self._recheck_s and not _same(given, self._token)):
                self._token = self._load()
                self._read_at = now
            return _same(given, self._token)
