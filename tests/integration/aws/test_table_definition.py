"""The table as `table_definition` creates it: the shape the SAM template must declare too."""

from mypy_boto3_dynamodb.client import DynamoDBClient
from store_support import table_name

from aloma_core.adapters.aws.table import GSI_DUE, GSI_STATES, GSI_TASKS, TTL_ATTRIBUTE, table_definition


def test_the_definition_creates_the_designed_table(dynamodb: DynamoDBClient) -> None:
    table = dynamodb.describe_table(TableName=table_name(dynamodb))["Table"]

    assert table["KeySchema"] == [
        {"AttributeName": "pk", "KeyType": "HASH"},
        {"AttributeName": "sk", "KeyType": "RANGE"},
    ]
    indexes = {index["IndexName"]: index for index in table["GlobalSecondaryIndexes"]}
    assert set(indexes) == {GSI_TASKS, GSI_STATES, GSI_DUE}
    for name, index in indexes.items():
        assert [key["AttributeName"] for key in index["KeySchema"]] == [f"{name}pk", f"{name}sk"]
        assert index["Projection"] == {"ProjectionType": "KEYS_ONLY"}
    assert table["StreamSpecification"] == {"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"}
    assert table["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
    ttl = dynamodb.describe_time_to_live(TableName=table_name(dynamodb))["TimeToLiveDescription"]
    assert (ttl["TimeToLiveStatus"], ttl["AttributeName"]) == ("ENABLED", TTL_ATTRIBUTE)


def test_every_key_attribute_is_a_string() -> None:
    definition = table_definition("t")

    assert {a["AttributeType"] for a in definition["AttributeDefinitions"]} == {"S"}
    declared = {a["AttributeName"] for a in definition["AttributeDefinitions"]}
    assert declared == {"pk", "sk", "gsi1pk", "gsi1sk", "gsi2pk", "gsi2sk", "gsi3pk", "gsi3sk"}
