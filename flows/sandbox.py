"""The embedded AWS the simulator runs the project's handlers against (moto, in process).

It creates what the stack defines for the handlers — the results table (same keys, index and
TTL), the alert topic, the default event bus — plus two queues that catch what the topic and
the bus deliver, so a call's stored answers and alerts can be read back afterwards.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from importlib import import_module
from typing import TYPE_CHECKING, Any

from flows.catalog import HANDLERS, handler_environment
from lambdas.survey import aws, contract

if TYPE_CHECKING:
    from flows.offline import OfflineStage

TABLE_NAME = "survey-results"
TOPIC_NAME = "survey-alerts"
BUS_NAME = "default"
FAKE_CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "simulator",
    "AWS_SECRET_ACCESS_KEY": "simulator",
    "AWS_SESSION_TOKEN": "simulator",
    "AWS_EC2_METADATA_DISABLED": "true",
    # The handlers' metric lines would drown the transcript; logs stay at WARNING for the same.
    "POWERTOOLS_METRICS_DISABLED": "true",
    "POWERTOOLS_LOG_LEVEL": "WARNING",
}

Handler = Callable[[dict[str, Any], Any], Any]


class Sandbox:
    """The project's handlers, each called with the environment the stack gives it."""

    def __init__(self, stage: OfflineStage, region: str) -> None:
        self.stage = stage
        self.region = region
        self._session: Any = None
        self._delivered: list[tuple[str, str]] = []  # (channel, body) read from the queues
        self.running = False

    def start(self) -> None:
        import boto3

        session = boto3.session.Session(region_name=self.region)
        self._session = session
        dynamodb = session.client("dynamodb")
        dynamodb.create_table(
            TableName=TABLE_NAME,
            BillingMode="PAY_PER_REQUEST",
            KeySchema=[
                {"AttributeName": contract.TABLE_PARTITION_KEY, "KeyType": "HASH"},
                {"AttributeName": contract.TABLE_SORT_KEY, "KeyType": "RANGE"},
            ],
            AttributeDefinitions=[
                {"AttributeName": name, "AttributeType": "S"}
                for name in (
                    contract.TABLE_PARTITION_KEY,
                    contract.TABLE_SORT_KEY,
                    contract.TABLE_QUESTION_INDEX_SORT_KEY,
                )
            ],
            GlobalSecondaryIndexes=[
                {
                    "IndexName": contract.TABLE_QUESTION_INDEX,
                    "KeySchema": [
                        {"AttributeName": contract.TABLE_SORT_KEY, "KeyType": "HASH"},
                        {
                            "AttributeName": contract.TABLE_QUESTION_INDEX_SORT_KEY,
                            "KeyType": "RANGE",
                        },
                    ],
                    "Projection": {"ProjectionType": "ALL"},
                }
            ],
        )
        dynamodb.update_time_to_live(
            TableName=TABLE_NAME,
            TimeToLiveSpecification={
                "AttributeName": contract.TABLE_TTL_ATTRIBUTE,
                "Enabled": True,
            },
        )
        sns, sqs, events = session.client("sns"), session.client("sqs"), session.client("events")
        self.topic_arn = sns.create_topic(Name=TOPIC_NAME)["TopicArn"]
        self._alert_queue = self._queue(sqs, "alerts-from-topic")
        sns.subscribe(
            TopicArn=self.topic_arn,
            Protocol="sqs",
            Endpoint=self._queue_arn(sqs, self._alert_queue),
            Attributes={"RawMessageDelivery": "true"},
        )
        self._event_queue = self._queue(sqs, "alerts-from-bus")
        events.put_rule(
            Name="survey-low-score",
            EventBusName=BUS_NAME,
            EventPattern=json.dumps({"source": [contract.EVENT_SOURCE]}),
        )
        events.put_targets(
            Rule="survey-low-score",
            EventBusName=BUS_NAME,
            Targets=[{"Id": "catch", "Arn": self._queue_arn(sqs, self._event_queue)}],
        )
        aws.reset_clients()  # handler clients are built inside the mock from here on
        self.running = True

    def _client(self, service: str) -> Any:
        # Outside moto a client would reach real AWS: refuse rather than call out.
        if not self.running:
            raise RuntimeError("the embedded AWS has stopped; read results inside the simulation")
        return self._session.client(service)

    def functions(self) -> dict[str, Handler]:
        """The project's Lambda ARNs mapped to its handlers."""
        return {
            self.stage.function_arn(key): self._handler(key, path) for key, path in HANDLERS.items()
        }

    def _handler(self, key: str, path: str) -> Handler:
        module_name, _, function_name = path.rpartition(".")
        target: Handler = getattr(import_module(f"lambdas.{module_name}"), function_name)
        environment = handler_environment(
            function_name=self.stage.resource_name(key),
            table_name=TABLE_NAME,
            topic_arn=self.topic_arn,
            bus_name=BUS_NAME,
            survey=self.stage.inputs.survey,
            retention_days=self.stage.retention_days,
        )

        def call(event: dict[str, Any], context: Any) -> Any:
            os.environ.update(environment)
            return target(event, context)

        return call

    def results(self, contact_id: str) -> list[dict[str, str]]:
        """The answers stored for one contact, in question order."""
        order = [q.key for q in self.stage.inputs.survey.questions]
        response = self._client("dynamodb").query(
            TableName=TABLE_NAME,
            KeyConditionExpression="#pk = :id",
            ExpressionAttributeNames={"#pk": contract.TABLE_PARTITION_KEY},
            ExpressionAttributeValues={":id": {"S": contact_id}},
            ConsistentRead=True,
        )
        answers = [
            item for item in response["Items"] if item[contract.TABLE_SORT_KEY]["S"] in order
        ]
        answers.sort(key=lambda item: order.index(item[contract.TABLE_SORT_KEY]["S"]))
        return [
            {
                "attribute": item[contract.ITEM_ATTRIBUTE]["S"],
                "score": item[contract.ITEM_SCORE]["N"],
            }
            for item in answers
        ]

    def alerts(self, contact_id: str) -> list[dict[str, Any]]:
        """The alerts raised for one contact: SNS messages and EventBridge events, in order."""
        for channel, queue in (("sns", self._alert_queue), ("eventbridge", self._event_queue)):
            self._delivered.extend((channel, body) for body in self._drain(queue))
        return [
            {"channel": channel, "message": _json_or_text(body)}
            for channel, body in self._delivered
            if contact_id in body
        ]

    def _drain(self, queue_url: str) -> Iterator[str]:
        sqs = self._client("sqs")
        while True:
            messages = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10).get(
                "Messages", []
            )
            if not messages:
                return
            for message in messages:
                yield message["Body"]
                sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])

    @staticmethod
    def _queue(sqs: Any, name: str) -> str:
        url: str = sqs.create_queue(QueueName=name)["QueueUrl"]
        return url

    @staticmethod
    def _queue_arn(sqs: Any, url: str) -> str:
        arn: str = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])[
            "Attributes"
        ]["QueueArn"]
        return arn


@contextmanager
def embedded_aws(stage: OfflineStage) -> Iterator[Sandbox]:
    """A started sandbox inside moto, with fake credentials; the environment is restored after."""
    from moto import mock_aws

    saved = dict(os.environ)
    os.environ.update({**FAKE_CREDENTIALS, "AWS_DEFAULT_REGION": stage.region})
    try:
        with mock_aws():
            sandbox = Sandbox(stage, stage.region)
            sandbox.start()
            try:
                yield sandbox
            finally:
                sandbox.running = False
    finally:
        os.environ.clear()
        os.environ.update(saved)
        aws.reset_clients()


def _json_or_text(body: str) -> Any:
    try:
        return json.loads(body)
    except ValueError:
        return body
