"""Which AWS errors the API answers 503 (over capacity, retry) rather than 500."""

import pytest
from botocore.exceptions import ClientError

from aloma_core.adapters.aws.throttling import is_over_capacity


def client_error(code: str) -> ClientError:
    return ClientError({"Error": {"Code": code, "Message": "x"}}, "TransactWriteItems")


@pytest.mark.parametrize(
    "code", ["ProvisionedThroughputExceededException", "ThrottlingException", "RequestLimitExceeded"]
)
def test_throttling_codes_are_over_capacity(code: str) -> None:
    assert is_over_capacity(client_error(code))


@pytest.mark.parametrize("code", ["ValidationException", "ConditionalCheckFailedException", "AccessDenied"])
def test_other_client_errors_are_not(code: str) -> None:
    assert not is_over_capacity(client_error(code))


def test_an_error_that_is_not_from_aws_is_not() -> None:
    assert not is_over_capacity(RuntimeError("ThrottlingException"))
