"""The corrections of moto_fixes.py hold: a cancelled transaction writes nothing, to the table or
to its stream, and the stream goes on showing later writes."""

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
