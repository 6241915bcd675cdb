"""DynamoDB tables built from the Lambda asset's `TableShape`: the one declaration of each table's
keys, TTL, stream and indexes, which the embedded AWS creates its tables from too."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_iam as iam

if TYPE_CHECKING:
    from collections.abc import Sequence

    from constructs import Construct

    from connect_survey.lambda_asset.survey.contract import TableShape

# The contract's DynamoDB attribute types, as CDK names them.
ATTRIBUTE_TYPES = {"S": dynamodb.AttributeType.STRING}


def shaped_table(
    scope: Construct, construct_id: str, shape: TableShape, **props: Any
) -> dynamodb.Table:
    """An on-demand table of `shape`; `props` add what the shape does not say (encryption, ...)."""
    key_type = ATTRIBUTE_TYPES[shape.key_type]

    def attribute(name: str | None) -> dynamodb.Attribute | None:
        return None if name is None else dynamodb.Attribute(name=name, type=key_type)

    stream = (
        None if shape.stream_view_type is None else dynamodb.StreamViewType[shape.stream_view_type]
    )
    table = dynamodb.Table(
        scope,
        construct_id,
        partition_key=dynamodb.Attribute(name=shape.partition_key, type=key_type),
        sort_key=attribute(shape.sort_key),
        billing_mode=dynamodb.BillingMode.PAY_PER_REQUEST,
        time_to_live_attribute=shape.ttl_attribute,
        stream=stream,
        **props,
    )
    for index in shape.indexes:
        table.add_global_secondary_index(
            index_name=index.name,
            partition_key=dynamodb.Attribute(name=index.partition_key, type=key_type),
            sort_key=attribute(index.sort_key),
            projection_type=dynamodb.ProjectionType[index.projection],
        )
    return table


def grant_item_actions(
    table: dynamodb.ITable, grantee: iam.IGrantable, actions: Sequence[str]
) -> iam.Grant:
    """Exactly `actions` on the table itself: Table.grant() would add its indexes (index/*),
    which no function reads (reports read the index with their own credentials)."""
    return iam.Grant.add_to_principal(
        grantee=grantee, actions=list(actions), resource_arns=[table.table_arn]
    )
