"""The admin token check: fixed, or re-read from a secret that an operator rotates."""

from aloma_core.admin_token import FixedAdminToken, RotatingAdminToken


class Secret:
    """A secret store holding one value, counting its reads."""

    def __init__(self, value: str) -> None:
        self.value = value
        self.reads = 0

    def read(self) -> str:
        self.reads += 1
        return self.value


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def rotating(secret: Secret, clock: Clock) -> RotatingAdminToken:
    return RotatingAdminToken(secret.read, max_age_s=30, recheck_s=5, seconds=clock)


def test_a_fixed_token_matches_itself_only() -> None:
    token = FixedAdminToken("s3cret")
    assert token.matches("s3cret")
    assert not token.matches("s3cret ")
    assert not token.matches("")


def test_no_fixed_token_matches_nothing() -> None:
    assert not FixedAdminToken(None).matches("")
    assert not FixedAdminToken("").matches("")


def test_a_rotated_token_works_at_once() -> None:
    secret, clock = Secret("old"), Clock()
    token = rotating(secret, clock)
    assert token.matches("old")

    secret.value = "new"
    clock.now = 5

    assert token.matches("new")


def test_the_old_token_stops_working_once_the_cache_expires() -> None:
    secret, clock = Secret("old"), Clock()
    token = rotating(secret, clock)
    assert token.matches("old")
    secret.value = "new"

    clock.now = 29.9
    assert token.matches("old")  # still cached: the documented window
    clock.now = 30
    assert not token.matches("old")
    assert token.matches("new")


def test_a_stream_of_wrong_tokens_reads_the_secret_at_most_once_per_recheck_period() -> None:
    secret, clock = Secret("right"), Clock()
    token = rotating(secret, clock)

    for _ in range(100):
        assert not token.matches("wrong")
    assert secret.reads == 1
    clock.now = 5
    for _ in range(100):
        assert not token.matches("wrong")
    assert secret.reads == 2


def test_a_matching_token_costs_no_read_within_the_cache_age() -> None:
    secret, clock = Secret("right"), Clock()
    token = rotating(secret, clock)
    for step in range(29):
        clock.now = step
        assert token.matches("right")
    assert secret.reads == 1


def test_a_clock_that_went_back_rereads_the_secret() -> None:
    secret, clock = Secret("old"), Clock()
    clock.now = 100
    token = rotating(secret, clock)
    assert token.matches("old")
    secret.value = "new"
    clock.now = 50

    assert not token.matches("old")
    assert secret.reads == 2
