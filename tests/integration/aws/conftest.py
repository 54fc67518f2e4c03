"""Moto-backed AWS clients for the AWS adapters' tests: in-process, no network, no account.

Where moto is not DynamoDB it is corrected, so the tests check our code and not moto: its
transactions (moto_fixes.py), and here: moto applies a request in several steps without a lock,
while DynamoDB applies each one atomically.
"""

import threading
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws
from moto.core.responses import BaseResponse
from moto_fixes import dynamodb_like_moto
from mypy_boto3_dynamodb.client import DynamoDBClient
from mypy_boto3_secretsmanager.client import SecretsManagerClient
from mypy_boto3_sqs.client import SQSClient

from aloma_core.adapters.aws.table import TTL_ATTRIBUTE, table_definition

TABLE = "aloma-test"


@pytest.fixture(autouse=True, scope="module")
def _aws_environment() -> Iterator[None]:
    with pytest.MonkeyPatch.context() as patch:
        for name in ("AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE"):
            patch.delenv(name, raising=False)
        patch.setenv("AWS_ACCESS_KEY_ID", "testing")
        patch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
        patch.setenv("AWS_SESSION_TOKEN", "testing")
        patch.setenv("AWS_DEFAULT_REGION", "us-east-1")
        patch.setenv("AWS_ACCOUNT_ID_ENDPOINT_MODE", "disabled")
        with dynamodb_like_moto():
            yield


@pytest.fixture(autouse=True, scope="module")
def _atomic_moto_requests() -> Iterator[None]:
    lock = threading.Lock()
    original = BaseResponse._dispatch

    def dispatch(self: BaseResponse, *args: Any, **kwargs: Any) -> Any:
        with lock:
            return original(self, *args, **kwargs)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(BaseResponse, "_dispatch", dispatch)
        yield


@pytest.fixture
def aws() -> Iterator[None]:
    with mock_aws():
        yield


@pytest.fixture
def dynamodb(aws: None) -> DynamoDBClient:
    return create_table()


def create_table() -> DynamoDBClient:
    client: DynamoDBClient = boto3.client("dynamodb")
    client.create_table(**table_definition(TABLE))
    client.update_time_to_live(
        TableName=TABLE, TimeToLiveSpecification={"Enabled": True, "AttributeName": TTL_ATTRIBUTE}
    )
    return client


@pytest.fixture
def secretsmanager(aws: None) -> SecretsManagerClient:
    client: SecretsManagerClient = boto3.client("secretsmanager")
    return client


@pytest.fixture
def sqs(aws: None) -> SQSClient:
    client: SQSClient = boto3.client("sqs")
    return client
