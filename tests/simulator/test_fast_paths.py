"""moto's shorter paths answer exactly what moto's own serializer answers, and keep its checks."""

from __future__ import annotations

from typing import Any

import boto3
import botocore.session
import pytest
from botocore.exceptions import ClientError
from botocore.parsers import create_parser
from moto import mock_aws
from moto.core import responses

from connect_survey.simulator.fast_paths import (
    JSON_REPLIES,
    fast_paths,
    json_reply,
    shared_service_data,
)

TABLE = "items"
KEY = [
    {"AttributeName": "pk", "KeyType": "HASH"},
    {"AttributeName": "sk", "KeyType": "RANGE"},
]
ATTRIBUTES = [
    {"AttributeName": "pk", "AttributeType": "S"},
    {"AttributeName": "sk", "AttributeType": "S"},
]


def _item(sk: str) -> dict[str, Any]:
    return {
        "pk": {"S": "contact"},
        "sk": {"S": sk},
        "score": {"N": "4"},
        "scores": {"M": {"q1": {"N": "1"}, "q2": {"N": "5"}}},
        "tags": {"SS": ["a", "b"]},
        "flag": {"BOOL": True},
        "none": {"NULL": True},
        "list": {"L": [{"S": "x"}, {"N": "2.5"}]},
    }


def _play_every_item_operation(client: Any) -> None:
    client.put_item(TableName=TABLE, Item=_item("a"))
    client.put_item(TableName=TABLE, Item=_item("a"), ReturnValues="ALL_OLD")
    client.get_item(TableName=TABLE, Key={"pk": {"S": "contact"}, "sk": {"S": "a"}})
    client.update_item(
        TableName=TABLE,
        Key={"pk": {"S": "contact"}, "sk": {"S": "b"}},
        UpdateExpression="SET #s = :s, done = if_not_exists(done, :t)",
        ExpressionAttributeNames={"#s": "status"},
        ExpressionAttributeValues={":s": {"S": "complete"}, ":t": {"N": "1"}},
        ReturnValues="ALL_NEW",
    )
    client.query(
        TableName=TABLE,
        KeyConditionExpression="pk = :p",
        ExpressionAttributeValues={":p": {"S": "contact"}},
        ConsistentRead=True,
    )
    client.scan(TableName=TABLE)
    client.batch_write_item(RequestItems={TABLE: [{"PutRequest": {"Item": _item("c")}}]})
    client.batch_get_item(
        RequestItems={TABLE: {"Keys": [{"pk": {"S": "contact"}, "sk": {"S": s}} for s in "abc"]}}
    )
    client.transact_write_items(TransactItems=[{"Put": {"TableName": TABLE, "Item": _item("d")}}])
    client.transact_get_items(
        TransactItems=[
            {"Get": {"TableName": TABLE, "Key": {"pk": {"S": "contact"}, "sk": {"S": "d"}}}}
        ]
    )
    client.delete_item(
        TableName=TABLE, Key={"pk": {"S": "contact"}, "sk": {"S": "d"}}, ReturnValues="ALL_OLD"
    )


def _create_table(client: Any) -> None:
    client.create_table(
        TableName=TABLE,
        KeySchema=KEY,
        AttributeDefinitions=ATTRIBUTES,
        BillingMode="PAY_PER_REQUEST",
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
    )


def test_json_reply_parses_to_what_motos_serializer_answers(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # GIVEN moto's serializer wrapped to also build the short path's reply for each request
    model = botocore.session.get_session().get_service_model("dynamodb")
    parser = create_parser("json")
    moto_serialized = responses.BaseResponse.serialized
    compared: set[str] = set()
    fell_back: set[str] = set()

    def both(handler: Any, action_result: Any) -> Any:
        reply = moto_serialized(handler, action_result)
        short = json_reply(handler, action_result)
        action = handler._get_action()
        if short is not None:
            shape = model.operation_model(action).output_shape

            def parsed(status: int, headers: dict[str, str], body: str) -> Any:
                response = {"status_code": status, "headers": headers, "body": body.encode()}
                parsed_reply = parser.parse(response, shape)
                parsed_reply.pop("ResponseMetadata", None)
                return parsed_reply

            # THEN botocore reads both replies as the same response
            assert parsed(*short) == parsed(*reply), action
            compared.add(action)
        else:
            fell_back.add(action)
        return reply

    monkeypatch.setattr(responses.BaseResponse, "serialized", both)

    # WHEN every item operation the short path covers is played
    with mock_aws():
        client = boto3.client("dynamodb", region_name="us-east-1")
        _create_table(client)
        _play_every_item_operation(client)
        # AND an item holding binary, which JSON cannot write, is read
        client.put_item(TableName=TABLE, Item={**_item("e"), "blob": {"B": b"\x00"}})
        fell_back.clear()
        client.get_item(TableName=TABLE, Key={"pk": {"S": "contact"}, "sk": {"S": "e"}})

    assert compared == JSON_REPLIES
    # AND the binary item took moto's own serializer
    assert fell_back == {"GetItem"}


def test_fast_paths_keep_motos_conditional_writes_and_stream() -> None:
    with mock_aws(), fast_paths():
        client = boto3.client("dynamodb", region_name="us-east-1")
        _create_table(client)
        client.put_item(TableName=TABLE, Item=_item("a"))

        # WHEN a conditional write meets an item already there
        with pytest.raises(ClientError) as refused:
            client.put_item(
                TableName=TABLE, Item=_item("a"), ConditionExpression="attribute_not_exists(pk)"
            )

        # THEN moto refuses it as DynamoDB does, and the stream holds the one write
        assert refused.value.response["Error"]["Code"] == "ConditionalCheckFailedException"
        arn = client.describe_table(TableName=TABLE)["Table"]["LatestStreamArn"]
        streams = boto3.client(
            "dynamodbstreams",
            region_name="us-east-1",
            endpoint_url="https://streams.dynamodb.us-east-1.amazonaws.com",
        )
        shard = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]
        iterator = streams.get_shard_iterator(
            StreamArn=arn, ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON"
        )["ShardIterator"]
        records = streams.get_records(ShardIterator=iterator)["Records"]
        assert [record["eventName"] for record in records] == ["INSERT"]


def test_fast_paths_end_with_their_block() -> None:
    before = responses.BaseResponse.serialized
    with fast_paths():
        assert responses.BaseResponse.serialized is not before
    assert responses.BaseResponse.serialized is before


def test_sessions_started_in_the_block_parse_service_data_once() -> None:
    # GIVEN two sessions started in one block, as moto and the handlers start them
    before = botocore.session.Session._register_data_loader
    with shared_service_data():
        first, second = botocore.session.Session(), botocore.session.Session()
        # THEN the second reads the model the first parsed, the same object
        assert first.get_component("data_loader") is second.get_component("data_loader")
        assert first.get_service_model("dynamodb").operation_names == (
            second.get_service_model("dynamodb").operation_names
        )
    # AND another block starts from nothing, and the block's patch ends with it
    with shared_service_data():
        third = botocore.session.Session()
    assert third.get_component("data_loader") is not first.get_component("data_loader")
    assert botocore.session.Session._register_data_loader is before
