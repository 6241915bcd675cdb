"""The results table: one item per answer, written the moment the caller gives it."""

from __future__ import annotations

from aws_cdk import RemovalPolicy
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_iam as iam
from constructs import Construct

from connect_survey.infra.tables import grant_item_actions, shaped_table
from connect_survey.lambda_asset.survey.contract import PENDING_INDEX, RESULTS_TABLE


class ResultsStore(Construct):
    """On-demand, encrypted, recoverable table with a TTL, a per-question index and a stream
    (the outbox); it grants each use of it exactly the actions that use needs."""

    def __init__(self, scope: Construct, construct_id: str, *, deletion_protection: bool) -> None:
        super().__init__(scope, construct_id)
        self.table = shaped_table(
            self,
            "Table",
            RESULTS_TABLE,
            encryption=dynamodb.TableEncryption.AWS_MANAGED,
            point_in_time_recovery_specification=dynamodb.PointInTimeRecoverySpecification(
                point_in_time_recovery_enabled=True
            ),
            deletion_protection=deletion_protection,
            # Survey answers are business records: keep them if the stack is deleted.
            removal_policy=RemovalPolicy.RETAIN,
        )

    def grant_write_answers(self, grantee: iam.IGrantable) -> iam.Grant:
        """Store answers, one item each (the score handler)."""
        return grant_item_actions(self.table, grantee, ["dynamodb:PutItem"])

    def grant_read_contacts(self, grantee: iam.IGrantable) -> iam.Grant:
        """Read a contact's items by their known keys (the finish handler, the alert function)."""
        return grant_item_actions(self.table, grantee, ["dynamodb:BatchGetItem"])

    def grant_write_summaries(self, grantee: iam.IGrantable) -> iam.Grant:
        """Close a contact's survey: update its summary item (the finish handler)."""
        return grant_item_actions(self.table, grantee, ["dynamodb:UpdateItem"])

    def grant_outbox(self, grantee: iam.IGrantable) -> iam.Grant:
        """Run the outbox: read the table's stream, then read, claim and settle outbox items
        (the alert function)."""
        self.table.grant_stream_read(grantee)
        actions = [
            "dynamodb:BatchWriteItem",
            "dynamodb:GetItem",
            "dynamodb:PutItem",
            "dynamodb:UpdateItem",
        ]
        return grant_item_actions(self.table, grantee, actions)

    def grant_query_pending(self, grantee: iam.IGrantable) -> iam.Grant:
        """Read the sparse index of unfinished work, and nothing else of the table's indexes
        (the sweeper)."""
        return iam.Grant.add_to_principal(
            grantee=grantee,
            actions=["dynamodb:Query"],
            resource_arns=[f"{self.table.table_arn}/index/{PENDING_INDEX}"],
        )
