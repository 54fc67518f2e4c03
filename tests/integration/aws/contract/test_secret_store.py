"""The `SecretStore` contract, run against both homes (see `contract_homes.py`). What only Secrets
Manager does (one JSON secret per workspace, compare-and-swap, caching, the size cap) is in
`aws/test_secrets_manager.py`."""

import pytest
from contract_homes import HOMES, secret_store
from store_support import A, B

from aloma_core.errors import NotFound
from aloma_core.ports import SecretStore


@pytest.fixture(params=HOMES)
def home(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def secrets(home: str, request: pytest.FixtureRequest) -> SecretStore:
    return secret_store(home, request)


def test_secrets_put_names_values_delete(secrets: SecretStore) -> None:
    secrets.put(A, "zeta", "1")
    secrets.put(A, "alpha", "2")
    secrets.put(A, "zeta", "3")

    assert secrets.names(A) == ["alpha", "zeta"]
    assert secrets.values(A) == {"alpha": "2", "zeta": "3"}

    secrets.delete(A, "zeta")
    assert secrets.values(A) == {"alpha": "2"}
    with pytest.raises(NotFound):
        secrets.delete(A, "zeta")


def test_secrets_are_isolated_by_workspace(secrets: SecretStore) -> None:
    secrets.put(A, "token", "a-secret")
    secrets.put(B, "token", "b-secret")

    assert secrets.values(A) == {"token": "a-secret"}
    assert secrets.names("ws_other") == []
    assert secrets.values("ws_other") == {}
    with pytest.raises(NotFound):
        secrets.delete("ws_other", "token")

    secrets.delete(B, "token")
    assert secrets.values(A) == {"token": "a-secret"}


def test_a_name_can_be_put_again_after_the_last_one_was_deleted(secrets: SecretStore) -> None:
    secrets.put(A, "token", "s3cret")

    secrets.delete(A, "token")

    assert secrets.names(A) == []
    assert secrets.values(A) == {}
    secrets.put(A, "token", "again")
    assert secrets.values(A) == {"token": "again"}
