"""What only the Secrets Manager secret store does, and the admin token, on moto: one JSON secret
per workspace, compare-and-swap writes, the cache, the size cap. Calls are counted with a
botocore hook on the real client, so the cache is checked by what reaches AWS, not by peeking
inside. The `SecretStore` contract it shares with SQLite runs against both homes in `contract/`."""

import json

import pytest
from aws_support import count_requests
from mypy_boto3_secretsmanager.client import SecretsManagerClient
from store_support import A, B, run_threads, share_botocore_loader

from aloma_core.adapters.aws.secrets import SecretsManagerSecretStore, read_admin_token
from aloma_core.errors import TooLarge

PREFIX = "aloma/test/"


@pytest.fixture(autouse=True)
def _one_botocore_loader(monkeypatch: pytest.MonkeyPatch) -> None:
    share_botocore_loader(monkeypatch)


class ManualClock:
    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def secrets(secretsmanager: SecretsManagerClient, clock: ManualClock) -> SecretsManagerSecretStore:
    return SecretsManagerSecretStore(secretsmanager, PREFIX, cache_ttl_s=60, clock=clock)


def stored(client: SecretsManagerClient, workspace_id: str) -> object:
    """The current value. The stage is named because moto, unlike AWS, does not follow a move of
    AWSCURRENT by UpdateSecretVersionStage when none is."""
    answer = client.get_secret_value(SecretId=PREFIX + workspace_id, VersionStage="AWSCURRENT")
    return json.loads(answer["SecretString"])


def test_one_secret_per_workspace_holds_a_json_object(
    secrets: SecretsManagerSecretStore, secretsmanager: SecretsManagerClient
) -> None:
    secrets.put(A, "token", "s3cret")
    secrets.put(A, "url", "https://example.test/é")

    assert stored(secretsmanager, A) == {"token": "s3cret", "url": "https://example.test/é"}
    names = [entry["Name"] for entry in secretsmanager.list_secrets()["SecretList"]]
    assert names == [PREFIX + A]


def test_deleting_the_last_name_keeps_an_empty_object(
    secrets: SecretsManagerSecretStore, secretsmanager: SecretsManagerClient
) -> None:
    """The secret stays, so putting a name again is a new version of it, not a new secret."""
    secrets.put(A, "token", "s3cret")

    secrets.delete(A, "token")

    assert stored(secretsmanager, A) == {}
    secrets.put(A, "token", "again")
    assert stored(secretsmanager, A) == {"token": "again"}


def test_values_are_cached_for_the_ttl(
    secrets: SecretsManagerSecretStore, secretsmanager: SecretsManagerClient, clock: ManualClock
) -> None:
    secrets.put(A, "token", "s3cret")
    SecretsManagerSecretStore(secretsmanager, PREFIX).put(B, "token", "other")
    calls = count_requests(secretsmanager)

    for _ in range(20):
        assert secrets.values(A) == {"token": "s3cret"}
    secrets.values(B)
    clock.now += 59
    secrets.values(A)
    assert dict(calls) == {"GetSecretValue": 2}

    clock.now += 2
    secrets.values(A)
    assert dict(calls) == {"GetSecretValue": 3}


def test_a_change_elsewhere_shows_after_the_ttl_and_own_writes_at_once(
    secrets: SecretsManagerSecretStore, secretsmanager: SecretsManagerClient, clock: ManualClock
) -> None:
    secrets.put(A, "token", "v1")
    assert secrets.values(A) == {"token": "v1"}
    other_instance = SecretsManagerSecretStore(secretsmanager, PREFIX)

    other_instance.put(A, "token", "v2")
    assert secrets.values(A) == {"token": "v1"}
    assert secrets.names(A) == ["token"]
    clock.now += 61
    assert secrets.values(A) == {"token": "v2"}

    secrets.put(A, "token", "v3")
    assert secrets.values(A) == {"token": "v3"}
    secrets.delete(A, "token")
    assert secrets.values(A) == {}


def test_names_always_read_afresh(
    secrets: SecretsManagerSecretStore, secretsmanager: SecretsManagerClient
) -> None:
    secrets.values(A)
    SecretsManagerSecretStore(secretsmanager, PREFIX).put(A, "token", "new")

    assert secrets.names(A) == ["token"]


def test_concurrent_puts_of_different_names_keep_them_all(secretsmanager: SecretsManagerClient) -> None:
    """No conditional writes in Secrets Manager: a put checks its name stuck, and writes again if not."""

    def put_three(worker: int) -> None:
        store = SecretsManagerSecretStore(secretsmanager, PREFIX)
        for i in range(3):
            store.put(A, f"w{worker}-{i}", str(i))

    run_threads(4, put_three)

    assert stored(secretsmanager, A) == {f"w{worker}-{i}": str(i) for worker in range(4) for i in range(3)}


def test_a_returned_mapping_cannot_change_the_cache(secrets: SecretsManagerSecretStore) -> None:
    secrets.put(A, "token", "s3cret")

    secrets.values(A)["token"] = "tampered"

    assert secrets.values(A) == {"token": "s3cret"}


def test_the_workspace_total_is_capped_at_the_secret_size(secrets: SecretsManagerSecretStore) -> None:
    secrets.put(A, "first", "x" * 40_000)

    with pytest.raises(TooLarge, match="65536"):
        secrets.put(A, "second", "y" * 40_000)

    assert secrets.names(A) == ["first"]


@pytest.mark.parametrize(
    ("secret", "token"),
    [
        ("plain-token-123", "plain-token-123"),
        ('{"token": "from-json"}', "from-json"),
        ("  spaced\n", "spaced"),
    ],
)
def test_admin_token_is_a_plain_string_or_json(
    secretsmanager: SecretsManagerClient, secret: str, token: str
) -> None:
    secretsmanager.create_secret(Name="aloma/admin", SecretString=secret)

    assert read_admin_token(secretsmanager, "aloma/admin") == token


def test_an_empty_admin_token_is_refused(secretsmanager: SecretsManagerClient) -> None:
    secretsmanager.create_secret(Name="aloma/admin", SecretString='{"token": " "}')

    with pytest.raises(ValueError, match="no admin token"):
        read_admin_token(secretsmanager, "aloma/admin")
