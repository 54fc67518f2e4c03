"""The `RateLimiter` contract, run against both homes (see `contract_homes.py`): fixed minutes of
the epoch, the limit never passed, whoever asks at the same moment."""

import threading

import pytest
from contract_homes import HOMES, rate_limiter
from store_support import run_threads

from aloma_core.ports import RateLimiter

MINUTE = 60_000
T0 = 1_735_689_600_000  # the start of a minute


@pytest.fixture(params=HOMES)
def home(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def limiter(home: str, request: pytest.FixtureRequest) -> RateLimiter:
    return rate_limiter(home, request)


def test_the_limit_holds_within_a_minute_and_resets_with_the_next(limiter: RateLimiter) -> None:
    assert [limiter.allow("k", 3, T0 + i) for i in range(5)] == [True, True, True, False, False]
    assert limiter.allow("k", 3, T0 + MINUTE - 1) is False

    assert limiter.allow("k", 3, T0 + MINUTE) is True


def test_keys_are_counted_apart(limiter: RateLimiter) -> None:
    assert limiter.allow("a", 1, T0)
    assert limiter.allow("b", 1, T0)
    assert not limiter.allow("a", 1, T0)


def test_a_limit_of_zero_allows_nothing(limiter: RateLimiter) -> None:
    assert not limiter.allow("k", 0, T0)
    assert limiter.allow("k", 1, T0)


def test_a_lower_limit_refuses_what_a_higher_one_counted(limiter: RateLimiter) -> None:
    """The limit is read at each event: lowering it mid-minute refuses at once."""
    assert all(limiter.allow("k", 5, T0) for _ in range(3))

    assert not limiter.allow("k", 2, T0)
    assert limiter.allow("k", 5, T0)


def test_concurrent_events_never_pass_the_limit(limiter: RateLimiter) -> None:
    allowed: list[bool] = []
    lock = threading.Lock()

    def hit(_: int) -> None:
        for _ in range(50):
            result = limiter.allow("k", 100, T0)
            with lock:
                allowed.append(result)

    run_threads(8, hit)

    assert len(allowed) == 400
    assert allowed.count(True) == 100
