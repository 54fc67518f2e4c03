"""template.yaml against the code it deploys: the table design, the handlers, the settings, the
pipeline's delivery rules (architecture.md) and least-privilege policies."""

import ast
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

from aloma_core.adapters.aws.table import TTL_ATTRIBUTE, table_definition
from aloma_core.limits import Limits
from aloma_core.settings import Settings
from cfn_yaml import TEMPLATE, load_template, properties, resolve, resource, resources_of_type

ROOT = TEMPLATE.parent
FUNCTION = "AWS::Serverless::Function"
# api.md, "Lambda entry points and settings".
HANDLERS = {
    "ApiFunction": "functions/api/app.handler",
    "MatchFunction": "functions/match/app.handler",
    "RunStepFunction": "functions/run_step/app.handler",
    "TickFunction": "functions/tick/app.handler",
}


def function_setting(template: dict[str, Any], logical_id: str, name: str) -> Any:
    """A function property as SAM applies it: the function's own value, else the Globals one."""
    own = properties(template, logical_id)
    return own[name] if name in own else template["Globals"]["Function"][name]


def environment(template: dict[str, Any], logical_id: str) -> dict[str, Any]:
    variables = dict(template["Globals"]["Function"]["Environment"]["Variables"])
    variables.update(properties(template, logical_id).get("Environment", {}).get("Variables", {}))
    return variables


def only_event(template: dict[str, Any], logical_id: str) -> dict[str, Any]:
    events = list(properties(template, logical_id)["Events"].values())
    assert len(events) == 1
    event: dict[str, Any] = events[0]
    return event


def event_on_queue(template: dict[str, Any], logical_id: str, queue: str) -> dict[str, Any]:
    """The function's one SQS event that reads the queue `queue`."""
    (event,) = [
        event
        for event in properties(template, logical_id)["Events"].values()
        if event["Type"] == "SQS" and event["Properties"]["Queue"] == {"Fn::GetAtt": [queue, "Arn"]}
    ]
    return event


def alarms(template: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        name: body["Properties"]
        for name, body in resources_of_type(template, "AWS::CloudWatch::Alarm").items()
    }


# The table


def test_the_table_is_the_one_table_definition_creates(template: dict[str, Any]) -> None:
    declared = properties(template, "Table")
    expected = table_definition("unused")

    def by_name(items: list[dict[str, Any]], key: str) -> dict[str, Any]:
        return {item[key]: item for item in items}

    assert declared["KeySchema"] == expected["KeySchema"]
    assert by_name(declared["AttributeDefinitions"], "AttributeName") == by_name(
        list(expected["AttributeDefinitions"]), "AttributeName"
    )
    assert by_name(declared["GlobalSecondaryIndexes"], "IndexName") == by_name(
        list(expected["GlobalSecondaryIndexes"]), "IndexName"
    )
    assert declared["BillingMode"] == expected["BillingMode"]
    assert (
        declared["StreamSpecification"]["StreamViewType"] == expected["StreamSpecification"]["StreamViewType"]
    )
    assert declared["TimeToLiveSpecification"] == {"AttributeName": TTL_ATTRIBUTE, "Enabled": True}
    assert declared["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}
    assert declared["SSESpecification"]["SSEEnabled"] is True


# Functions, handlers and settings


def test_the_functions_are_the_handlers_of_api_md_and_the_files_define_them(template: dict[str, Any]) -> None:
    functions = resources_of_type(template, FUNCTION)

    assert {name: body["Properties"]["Handler"] for name, body in functions.items()} == HANDLERS
    for handler in HANDLERS.values():
        module, _, name = handler.rpartition(".")
        source = (ROOT / f"{module}.py").read_text()
        defined = {node.name for node in ast.parse(source).body if isinstance(node, ast.FunctionDef)}
        assert name in defined, handler


def test_each_function_is_built_by_a_makefile_target_of_its_name(template: dict[str, Any]) -> None:
    makefile = (ROOT / "Makefile").read_text()

    for name in HANDLERS:
        assert resource(template, name)["Metadata"] == {"BuildMethod": "makefile"}
        assert properties(template, name)["CodeUri"] == "."
        assert f"build-{name}" in makefile


def test_every_function_uses_the_quickjs_layer_built_for_its_runtime_and_architecture(
    template: dict[str, Any],
) -> None:
    layer = resource(template, "QuickJsLayer")
    runtime = template["Globals"]["Function"]["Runtime"]
    architectures = template["Globals"]["Function"]["Architectures"]

    for name in HANDLERS:
        # SAM appends a function's own layers to the global ones.
        layers = template["Globals"]["Function"]["Layers"] + properties(template, name).get("Layers", [])
        assert {"Ref": "QuickJsLayer"} in layers
        assert function_setting(template, name, "Runtime") == runtime
        assert function_setting(template, name, "Architectures") == architectures
    assert layer["Properties"]["CompatibleRuntimes"] == [runtime]
    assert layer["Properties"]["CompatibleArchitectures"] == architectures
    assert layer["Metadata"] == {"BuildMethod": runtime, "BuildArchitecture": architectures[0]}
    requirements = (ROOT / layer["Properties"]["ContentUri"] / "requirements.txt").read_text()
    assert "quickjs-ng" in requirements


def test_the_environment_names_only_settings_that_exist(template: dict[str, Any]) -> None:
    for name in HANDLERS:
        variables = environment(template, name)
        aloma = {key.removeprefix("ALOMA_").lower() for key in variables if key.startswith("ALOMA_")}

        assert aloma <= set(Settings.model_fields)
        assert variables["ALOMA_BACKEND"] == "aws"
        assert variables["ALOMA_TABLE"] == {"Ref": "Table"}
        assert variables["ALOMA_QUEUE_URL"] == {"Ref": "StepQueue"}
        assert variables["ALOMA_ADMIN_TOKEN_SECRET"] == {"Ref": "AdminTokenSecret"}
        assert "ALOMA_ADMIN_TOKEN" not in variables  # the token itself never sits in configuration


# Delivery rules of architecture.md


def test_the_runner_takes_one_message_and_its_timeout_covers_a_whole_step_run(
    template: dict[str, Any],
) -> None:
    event = event_on_queue(template, "RunStepFunction", "StepQueue")
    timeout_s = function_setting(template, "RunStepFunction", "Timeout")

    assert event["Properties"]["BatchSize"] == 1
    assert event["Properties"]["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert timeout_s > event["Properties"]["BatchSize"] * Limits().wall_time_ms / 1000


def test_the_step_queue_hides_a_message_for_at_least_six_runner_timeouts(template: dict[str, Any]) -> None:
    timeout_s = function_setting(template, "RunStepFunction", "Timeout")

    assert properties(template, "StepQueue")["VisibilityTimeout"] >= 6 * timeout_s


def test_the_runner_consumes_the_step_dlq_and_knows_which_queue_that_is(template: dict[str, Any]) -> None:
    """A runner stopped on a message's last delivery records nothing; the runner reads the DLQ to
    record those lost runs, and tells its messages apart by their event source ARN."""
    event = event_on_queue(template, "RunStepFunction", "StepDlq")
    timeout_s = function_setting(template, "RunStepFunction", "Timeout")
    policies = properties(template, "RunStepFunction")["Policies"]

    assert event["Properties"]["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert 1 <= event["Properties"]["BatchSize"] <= 10
    assert environment(template, "RunStepFunction")["ALOMA_DEAD_LETTER_QUEUE_ARN"] == {
        "Fn::GetAtt": ["StepDlq", "Arn"]
    }
    assert {"SQSPollerPolicy": {"QueueName": {"Fn::GetAtt": ["StepDlq", "QueueName"]}}} in policies
    # Lambda refuses an SQS event whose queue hides a message for less than the function's timeout.
    assert properties(template, "StepDlq")["VisibilityTimeout"] >= 6 * timeout_s
    for other in ("ApiFunction", "MatchFunction"):
        assert "ALOMA_DEAD_LETTER_QUEUE_ARN" not in environment(template, other)


def test_the_runner_knows_the_queues_max_receive_count(template: dict[str, Any]) -> None:
    redrive = properties(template, "StepQueue")["RedrivePolicy"]
    told = environment(template, "RunStepFunction")["ALOMA_MAX_RECEIVES"]

    assert redrive["deadLetterTargetArn"] == {"Fn::GetAtt": ["StepDlq", "Arn"]}
    assert redrive["maxReceiveCount"] == told  # one parameter feeds both, so they cannot drift
    assert int(resolve(template, told)) >= 1


def test_the_matcher_reads_the_stream_with_partial_failures_bounded_retries_and_a_failure_queue(
    template: dict[str, Any],
) -> None:
    event = only_event(template, "MatchFunction")
    source = event["Properties"]

    assert event["Type"] == "DynamoDB"
    assert source["Stream"] == {"Fn::GetAtt": ["Table", "StreamArn"]}
    assert source["StartingPosition"] == "LATEST"
    assert source["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert source["BisectBatchOnFunctionError"] is True
    assert 0 <= source["MaximumRetryAttempts"] <= 100
    assert 60 <= source["MaximumRecordAgeInSeconds"] <= 86_400
    assert source["DestinationConfig"]["OnFailure"] == {
        "Type": "SQS",
        "Destination": {"Fn::GetAtt": ["StreamFailureQueue", "Arn"]},
    }


def test_the_api_function_serves_every_route_of_the_http_api(template: dict[str, Any]) -> None:
    event = only_event(template, "ApiFunction")

    assert event["Type"] == "HttpApi"
    assert event["Properties"]["ApiId"] == {"Ref": "HttpApi"}
    assert (event["Properties"]["Method"], event["Properties"]["Path"]) == ("ANY", "$default")
    assert set(properties(template, "HttpApi")["DefaultRouteSettings"]) == {
        "ThrottlingBurstLimit",
        "ThrottlingRateLimit",
    }


# The matcher's stream filter, evaluated on records as DynamoDB Streams writes them


def filter_matches(pattern: Mapping[str, Any], record: Mapping[str, Any]) -> bool:
    """EventBridge pattern matching, the part a filter of exact values uses: each key of the pattern
    must be in the record; a leaf list matches when the value (or any element of it) is listed."""
    for key, wanted in pattern.items():
        if key not in record:
            return False
        value = record[key]
        if isinstance(wanted, Mapping):
            if not (isinstance(value, Mapping) and filter_matches(wanted, value)):
                return False
            continue
        assert all(isinstance(option, str | int | float | bool) for option in wanted), "operators unsupported"
        if not any(item in wanted for item in (value if isinstance(value, list) else [value])):
            return False
    return True


def stream_record(event_name: str, kind: str | None, rematch: bool = True) -> dict[str, Any]:
    keys = {"pk": {"S": "WS#w1#TASK#t1"}, "sk": {"S": "TASK"}}
    dynamodb: dict[str, Any] = {"Keys": keys, "SequenceNumber": "100", "StreamViewType": "NEW_IMAGE"}
    if kind is not None:
        image = {**keys, "kind": {"S": kind}, "version": {"N": "2"}, "rematch": {"BOOL": rematch}}
        dynamodb["NewImage"] = image
    return {"eventID": "1", "eventName": event_name, "eventSource": "aws:dynamodb", "dynamodb": dynamodb}


@pytest.mark.parametrize(
    ("event_name", "kind", "delivered"),
    [
        ("INSERT", "task", True),
        ("MODIFY", "task", True),
        ("INSERT", "event", False),
        ("MODIFY", "event", False),
        ("INSERT", "step", False),
        ("MODIFY", "steps_meta", False),
        ("INSERT", "workspace", False),
        ("INSERT", "key", False),
        ("INSERT", "tasks", False),
        ("INSERT", "connector", False),
        ("MODIFY", "connector", False),
        ("INSERT", "webhook", False),
        ("INSERT", "webhook_key", False),
        ("INSERT", "rate", False),
        ("MODIFY", "rate", False),
        ("REMOVE", None, False),  # a TTL deletion: NEW_IMAGE streams carry no image for it
        ("MODIFY", None, False),
    ],
)
def test_only_stored_task_versions_reach_the_matcher(
    template: dict[str, Any], event_name: str, kind: str | None, delivered: bool
) -> None:
    filters = only_event(template, "MatchFunction")["Properties"]["FilterCriteria"]["Filters"]
    record = stream_record(event_name, kind)

    assert any(filter_matches(json.loads(item["Pattern"]), record) for item in filters) is delivered


def test_a_quiet_task_version_stays_out(template: dict[str, Any]) -> None:
    """A dispatch or a run starting changes nothing that matches: the matcher is not invoked for it."""
    filters = only_event(template, "MatchFunction")["Properties"]["FilterCriteria"]["Filters"]
    record = stream_record("MODIFY", "task", rematch=False)

    assert not any(filter_matches(json.loads(item["Pattern"]), record) for item in filters)


def test_a_removed_task_item_stays_out_even_if_its_last_image_came_along(template: dict[str, Any]) -> None:
    """Were the stream view ever widened, a REMOVE would carry an image; eventName still drops it."""
    filters = only_event(template, "MatchFunction")["Properties"]["FilterCriteria"]["Filters"]
    record = stream_record("REMOVE", "task")

    assert not any(filter_matches(json.loads(item["Pattern"]), record) for item in filters)


def test_the_filter_matcher_matches_lists_and_refuses_absent_keys() -> None:
    pattern = {"a": {"b": ["x", "y"]}}

    assert filter_matches(pattern, {"a": {"b": "y", "c": 1}})
    assert filter_matches(pattern, {"a": {"b": ["z", "x"]}})
    assert not filter_matches(pattern, {"a": {"b": "z"}})
    assert not filter_matches(pattern, {"a": {}})
    assert not filter_matches(pattern, {"a": "b"})


# Secrets and policies


SECRETS_PREFIX = "aloma/${AWS::StackName}/"


def test_workspace_secrets_and_the_admin_token_live_apart(template: dict[str, Any]) -> None:
    secret = properties(template, "AdminTokenSecret")
    outputs = template["Outputs"]

    assert template["Globals"]["Function"]["Environment"]["Variables"]["ALOMA_SECRETS_PREFIX"] == {
        "Fn::Sub": SECRETS_PREFIX
    }
    assert not secret["Name"]["Fn::Sub"].startswith(SECRETS_PREFIX)
    assert outputs["AdminTokenSecretName"]["Value"] == secret["Name"]
    generated = secret["GenerateSecretString"]
    assert "SecretStringTemplate" not in generated  # a plain string, not JSON
    assert generated["ExcludePunctuation"] is True


def secret_statements(template: dict[str, Any], logical_id: str) -> dict[str, set[str]]:
    """Resource -> actions, over the function's explicit secretsmanager statements."""
    granted: dict[str, set[str]] = {}
    for policy in properties(template, logical_id)["Policies"]:
        for statement in policy.get("Statement", []):
            if all(action.startswith("secretsmanager:") for action in statement["Action"]):
                granted.setdefault(json.dumps(statement["Resource"]), set()).update(statement["Action"])
    return granted


def test_the_api_writes_workspace_secrets_and_the_runner_and_tick_only_read_them(
    template: dict[str, Any],
) -> None:
    prefix_arn = json.dumps(
        {
            "Fn::Sub": "arn:${AWS::Partition}:secretsmanager:${AWS::Region}:${AWS::AccountId}:secret:"
            + SECRETS_PREFIX
            + "*"
        }
    )

    assert secret_statements(template, "ApiFunction") == {
        prefix_arn: {
            "secretsmanager:CreateSecret",
            "secretsmanager:DescribeSecret",
            "secretsmanager:GetSecretValue",
            "secretsmanager:PutSecretValue",
            "secretsmanager:UpdateSecretVersionStage",
        }
    }
    assert secret_statements(template, "RunStepFunction") == {prefix_arn: {"secretsmanager:GetSecretValue"}}
    assert secret_statements(template, "MatchFunction") == {}
    # Notifications: a connector target's credentials, and the values messages are masked with.
    assert secret_statements(template, "TickFunction") == {prefix_arn: {"secretsmanager:GetSecretValue"}}
    assert {
        "AWSSecretsManagerGetSecretValuePolicy": {"SecretArn": {"Ref": "AdminTokenSecret"}}
    } in properties(template, "ApiFunction")["Policies"]


def references_a_resource(template: dict[str, Any], value: Any) -> bool:
    """A policy template argument names one resource of this template (Ref or GetAtt)."""
    if isinstance(value, dict) and set(value) == {"Ref"}:
        return value["Ref"] in template["Resources"]
    if isinstance(value, dict) and set(value) == {"Fn::GetAtt"}:
        return value["Fn::GetAtt"][0] in template["Resources"]
    return False


def test_every_policy_is_scoped_to_this_stacks_resources(template: dict[str, Any]) -> None:
    for name in HANDLERS:
        for policy in properties(template, name)["Policies"]:
            assert isinstance(policy, dict), f"{name}: managed policy {policy!r} is not scoped"
            if "Statement" not in policy:
                (arguments,) = policy.values()
                assert all(references_a_resource(template, value) for value in arguments.values()), policy
                continue
            for statement in policy["Statement"]:
                resources = statement["Resource"]
                for target in resources if isinstance(resources, list) else [resources]:
                    if target == "*":
                        assert all(action.startswith("xray:") for action in statement["Action"]), statement
                        continue
                    # A wildcard only ends an ARN that already names this stack's own prefix.
                    text = target["Fn::Sub"]
                    assert "*" not in text.removesuffix("*"), statement
                    assert "${AWS::StackName}" in text, statement


# Operations


def test_each_function_logs_to_its_own_retained_group_and_has_an_errors_alarm(
    template: dict[str, Any],
) -> None:
    groups = resources_of_type(template, "AWS::Logs::LogGroup")
    log_names = [group["Properties"]["LogGroupName"] for group in groups.values()]
    watched = {
        json.dumps(dimension["Value"])
        for alarm in alarms(template).values()
        if alarm.get("MetricName") == "Errors"
        for dimension in alarm["Dimensions"]
    }

    for name in HANDLERS:
        assert {"Fn::Sub": f"/aws/lambda/${{{name}}}"} in log_names
        assert json.dumps({"Ref": name}) in watched
    for group in groups.values():
        assert group["Properties"]["RetentionInDays"] == {"Ref": "LogRetentionDays"}


def test_the_tick_runs_every_minute_touches_the_table_and_reads_secrets_and_is_not_retried(
    template: dict[str, Any],
) -> None:
    event = only_event(template, "TickFunction")
    assert event["Type"] == "Schedule"
    assert event["Properties"]["Schedule"] == "rate(1 minute)"
    # A failed tick is not retried: the next minute's tick fires whatever it left due.
    assert event["Properties"]["RetryPolicy"] == {"MaximumRetryAttempts": 0}
    policies = properties(template, "TickFunction")["Policies"]
    assert policies[0] == {"DynamoDBCrudPolicy": {"TableName": {"Ref": "Table"}}}
    assert [list(policy) for policy in policies[1:]] == [["Statement"]]


def test_server_errors_of_the_api_raise_an_alarm(template: dict[str, Any]) -> None:
    """FastAPI turns an exception into a 500 answer, which no Errors metric of Lambda counts."""
    watched = [
        alarm["Dimensions"]
        for alarm in alarms(template).values()
        if (alarm.get("Namespace"), alarm.get("MetricName")) == ("AWS/ApiGateway", "5xx")
    ]

    assert watched == [[{"Name": "ApiId", "Value": {"Ref": "HttpApi"}}]]


def test_a_message_in_the_stream_failure_queue_raises_an_alarm(template: dict[str, Any]) -> None:
    depth = {
        alarm["Dimensions"][0]["Value"]["Fn::GetAtt"][0]: alarm
        for alarm in alarms(template).values()
        if alarm.get("MetricName") == "ApproximateNumberOfMessagesVisible"
    }

    assert set(depth) == {"StreamFailureQueue"}
    assert (depth["StreamFailureQueue"]["ComparisonOperator"], depth["StreamFailureQueue"]["Threshold"]) == (
        "GreaterThanThreshold",
        0,
    )


def test_a_step_dlq_that_does_not_drain_raises_an_alarm(template: dict[str, Any]) -> None:
    """The runner drains the DLQ, so messages that stay mean its dead-letter consumer is failing.
    A message it keeps failing on is in flight most of the time: in-flight ones count as well."""
    alarm = alarms(template)["StepDlqAlarm"]
    stats = {query["Id"]: query["MetricStat"] for query in alarm["Metrics"] if "MetricStat" in query}
    (expression,) = [query for query in alarm["Metrics"] if "Expression" in query]

    assert {
        (stat["Metric"]["MetricName"], json.dumps(stat["Metric"]["Dimensions"])) for stat in stats.values()
    } == {
        (name, json.dumps([{"Name": "QueueName", "Value": {"Fn::GetAtt": ["StepDlq", "QueueName"]}}]))
        for name in ("ApproximateNumberOfMessagesVisible", "ApproximateNumberOfMessagesNotVisible")
    }
    assert all(stat["Metric"]["Namespace"] == "AWS/SQS" for stat in stats.values())
    assert set(expression["Expression"].replace("+", " ").split()) == set(stats)
    assert expression.get("ReturnData", True) is True
    assert all(query.get("ReturnData") is False for query in alarm["Metrics"] if "MetricStat" in query)
    assert (alarm["ComparisonOperator"], alarm["Threshold"]) == ("GreaterThanThreshold", 0)
    assert "consumer" in alarm["AlarmDescription"]


def test_a_lost_run_raises_an_alarm_on_the_metric_the_runner_emits(template: dict[str, Any]) -> None:
    """RunsLost comes from Powertools Metrics: the namespace and the `service` dimension it adds
    (the pipeline tests check the alarm against what the runner really prints)."""
    (alarm,) = [alarm for alarm in alarms(template).values() if alarm.get("MetricName") == "RunsLost"]
    variables = template["Globals"]["Function"]["Environment"]["Variables"]

    assert alarm["Namespace"] == variables["POWERTOOLS_METRICS_NAMESPACE"]
    assert alarm["Dimensions"] == [{"Name": "service", "Value": variables["POWERTOOLS_SERVICE_NAME"]}]
    assert (alarm["Statistic"], alarm["ComparisonOperator"], alarm["Threshold"]) == (
        "Sum",
        "GreaterThanThreshold",
        0,
    )
    assert alarm["AlarmActions"] == {
        "Fn::If": ["HasAlarmEmail", [{"Ref": "AlarmTopic"}], {"Ref": "AWS::NoValue"}]
    }


def test_the_outputs_give_what_the_readme_tells_a_deployer_to_read(template: dict[str, Any]) -> None:
    assert {
        "ApiUrl",
        "AdminTokenSecretName",
        "TableName",
        "StepQueueUrl",
        "StepDlqUrl",
        "LogGroups",
    } <= set(template["Outputs"])


def test_the_loader_gives_short_tags_their_long_form(tmp_path: Path) -> None:
    path = tmp_path / "t.yaml"
    path.write_text(
        "Parameters: {Size: {Type: Number, Default: 3}}\n"
        "Resources:\n"
        "  Q:\n"
        "    Type: AWS::SQS::Queue\n"
        "    Properties:\n"
        "      A: !Ref Size\n"
        "      B: !GetAtt Other.Arn\n"
        '      C: !Sub ["${X}-1", {X: !Ref AWS::Region}]\n'
        "      D: !If [Cond, !Ref Size, !Ref AWS::NoValue]\n"
        "      E: !Join [',', [a, b]]\n"
    )
    template = load_template(path)
    queue = properties(template, "Q")

    assert queue == {
        "A": {"Ref": "Size"},
        "B": {"Fn::GetAtt": ["Other", "Arn"]},
        "C": {"Fn::Sub": ["${X}-1", {"X": {"Ref": "AWS::Region"}}]},
        "D": {"Fn::If": ["Cond", {"Ref": "Size"}, {"Ref": "AWS::NoValue"}]},
        "E": {"Fn::Join": [",", ["a", "b"]]},
    }
    assert resolve(template, queue["A"]) == "3"
    assert resolve(template, queue["D"]) == {"Fn::If": ["Cond", "3", {"Ref": "AWS::NoValue"}]}
