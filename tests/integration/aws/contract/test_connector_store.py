"""The `ConnectorStore` contract, run against both homes (see `contract_homes.py`)."""

import pytest
from contract_homes import HOMES, connector_store
from store_support import A, B

from aloma_core.errors import NotFound
from aloma_core.model import ConnectorConfig
from aloma_core.ports import ConnectorStore


@pytest.fixture(params=HOMES)
def home(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def connectors(home: str, request: pytest.FixtureRequest) -> ConnectorStore:
    return connector_store(home, request)


def connector(workspace_id: str, namespace: str, url: str = "https://crm.example.com") -> ConnectorConfig:
    return ConnectorConfig(workspace_id, namespace, "remote", {"url": url, "secret": "CRM_TOKEN"}, 10)


def test_connectors_put_get_list_replace_delete(connectors: ConnectorStore) -> None:
    connectors.put(connector(A, "slack"))
    connectors.put(connector(A, "crm"))
    replaced = connector(A, "crm", url="https://crm2.example.com")
    connectors.put(replaced)

    assert connectors.get(A, "crm") == replaced
    assert [c.namespace for c in connectors.list(A)] == ["crm", "slack"]

    connectors.delete(A, "crm")
    assert [c.namespace for c in connectors.list(A)] == ["slack"]
    with pytest.raises(NotFound):
        connectors.get(A, "crm")
    with pytest.raises(NotFound):
        connectors.delete(A, "crm")


def test_connectors_are_isolated_by_workspace(connectors: ConnectorStore) -> None:
    connectors.put(connector(A, "crm", url="https://a.example.com"))
    connectors.put(connector(B, "crm", url="https://b.example.com"))

    assert connectors.get(A, "crm").config["url"] == "https://a.example.com"
    assert connectors.list("ws_other") == []
    with pytest.raises(NotFound):
        connectors.get("ws_other", "crm")
    with pytest.raises(NotFound):
        connectors.delete("ws_other", "crm")

    connectors.delete(B, "crm")
    assert [c.workspace_id for c in connectors.list(A)] == [A]


def test_a_configuration_comes_back_as_stored(connectors: ConnectorStore) -> None:
    """Free-form JSON, floats and deep nesting included (what a DynamoDB map would not keep)."""
    nested: dict[str, object] = {"leaf": 0.1}
    for _ in range(40):
        nested = {"n": nested}
    stored = ConnectorConfig(
        A, "api", "http", {"base_url": "https://api.example.com", "token": {"secret": "T"}, "x": nested}, 7
    )

    connectors.put(stored)

    assert connectors.get(A, "api") == stored
    assert connectors.list(A) == [stored]


def test_a_namespace_no_key_can_hold_is_never_found(connectors: ConnectorStore) -> None:
    with pytest.raises(NotFound):
        connectors.get(A, "n" * 3000)
    with pytest.raises(NotFound):
        connectors.delete(A, "n" * 3000)
