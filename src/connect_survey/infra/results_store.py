"""The results table: one item per answer, written the moment the caller gives it."""

from __future__ import annotations

from aws_cdk import RemovalPolicy
from aws_cdk import aws_dynamodb as dynamodb
from constructs import Construct

from connect_survey.lambda_asset.survey.contract import RESULTS_TABLE

# The contract's DynamoDB attribute types, as CDK names them.
ATTRIBUTE_TYPES = {"S": dynamodb.AttributeType.STRING}


class ResultsStore(Construct):
    """On-demand, encrypted, recoverable table with a TTL, a per-question index and a stream."""

    def __init__(self, scope: Construct, construct_id: str, *, deletion_protection: bool) -> None:
        super().__init__(scope, construct_id)
        shape = RESULTS_TABLE
        key_type = ATTRIBUTE_TYPES[shape.key_type]
        self.table = dynamodb.Table(
            self,
            "Table",
            partition_key=dynamodb.Attribute(name=shape.partition_key, type=key_type),
            sort_key=dynamodb.Attribute(name=shape.sort_key, type=key_type),
            billing_mode=dynamodb.BillingMode.PAY_PER_REQUEST,
            encryption=dynamodb.TableEncryption.AWS_MANAGED,
            point_in_time_recovery_specification=dynamodb.PointInTimeRecoverySpecification(
                point_in_time_recovery_enabled=True
            ),
            time_to_live_attribute=shape.ttl_attribute,
            # The outbox: the alert function reads every new item image from the stream.
            stream=dynamodb.StreamViewType[shape.stream_view_type],
            deletion_protection=deletion_protection,
            # Survey answers are business records: keep them if the stack is deleted.
            removal_policy=RemovalPolicy.RETAIN,
        )
        # Reports read one question over a date range instead of scanning the table.
        self.table.add_global_secondary_index(
            index_name=shape.question_index,
            partition_key=dynamodb.Attribute(name=shape.sort_key, type=key_type),
            sort_key=dynamodb.Attribute(name=shape.question_index_sort_key, type=key_type),
        )
