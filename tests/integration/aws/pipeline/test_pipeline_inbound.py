"""Connectors and webhooks on the AWS home: the assertions of tests/e2e/test_connectors_e2e.py,
through the API, matcher and runner handlers on moto, against real services on 127.0.0.1.

A delivery is the GitHub-signed sample `tests/events/http_api_github_push.json` as API Gateway
hands it to the API function: the signature covers the body's bytes, so it only verifies if they
reach the check unchanged through Mangum, as text or base64-encoded.
"""

import io
import json
import logging
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from api_client import Answer, Workspace
from containers import API
from driver import PipelineDriver
from lambda_events import GITHUB_KEY, github_delivery, load_event

from aloma_core.home import lambdas
from cfn_yaml import properties
from connector_scenarios import CRM_TOKEN, remote_calls_awaited_unawaited_into_and_catching, serve_crm
from fake_service import FakeService, json_reply, text_reply
from lifecycle_scenarios import runs_of, step_file

pytest_plugins = ["pipeline_fixtures"]

NewWorkspace = Callable[..., Workspace]

SLACK_HOOK = "/services/T0AAA/B0BBB/slack-hook-path-is-a-secret"


def configure_crm(ws: Workspace, service: FakeService) -> None:
    """On AWS loopback is the runner's own machine: the stand-in service needs the allow list."""
    ws.api.ok("PATCH", "/v1/workspace", {"settings": {"egress_allow": ["127.0.0.1"]}})
    ws.api.ok("PUT", "/v1/secrets/CRM_TOKEN", {"value": CRM_TOKEN}, status=204)
    ws.api.ok(
        "PUT", "/v1/connectors/crm", {"type": "remote", "config": {"url": service.url, "secret": "CRM_TOKEN"}}
    )


# Webhooks


def deliver(pipeline: PipelineDriver, event: dict[str, Any]) -> Answer:
    response = pipeline.invoke(API, event)
    return Answer(response["statusCode"], json.loads(response["body"]) if response.get("body") else None)


ON_PUSH = """export const condition = {
  $via: { type: 'webhook', headers: { 'X-GitHub-Event': 'push' } },
  ref: String,
};
export const content = async () => {
  task.complete({ ref: data.ref, hook: data.$via.name, event: data.$via.headers['X-GitHub-Event'] });
};
"""


def github_webhook(ws: Workspace, **settings: Any) -> dict[str, Any]:
    ws.api.ok("PUT", "/v1/secrets/GH_SECRET", {"value": GITHUB_KEY}, status=204)
    made: dict[str, Any] = ws.api.ok(
        "POST",
        "/v1/webhooks",
        {
            "name": "github",
            "signing": {"scheme": "github", "secret": "GH_SECRET"},
            "keep_headers": ["X-GitHub-Event", "X-GitHub-Delivery"],
            **settings,
        },
        status=201,
    )
    return made


def test_a_signed_github_delivery_becomes_a_task_that_steps_run_on(
    new_workspace: NewWorkspace, pipeline: PipelineDriver
) -> None:
    ws = new_workspace()
    ws.put_step("on push", ON_PUSH)
    made = github_webhook(ws)

    forged = deliver(pipeline, github_delivery(made["key"], signature="sha256=" + "0" * 64))
    accepted = deliver(pipeline, github_delivery(made["key"]))

    assert forged.status == 401, forged
    assert accepted.status == 202, accepted
    task = ws.settle(accepted.body["task_id"])
    assert task["state"] == "done", task
    assert task["result"] == {"ref": "refs/heads/main", "hook": "github", "event": "push"}
    via = task["data"]["$via"]
    assert via["type"] == "webhook" and via["name"] == "github" and via["id"] == made["id"]
    assert via["headers"] == {
        "X-GitHub-Event": "push",
        "X-GitHub-Delivery": "72d3162e-cc78-11e3-81ab-4c9367dc0958",
    }
    assert task["data"]["repository"]["description"] == "Zoë's été — 🚀"
    assert len(runs_of(ws.events(task["id"]), "on push")) == 1
    assert [t["id"] for t in ws.api.ok("GET", "/v1/tasks")["tasks"]] == [task["id"]]


@pytest.mark.parametrize("base64_body", [False, True], ids=["text", "base64"])
def test_the_signature_is_checked_on_the_bytes_as_sent(
    new_workspace: NewWorkspace, pipeline: PipelineDriver, base64_body: bool
) -> None:
    """The sample's body has spacing, escapes and non-ASCII characters that parsing and dumping again
    would change; the same JSON in other bytes does not verify."""
    ws = new_workspace()
    made = github_webhook(ws)
    sample = load_event("http_api_github_push")["body"].encode()
    same_json_other_bytes = json.dumps(json.loads(sample)).encode()

    accepted = deliver(pipeline, github_delivery(made["key"], base64_body=base64_body))
    refused = deliver(
        pipeline, github_delivery(made["key"], base64_body=base64_body, body=same_json_other_bytes)
    )

    assert accepted.status == 202, accepted
    assert refused.status == 401, refused
    assert refused.body["error"]["message"] == "the signature does not match the body"


def test_deliveries_over_the_webhooks_rate_are_429_in_every_api_environment(
    new_workspace: NewWorkspace, pipeline: PipelineDriver
) -> None:
    """Two warm API environments count in the same table items."""
    ws = new_workspace()
    made = github_webhook(ws, rate_limit_per_minute=2)

    statuses = [
        pipeline.invoke(API, github_delivery(made["key"], delivery_id=f"d-{i}"), index=i % 2)["statusCode"]
        for i in range(3)
    ]
    over = pipeline.invoke(API, github_delivery(made["key"], delivery_id="d-3"), index=1)

    assert statuses[:2] == [202, 202]
    assert statuses[2] == 429
    assert over["statusCode"] == 429
    assert 1 <= int(over["headers"]["retry-after"]) <= 60
    assert len(ws.api.ok("GET", "/v1/tasks")["tasks"]) == 2


def test_a_retried_delivery_answers_with_the_task_the_first_one_created(
    new_workspace: NewWorkspace, pipeline: PipelineDriver
) -> None:
    ws = new_workspace()
    made = github_webhook(ws)

    first = pipeline.invoke(API, github_delivery(made["key"]), index=0)
    again = pipeline.invoke(API, github_delivery(made["key"]), index=1)
    other = pipeline.invoke(API, github_delivery(made["key"], delivery_id="another-delivery"), index=0)

    assert [first["statusCode"], again["statusCode"], other["statusCode"]] == [202, 202, 202]
    assert json.loads(again["body"]) == json.loads(first["body"])
    assert again["headers"]["idempotent-replayed"] == "true"
    assert "idempotent-replayed" not in first["headers"]
    assert json.loads(other["body"]) != json.loads(first["body"])
    assert len(ws.api.ok("GET", "/v1/tasks")["tasks"]) == 2


def test_a_deleted_webhook_stops_taking_deliveries(
    new_workspace: NewWorkspace, pipeline: PipelineDriver
) -> None:
    ws = new_workspace()
    made = github_webhook(ws)
    assert [w["name"] for w in ws.api.ok("GET", "/v1/webhooks")["webhooks"]] == ["github"]

    ws.api.ok("DELETE", "/v1/webhooks/github", status=204)

    assert deliver(pipeline, github_delivery(made["key"])).status == 404
    assert ws.api.ok("GET", "/v1/webhooks")["webhooks"] == []
    assert ws.api.call("DELETE", "/v1/webhooks/github").status == 404


# Connectors


def test_a_step_calls_a_remote_service_awaited_unawaited_into_and_catching(
    new_workspace: NewWorkspace, service: FakeService
) -> None:
    serve_crm(service)
    ws = new_workspace()
    configure_crm(ws, service)
    lookup = remote_calls_awaited_unawaited_into_and_catching(ws, service)
    assert lookup["task"]["workspace"] == ws.id


def test_a_connector_changed_between_runs_is_what_the_next_run_calls(
    new_workspace: NewWorkspace, service: FakeService
) -> None:
    """Each run reads the workspace's connectors when it starts: no runner keeps an old one."""
    service.route("POST", "/upsert", json_reply({"contact_id": "c-1"}))
    ws = new_workspace()
    configure_crm(ws, service)
    ws.put_step(
        "sync contact",
        step_file("{order: {id: Number}}", "data.contact_id = (await connectors.crm.upsert({})).contact_id;"),
    )
    first = ws.settle(ws.new_task({"order": {"id": 1}}))
    ws.api.ok("DELETE", "/v1/connectors/crm", status=204)

    second = ws.settle(ws.new_task({"order": {"id": 2}}))

    assert first["data"]["contact_id"] == "c-1"
    assert second["state"] == "error"
    assert "no connector is configured under the namespace crm" in second["error"]["message"]


FETCH = """export const condition = { url: String, answer: null };
export const content = async () => {
  data.answer = await connectors.fetch({ url: data.url, bodyOnly: true });
};
"""


def test_the_egress_guard_refuses_loopback_until_the_workspace_allows_it(
    new_workspace: NewWorkspace, service: FakeService
) -> None:
    service.route("GET", "/ping", json_reply({"pong": True}))
    ws = new_workspace()
    ws.put_step("fetch", FETCH)

    refused = ws.settle(ws.new_task({"url": f"{service.url}/ping"}))

    assert refused["state"] == "error"
    assert "refused by the egress guard: 127.0.0.1 is a loopback address" in refused["error"]["message"]
    assert "egress_allow" in refused["error"]["message"]
    assert service.seen == []

    ws.api.ok("PATCH", "/v1/workspace", {"settings": {"egress_allow": ["127.0.0.1"]}})
    ws.api.ok("POST", f"/v1/tasks/{refused['id']}/resume", status=202)
    allowed = ws.settle(refused["id"])

    assert allowed["state"] == "incomplete", allowed
    assert allowed["data"]["answer"] == {"pong": True}
    assert [seen.path for seen in service.seen] == ["/ping"]


REMOTE_PING = """export const condition = { pong: null };
export const content = async () => {
  data.pong = await connectors.inhouse.ping({});
};
"""


def test_a_remote_connector_on_aws_reaches_loopback_only_when_the_workspace_allows_it(
    new_workspace: NewWorkspace, service: FakeService
) -> None:
    """The Lambda runtime API listens on 127.0.0.1:9001: a configured URL must not reach it by default."""
    service.route("POST", "/ping", json_reply("pong"))
    ws = new_workspace()
    ws.api.ok("PUT", "/v1/connectors/inhouse", {"type": "remote", "config": {"url": service.url}})
    ws.put_step("ping", REMOTE_PING)

    refused = ws.settle(ws.new_task({"n": 1}))

    assert refused["state"] == "error"
    message = refused["error"]["message"]
    assert "connectors.inhouse.ping: refused by the egress guard: 127.0.0.1 is a loopback address" in message
    assert service.seen == []

    ws.api.ok("PATCH", "/v1/workspace", {"settings": {"egress_allow": ["127.0.0.1"]}})
    ws.api.ok("POST", f"/v1/tasks/{refused['id']}/resume", status=202)

    assert ws.settle(refused["id"])["data"]["pong"] == "pong"
    assert [seen.path for seen in service.seen] == ["/ping"]


# Secrets


@pytest.fixture
def handler_output(caplog: pytest.LogCaptureFixture) -> Iterator[Callable[[], str]]:
    """What the handlers log: Powertools' JSON lines as Lambda sends them to CloudWatch (the
    `aloma` loggers, here at DEBUG), and what propagates to the root logger, where Lambda's own
    handler would take what other libraries log, at INFO (the lowest level of Lambda's log
    controls a deployment would run with; at DEBUG, botocore prints whole request and response
    bodies, Secrets Manager's included)."""
    handlers = {
        handler
        for name in ["aloma", *logging.root.manager.loggerDict]
        if name == "aloma" or name.startswith("aloma.")
        for handler in logging.getLogger(name).handlers
        if isinstance(handler, logging.StreamHandler)
    }
    assert lambdas.logger.name == "aloma"
    assert handlers, "no Powertools handler found: does aloma_core.home.lambdas still set one?"
    lines = io.StringIO()
    streams = {handler: handler.setStream(lines) for handler in handlers}
    aloma = logging.getLogger("aloma")
    level = aloma.level
    caplog.set_level(logging.INFO)
    aloma.setLevel(logging.DEBUG)
    try:
        yield lambda: lines.getvalue() + "\n" + caplog.text
    finally:
        aloma.setLevel(level)
        for handler, stream in streams.items():
            if stream is not None:
                handler.setStream(stream)


LEAKY = """export const condition = { $via: { name: 'github' } };
export const content = async () => {
  const echo = await connectors.crm.echo({});
  await connectors.slack.send({ text: 'pushed ' + data.ref });
  console.log('service said', echo, task.config('GH_SECRET'), task.config('connector.slack.webhook_url'));
  audit.log(echo.heard);
  throw new Error('rejected ' + echo.heard);
};
"""


def test_secrets_are_never_in_an_answer_the_history_or_the_handlers_logs(
    new_workspace: NewWorkspace,
    pipeline: PipelineDriver,
    service: FakeService,
    handler_output: Callable[[], str],
) -> None:
    """The CRM token (a workspace secret a connector names), the Slack webhook URL (a secret field
    given as a literal, moved to the secret store) and the webhook's signing key all reach the run,
    and a service echoes one back; none of them is ever shown."""
    service.route("POST", "/echo", lambda seen: json_reply({"heard": seen.headers["authorization"]}))
    service.route("POST", SLACK_HOOK, text_reply("ok"))
    ws = new_workspace({"egress_allow": ["127.0.0.1"]})
    answers: list[Any] = []
    configure_crm(ws, service)
    slack = {"type": "slack", "config": {"webhook_url": f"{service.url}{SLACK_HOOK}", "channel": "#dev"}}
    answers.append(ws.api.ok("PUT", "/v1/connectors/slack", slack))
    answers.append(github_webhook(ws))
    ws.put_step("leaky", LEAKY)

    accepted = deliver(pipeline, github_delivery(answers[-1]["key"]))
    assert accepted.status == 202, accepted
    task = ws.settle(accepted.body["task_id"])
    history = ws.events(task["id"])
    answers += [
        task,
        history,
        ws.api.ok("GET", "/v1/connectors"),
        ws.api.ok("GET", "/v1/connectors/slack"),
        ws.api.ok("GET", "/v1/connectors/crm"),
        ws.api.ok("GET", "/v1/secrets"),
        ws.api.ok("GET", "/v1/webhooks"),
        ws.api.ok("GET", "/v1/tasks"),
    ]
    output = handler_output()

    assert [seen.path for seen in service.seen] == ["/echo", SLACK_HOOK], "every secret was used"
    assert task["state"] == "error"
    assert task["error"]["message"].endswith("rejected Bearer ***")
    (run,) = runs_of(history, "leaky")
    assert run["logs"][0]["message"] == 'service said {"heard":"Bearer ***"} *** ***'
    assert ws.api.ok("GET", "/v1/connectors/slack")["config"]["webhook_url"] == {
        "secret": "connector.slack.webhook_url"
    }
    assert "rejected Bearer ***" in output, "the runner's log line of the failure was captured"
    for secret in (CRM_TOKEN, GITHUB_KEY, SLACK_HOOK.rsplit("/", 1)[-1]):
        assert secret not in json.dumps(answers, ensure_ascii=False), secret
        assert secret not in output, secret
    assert answers[1]["key"] not in output, "the webhook's key is its credential"


def test_steps_without_connector_calls_still_run_where_none_are_configured(
    new_workspace: NewWorkspace,
) -> None:
    ws = new_workspace()
    ws.put_step("plain", step_file("{n: Number}", "data.n += 1;"))

    task = ws.settle(ws.new_task({"n": 1}))

    assert task["data"] == {"n": 2}
    assert ws.api.ok("GET", "/v1/connectors") == {"connectors": []}


# What the functions' policies must allow


SAM_POLICY_ACTIONS = {
    "DynamoDBCrudPolicy": {
        f"dynamodb:{action}"
        for action in (
            "GetItem",
            "DeleteItem",
            "PutItem",
            "Scan",
            "Query",
            "UpdateItem",
            "BatchWriteItem",
            "BatchGetItem",
            "DescribeTable",
            "ConditionCheckItem",
        )
    },
    "SQSSendMessagePolicy": {"sqs:SendMessage"},
    "SQSPollerPolicy": {
        f"sqs:{action}"
        for action in (
            "ChangeMessageVisibility",
            "ChangeMessageVisibilityBatch",
            "DeleteMessage",
            "DeleteMessageBatch",
            "GetQueueAttributes",
            "ReceiveMessage",
        )
    },
    "AWSSecretsManagerGetSecretValuePolicy": {"secretsmanager:GetSecretValue"},
}
"""The actions of the SAM policy templates the template uses (SAM's policy_templates.json)."""

IAM_ACTIONS = {
    "dynamodb.TransactWriteItems": {"dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"},
    "sqs.SendMessageBatch": {"sqs:SendMessage"},
}
"""Operations authorised by other actions than their own name."""

FUNCTIONS = {API: "ApiFunction", "match": "MatchFunction", "run_step": "RunStepFunction"}


def granted_actions(template: dict[str, Any], logical_id: str) -> set[str]:
    actions: set[str] = set()
    for policy in properties(template, logical_id)["Policies"]:
        for statement in policy.get("Statement", []):
            actions.update(statement["Action"])
        actions.update(
            action for name in policy if name != "Statement" for action in SAM_POLICY_ACTIONS[name]
        )
    return actions


def test_every_request_the_functions_make_is_one_their_policies_allow(
    new_workspace: NewWorkspace, pipeline: PipelineDriver, service: FakeService, template: dict[str, Any]
) -> None:
    """Connectors and webhooks need nothing new: their items are in the table (CRUD policies), and
    connector secrets and signing keys are workspace secrets under the prefix the API writes and
    the runner reads."""
    service.route("POST", "/upsert", json_reply({"contact_id": "c-1"}))
    service.route("POST", SLACK_HOOK, text_reply("ok"))
    ws = new_workspace({"egress_allow": ["127.0.0.1"]})
    configure_crm(ws, service)
    slack = {"type": "slack", "config": {"webhook_url": f"{service.url}{SLACK_HOOK}"}}
    ws.api.ok("PUT", "/v1/connectors/slack", slack)
    ws.put_step(
        "sync",
        step_file(
            "{ref: String}",
            "await connectors.crm.upsert({}); await connectors.slack.send({text: 'hi'}); task.complete();",
        ),
    )
    made = github_webhook(ws, rate_limit_per_minute=1)
    assert deliver(pipeline, github_delivery(made["key"])).status == 202
    assert deliver(pipeline, github_delivery(made["key"])).status == 429
    pipeline.run_until_quiet()
    assert [t["state"] for t in ws.api.ok("GET", "/v1/tasks")["tasks"]] == ["done"]
    ws.api.ok("DELETE", "/v1/connectors/slack", status=204)
    ws.api.ok("DELETE", "/v1/webhooks/github", status=204)

    def operations(caller: str) -> set[str]:
        return {operation for who, operation in pipeline.requests.counts if who == caller}

    assert {
        "dynamodb.UpdateItem",
        "secretsmanager.PutSecretValue",
        "secretsmanager.GetSecretValue",
    } <= operations(API)
    assert {"dynamodb.Query", "secretsmanager.GetSecretValue"} <= operations("run_step")
    for caller, logical_id in FUNCTIONS.items():
        needed = set().union(*(IAM_ACTIONS.get(o, {o.replace(".", ":", 1)}) for o in operations(caller)))
        assert needed <= granted_actions(template, logical_id), (
            logical_id,
            needed - granted_actions(template, logical_id),
        )
