"""Idempotent ingress, the pure parts: which keys are taken, the ids they name, and which delivery
id each kind of webhook repeats when its sender retries."""

import re

import pytest

from aloma_core.errors import InvalidInput
from aloma_core.idempotency import checked_key, delivery_key, task_id_for
from aloma_core.json_types import JsonObject
from aloma_core.model import SigningScheme, Webhook, WebhookSigning


def webhook(scheme: SigningScheme | None = None) -> Webhook:
    signing = None if scheme is None else WebhookSigning(scheme, "HOOK_KEY", "X-Signature")
    return Webhook("ws1", "hook1", "orders", signing, (), 600, 1)


@pytest.mark.parametrize("key", ["a", "order-42", "550e8400-e29b-41d4-a716-446655440000", "x" * 255, "a b~!"])
def test_printable_ascii_keys_up_to_255_characters_are_taken(key: str) -> None:
    assert checked_key(key) == key


@pytest.mark.parametrize("key", ["", "   ", "x" * 256, "clé", "a\tb", "a\nb", "\x00"])
def test_empty_long_or_unprintable_keys_are_refused_naming_the_header(key: str) -> None:
    with pytest.raises(InvalidInput, match="Idempotency-Key: 1 to 255 printable ASCII characters"):
        checked_key(key)


def test_a_key_names_one_task_id_per_workspace_and_way_in() -> None:
    first = task_id_for("ws1", "api", "k")
    assert first == task_id_for("ws1", "api", "k")
    assert re.fullmatch(r"[0-9a-f]{28}", first)
    others = {
        task_id_for("ws2", "api", "k"),
        task_id_for("ws1", "webhook:h", "k"),
        task_id_for("ws1", "api", "k2"),
    }
    assert first not in others
    assert len(others) == 3


def test_an_idempotency_key_header_names_the_delivery_on_any_webhook() -> None:
    assert delivery_key(webhook(), {"idempotency-key": "abc"}, {}) == "abc"


def test_githubs_delivery_header_names_the_delivery() -> None:
    headers = {"x-github-delivery": "72d3162e-cc78-11e3-81ab-4c9367dc0958", "x-github-event": "push"}
    assert delivery_key(webhook(SigningScheme.GITHUB), headers, {}) == headers["x-github-delivery"]


def test_an_explicit_key_wins_over_the_providers_delivery_id() -> None:
    assert delivery_key(webhook(), {"x-github-delivery": "g", "idempotency-key": "mine"}, {}) == "mine"


def test_a_stripe_signed_webhook_takes_the_events_id() -> None:
    body: JsonObject = {"id": "evt_1NG8Du2eZvKYlo2CUI79vXWy", "object": "event", "type": "invoice.paid"}
    assert delivery_key(webhook(SigningScheme.STRIPE), {}, body) == body["id"]


@pytest.mark.parametrize("scheme", [None, SigningScheme.GITHUB, SigningScheme.HMAC_SHA256])
def test_a_body_id_names_nothing_unless_stripe_signed_it(scheme: SigningScheme | None) -> None:
    assert delivery_key(webhook(scheme), {}, {"id": "evt_1"}) is None


def test_a_stripe_body_whose_id_is_not_text_names_nothing() -> None:
    assert delivery_key(webhook(SigningScheme.STRIPE), {}, {"id": 7}) is None


def test_a_delivery_without_an_id_names_nothing() -> None:
    assert delivery_key(webhook(SigningScheme.GITHUB), {"x-github-event": "push"}, {"a": 1}) is None


def test_a_malformed_delivery_id_is_refused_naming_where_it_came_from() -> None:
    with pytest.raises(InvalidInput, match="x-github-delivery: 1 to 255"):
        delivery_key(webhook(), {"x-github-delivery": "x" * 300}, {})
