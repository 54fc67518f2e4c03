"""Record codecs of connector configurations and webhooks: what one home writes, any home reads back."""

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from aloma_core.json_types import JsonObject
from aloma_core.model import ConnectorConfig, SigningScheme, Webhook, WebhookSigning
from aloma_core.records import (
    connector_from_record,
    connector_to_record,
    webhook_from_record,
    webhook_to_record,
)

configs = st.dictionaries(
    st.text(max_size=8),
    st.none() | st.text() | st.integers() | st.fixed_dictionaries({"secret": st.text(min_size=1)}),
    max_size=5,
)


def through_json(record: JsonObject) -> JsonObject:
    loaded: JsonObject = json.loads(json.dumps(record))
    return loaded


@given(config=configs)
def test_a_connector_round_trips_with_its_config_as_text(config: JsonObject) -> None:
    connector = ConnectorConfig("w1", "crm", "remote", config, 5)

    record = connector_to_record(connector)

    assert isinstance(record["config"], str)
    assert connector_from_record(through_json(record)) == connector


@pytest.mark.parametrize(
    "signing", [None, WebhookSigning(SigningScheme.STRIPE, "STRIPE_KEY", "Stripe-Signature")]
)
def test_a_webhook_round_trips(signing: WebhookSigning | None) -> None:
    webhook = Webhook("w1", "wh_1", "orders", signing, ("X-GitHub-Event", "X-Request-Id"), 60, 7)

    assert webhook_from_record(through_json(webhook_to_record(webhook))) == webhook


def test_an_unknown_signing_scheme_is_a_value_error() -> None:
    record = webhook_to_record(Webhook("w1", "wh_1", "orders", None, (), 60, 7))
    record["signing"] = {"scheme": "md5", "secret": "S", "header": "X"}

    with pytest.raises(ValueError, match="md5"):
        webhook_from_record(record)
