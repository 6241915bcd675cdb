"""Alert function benchmark: one batch of 1,000 stream records (10 % low) vs the bare publishes.

Both run on the embedded AWS in the same process: the alert function over the real stream records
of 1,000 stored answers (100 of them low, one per contact), against exactly the SNS Publish and
EventBridge PutEvents calls those 100 alerts need, made directly.
"""

from __future__ import annotations

import os
import time
from typing import Any

RECORDS = 1000
LOW_SHARE = 10  # one record in ten is a low answer
REGION = "us-east-1"


def alert_batch() -> list[tuple[str, str, str, str, str]]:
    import boto3
    from moto import mock_aws

    from flows.stream import TableStream
    from lambdas.survey import alert, aws, contract
    from lambdas.survey.definition import SurveyDefinition
    from lambdas.survey.environment import handler_environment

    with mock_aws():
        dynamodb = boto3.client("dynamodb", region_name=REGION)
        contract.RESULTS_TABLE.create(dynamodb, "results")
        topic_arn = boto3.client("sns", region_name=REGION).create_topic(Name="alerts")["TopicArn"]
        os.environ.update(
            handler_environment(
                function_name="bench-alert",
                table_name="results",
                topic_arn=topic_arn,
                bus_name="default",
                survey=SurveyDefinition(),
                retention_days=30,
            )
        )
        aws.reset_clients()
        for i in range(RECORDS):
            score = "1" if i % LOW_SHARE == 0 else "5"
            dynamodb.put_item(
                TableName="results",
                Item={
                    contract.TABLE_PARTITION_KEY: {"S": f"contact-{i}"},
                    contract.TABLE_SORT_KEY: {"S": "effort"},
                    contract.ITEM_ATTRIBUTE: {"S": "EffortScore"},
                    contract.ITEM_SCORE: {"N": score},
                },
            )
        arn = dynamodb.describe_table(TableName="results")["Table"]["LatestStreamArn"]
        streams = boto3.client(
            "dynamodbstreams",
            region_name=REGION,
            endpoint_url=f"https://streams.dynamodb.{REGION}.amazonaws.com",
        )
        stream = TableStream(client=streams, stream_arn=arn, batch_size=RECORDS)
        stream.poll()
        batch: list[dict[str, Any]] = stream.pending[:RECORDS]
        assert len(batch) == RECORDS

        sns, events = aws.publisher("sns"), aws.publisher("events")
        sns.publish(TopicArn=topic_arn, Subject="warm", Message="warm")  # build both clients
        start = time.perf_counter()
        response = alert.handler({"Records": batch}, None)
        ours = time.perf_counter() - start
        assert response == {"batchItemFailures": []}

        start = time.perf_counter()
        for i in range(0, RECORDS, LOW_SHARE):
            sns.publish(TopicArn=topic_arn, Subject=f"s{i}", Message=f"contact-{i}")
            entry = {"Source": "bench", "DetailType": "bench", "Detail": "{}"}
            events.put_events(Entries=[{**entry, "EventBusName": "default"}])
        bare = time.perf_counter() - start
    return [
        (f"alert function: batch of {RECORDS:,} stream records ({LOW_SHARE} % low) vs the bare "
         "Publish + PutEvents those alerts need",
         f"{ours * 1000:.0f} ms", f"{bare * 1000:.0f} ms", f"{ours / bare:.2f}x", "≤ 1.5x"),
    ]  # fmt: skip
