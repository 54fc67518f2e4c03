"""Key rotation on the AWS home, through the API Lambda's handler on moto: a workspace key replaced
in DynamoDB is refused by the next request to the same warm container, and an admin token kept in
Secrets Manager can be rotated under warm containers. Every call goes to the same warm container
(the driver's first), so nothing here is a cold start re-reading its settings."""

import boto3
import pytest
from api_client import ADMIN_TOKEN, Api, Workspace
from driver import PipelineDriver

pytest_plugins = ["pipeline_fixtures"]

ADMIN_SECRET = "aloma/test/admin-token"


def test_a_rotated_workspace_key_is_refused_at_once(pipeline: PipelineDriver) -> None:
    workspace = Workspace.create(pipeline)
    task = workspace.api.ok("POST", "/v1/tasks", {"data": {"kept": 1}}, status=201)

    rotated = workspace.api.ok("POST", "/v1/workspace/rotate-key")

    assert rotated["id"] == workspace.id
    assert workspace.api.call("GET", "/v1/workspace").status == 401
    renewed = Api(pipeline, rotated["api_key"])
    assert renewed.ok("GET", f"/v1/tasks/{task['id']}")["data"] == {"kept": 1}


def test_the_admin_rotates_a_lost_workspace_key(pipeline: PipelineDriver) -> None:
    workspace = Workspace.create(pipeline)

    rotated = Api(pipeline, ADMIN_TOKEN).ok("POST", f"/v1/workspaces/{workspace.id}/rotate-key")

    assert workspace.api.call("GET", "/v1/workspace").status == 401
    assert Api(pipeline, rotated["api_key"]).ok("GET", "/v1/workspace")["id"] == workspace.id
    assert Api(pipeline, ADMIN_TOKEN).call("POST", "/v1/workspaces/ws_nope/rotate-key").status == 404


@pytest.fixture
def admin_token_in_secrets_manager(pipeline: PipelineDriver, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ALOMA_ADMIN_TOKEN")
    monkeypatch.setenv("ALOMA_ADMIN_TOKEN_SECRET", ADMIN_SECRET)
    boto3.client("secretsmanager").create_secret(Name=ADMIN_SECRET, SecretString="first-token")


def test_a_rotated_admin_token_works_on_a_warm_container_and_the_old_one_expires(
    pipeline: PipelineDriver, admin_token_in_secrets_manager: None
) -> None:
    first, second = Api(pipeline, "first-token"), Api(pipeline, "second-token")
    assert first.call("GET", "/v1/workspaces").status == 200

    boto3.client("secretsmanager").put_secret_value(SecretId=ADMIN_SECRET, SecretString="second-token")
    pipeline.clock.advance(5)  # the re-read allowed after a mismatch

    assert second.call("GET", "/v1/workspaces").status == 200
    assert first.call("GET", "/v1/workspaces").status == 401


def test_an_old_admin_token_stops_within_the_cache_age(
    pipeline: PipelineDriver, admin_token_in_secrets_manager: None
) -> None:
    first = Api(pipeline, "first-token")
    assert first.call("GET", "/v1/workspaces").status == 200
    boto3.client("secretsmanager").put_secret_value(SecretId=ADMIN_SECRET, SecretString="second-token")

    assert first.call("GET", "/v1/workspaces").status == 200  # cached: the documented window
    pipeline.clock.advance(30)
    assert first.call("GET", "/v1/workspaces").status == 401
