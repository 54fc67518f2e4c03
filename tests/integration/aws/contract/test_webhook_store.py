"""The `WebhookStore` contract, run against both homes (see `contract_homes.py`)."""

import pytest
from contract_homes import HOMES, webhook_store
from store_support import A, B, run_threads

from aloma_core.errors import ConflictingState, NotFound
from aloma_core.model import SigningScheme, Webhook, WebhookSigning
from aloma_core.ports import WebhookStore


@pytest.fixture(params=HOMES)
def home(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def webhooks(home: str, request: pytest.FixtureRequest) -> WebhookStore:
    return webhook_store(home, request)


def webhook(workspace_id: str, name: str, webhook_id: str = "wh_1") -> Webhook:
    signing = WebhookSigning(SigningScheme.GITHUB, "GH_SECRET", "X-Hub-Signature-256")
    return Webhook(workspace_id, webhook_id, name, signing, ("X-GitHub-Event",), 60, 10)


def test_webhooks_create_find_by_key_list_delete(webhooks: WebhookStore) -> None:
    github = webhook(A, "github", "wh_1")
    webhooks.create(github, "hash-1")
    webhooks.create(webhook(A, "billing", "wh_2"), "hash-2")

    assert webhooks.by_key_hash("hash-1") == github
    assert webhooks.by_key_hash("nope") is None
    assert webhooks.by_key_hash("h" * 3000) is None
    assert [w.name for w in webhooks.list(A)] == ["billing", "github"]

    webhooks.delete(A, "github")
    assert webhooks.by_key_hash("hash-1") is None
    assert [w.name for w in webhooks.list(A)] == ["billing"]
    with pytest.raises(NotFound):
        webhooks.delete(A, "github")


def test_an_unsigned_webhook_without_kept_headers_comes_back_as_created(webhooks: WebhookStore) -> None:
    plain = Webhook(A, "wh_9", "plain", None, (), 1, 5)

    webhooks.create(plain, "hash-9")

    assert webhooks.by_key_hash("hash-9") == plain
    assert webhooks.list(A) == [plain]


def test_a_webhook_name_is_unique_in_its_workspace_only(webhooks: WebhookStore) -> None:
    """A refused create leaves nothing behind: its key finds nothing."""
    webhooks.create(webhook(A, "github", "wh_1"), "hash-1")

    with pytest.raises(ConflictingState):
        webhooks.create(webhook(A, "github", "wh_2"), "hash-2")
    webhooks.create(webhook(B, "github", "wh_3"), "hash-3")

    assert webhooks.by_key_hash("hash-2") is None
    assert webhooks.by_key_hash("hash-1") == webhook(A, "github", "wh_1")
    assert [w.id for w in webhooks.list(B)] == ["wh_3"]


def test_a_key_hash_is_unique_across_workspaces(webhooks: WebhookStore) -> None:
    webhooks.create(webhook(A, "github", "wh_1"), "hash-1")

    with pytest.raises(ConflictingState):
        webhooks.create(webhook(B, "other", "wh_2"), "hash-1")

    assert webhooks.list(B) == []
    assert webhooks.by_key_hash("hash-1") == webhook(A, "github", "wh_1")


def test_a_deleted_name_can_be_created_again_with_a_new_key(webhooks: WebhookStore) -> None:
    webhooks.create(webhook(A, "github", "wh_1"), "hash-1")
    webhooks.delete(A, "github")

    webhooks.create(webhook(A, "github", "wh_2"), "hash-2")

    assert webhooks.by_key_hash("hash-1") is None
    assert webhooks.by_key_hash("hash-2") == webhook(A, "github", "wh_2")


def test_webhooks_are_isolated_by_workspace(webhooks: WebhookStore) -> None:
    webhooks.create(webhook(A, "github"), "hash-1")

    assert webhooks.list(B) == []
    with pytest.raises(NotFound):
        webhooks.delete(B, "github")
    with pytest.raises(NotFound):
        webhooks.delete(A, "g" * 3000)
    assert webhooks.by_key_hash("hash-1") == webhook(A, "github")


def test_concurrent_creates_of_one_name_make_one_webhook(webhooks: WebhookStore) -> None:
    outcomes: list[str] = []

    def create(index: int) -> None:
        try:
            webhooks.create(webhook(A, "github", f"wh_{index}"), f"hash-{index}")
            outcomes.append(f"wh_{index}")
        except ConflictingState:
            outcomes.append("conflict")

    run_threads(6, create)

    [made] = [outcome for outcome in outcomes if outcome != "conflict"]
    assert [w.id for w in webhooks.list(A)] == [made]
    found = [webhooks.by_key_hash(f"hash-{i}") for i in range(6)]
    assert [w.id for w in found if w is not None] == [made]
