"""The corrections of moto_fixes.py hold: a cancelled transaction writes nothing, to the table or
to its stream, and the stream goes on showing later writes."""

from typing import Any

import boto3
import pytest
from mypy_boto3_dynamodb.client import DynamoDBClient

from aloma_core.adapters.aws.table import TASK_SK


def stream_records(dynamodb: DynamoDBClient, table: str, iterator: str | None) -> tuple[list[str], str]:
    streams = boto3.client("dynamodbstreams", region_name="us-east-1")
    if iterator is None:
        arn = dynamodb.describe_table(TableName=table)["Table"]["LatestStreamArn"]
        shard = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]["ShardId"]
        iterator = streams.get_shard_iterator(StreamArn=arn, ShardId=shard, ShardIteratorType="LATEST")[
            "ShardIterator"
        ]
    answer = streams.get_records(ShardIterator=iterator)
    return [record["dynamodb"]["Keys"]["pk"]["S"] for record in answer["Records"]], answer[
        "NextShardIterator"
    ]


def test_a_cancelled_transaction_leaves_no_stream_record_and_later_writes_show(
    dynamodb: DynamoDBClient,
) -> None:
    table = dynamodb.list_tables()["TableNames"][0]
    _, iterator = stream_records(dynamodb, table, None)
    with pytest.raises(dynamodb.exceptions.TransactionCanceledException):
        dynamodb.transact_write_items(
            TransactItems=[
                {"Put": {"TableName": table, "Item": {"pk": {"S": "leaked"}, "sk": {"S": TASK_SK}}}},
                {
                    "Put": {
                        "TableName": table,
                        "Item": {"pk": {"S": "guarded"}, "sk": {"S": TASK_SK}},
                        "ConditionExpression": "attribute_exists(pk)",
                    }
                },
            ]
        )
    assert "Item" not in dynamodb.get_item(TableName=table, Key={"pk": {"S": "leaked"}, "sk": {"S": TASK_SK}})
    dynamodb.put_item(TableName=table, Item={"pk": {"S": "later"}, "sk": {"S": TASK_SK}})

    keys, _ = stream_records(dynamodb, table, iterator)

    assert keys == ["later"]


def test_a_cancelled_transaction_puts_back_the_items_it_changed_and_a_committed_one_keeps_them(
    dynamodb: DynamoDBClient,
) -> None:
    table = dynamodb.list_tables()["TableNames"][0]

    def key(pk: str) -> dict[str, Any]:
        return {"pk": {"S": pk}, "sk": {"S": TASK_SK}}

    def value(pk: str) -> str | None:
        item = dynamodb.get_item(TableName=table, Key=key(pk)).get("Item")
        return None if item is None else item["v"]["S"]

    for pk in ("replaced", "updated", "deleted"):
        dynamodb.put_item(TableName=table, Item={**key(pk), "v": {"S": "before"}})
    changes: list[Any] = [
        {"Put": {"TableName": table, "Item": {**key("replaced"), "v": {"S": "after"}}}},
        {
            "Update": {
                "TableName": table,
                "Key": key("updated"),
                "UpdateExpression": "SET v = :v",
                "ExpressionAttributeValues": {":v": {"S": "after"}},
            }
        },
        {"Delete": {"TableName": table, "Key": key("deleted")}},
    ]
    with pytest.raises(dynamodb.exceptions.TransactionCanceledException):
        dynamodb.transact_write_items(
            TransactItems=[
                *changes,
                {
                    "ConditionCheck": {
                        "TableName": table,
                        "Key": key("absent"),
                        "ConditionExpression": "attribute_exists(pk)",
                    }
                },
            ]
        )
    assert [value(pk) for pk in ("replaced", "updated", "deleted")] == ["before"] * 3

    dynamodb.transact_write_items(TransactItems=changes)
    assert [value(pk) for pk in ("replaced", "updated", "deleted")] == ["after", "after", None]


def test_a_query_of_the_table_reads_its_partition_in_sort_key_order(dynamodb: DynamoDBClient) -> None:
    table = dynamodb.list_tables()["TableNames"][0]
    for pk, sk in [("b", "2"), ("a", "9"), ("b", "1"), ("c", "1"), ("b", "3")]:
        dynamodb.put_item(TableName=table, Item={"pk": {"S": pk}, "sk": {"S": sk}})

    def sort_keys(pk: str, forward: bool = True) -> list[str]:
        answer = dynamodb.query(
            TableName=table,
            KeyConditionExpression="pk = :pk",
            ExpressionAttributeValues={":pk": {"S": pk}},
            ScanIndexForward=forward,
        )
        return [item["sk"]["S"] for item in answer["Items"]]

    assert sort_keys("b") == ["1", "2", "3"]
    assert sort_keys("b", forward=False) == ["3", "2", "1"]
    assert sort_keys("a") == ["9"]
    assert sort_keys("none") == []
