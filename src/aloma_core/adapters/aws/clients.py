"""AWS clients, built on first use: a Lambda's import must not open connections or read credentials."""

from functools import cached_property
from typing import TYPE_CHECKING

import boto3
from botocore.config import Config

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_logs import CloudWatchLogsClient
    from mypy_boto3_secretsmanager import SecretsManagerClient
    from mypy_boto3_sqs import SQSClient

_CONFIG = Config(retries={"mode": "standard", "max_attempts": 5}, connect_timeout=5, read_timeout=20)


class AwsClients:
    """One client per service, shared by every store of a warm Lambda. boto3 reads the region,
    credentials and `AWS_ENDPOINT_URL` itself, so nothing here touches the environment."""

    def __init__(self, session: boto3.Session | None = None) -> None:
        self._session = session

    @cached_property
    def session(self) -> boto3.Session:
        return self._session or boto3.Session()

    @cached_property
    def dynamodb(self) -> "DynamoDBClient":
        return self.session.client("dynamodb", config=_CONFIG)

    @cached_property
    def sqs(self) -> "SQSClient":
        return self.session.client("sqs", config=_CONFIG)

    @cached_property
    def secretsmanager(self) -> "SecretsManagerClient":
        return self.session.client("secretsmanager", config=_CONFIG)

    @cached_property
    def logs(self) -> "CloudWatchLogsClient":
        return self.session.client("logs", config=_CONFIG)
