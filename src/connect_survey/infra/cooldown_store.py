"""The caller cooldown: a table of keyed caller hashes and the per-stage secret that keys them."""

from __future__ import annotations

from typing import TYPE_CHECKING

from aws_cdk import RemovalPolicy
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_secretsmanager as secretsmanager
from cdk_nag import NagPackSuppression, NagSuppressions
from constructs import Construct

from connect_survey.infra.tables import grant_item_actions, shaped_table
from connect_survey.lambda_asset.survey.contract import COOLDOWN_TABLE

if TYPE_CHECKING:
    from aws_cdk import aws_iam as iam


class CooldownStore(Construct):
    """One item per caller key, dropped by TTL when the cooldown ends; the HMAC key in a secret.
    It grants each use of it exactly the actions that use needs."""

    def __init__(self, scope: Construct, construct_id: str) -> None:
        super().__init__(scope, construct_id)
        self.table = shaped_table(
            self,
            "Table",
            COOLDOWN_TABLE,
            encryption=dynamodb.TableEncryption.AWS_MANAGED,
            point_in_time_recovery_specification=dynamodb.PointInTimeRecoverySpecification(
                point_in_time_recovery_enabled=True
            ),
            # Only pseudonymous keys that expire within the cooldown: nothing worth retaining.
            removal_policy=RemovalPolicy.DESTROY,
        )
        self.secret = secretsmanager.Secret(
            self,
            "CallerKeySecret",
            description="HMAC key turning a caller's number into the cooldown's caller key",
            generate_secret_string=secretsmanager.SecretStringGenerator(
                password_length=64, exclude_punctuation=True
            ),
        )
        NagSuppressions.add_resource_suppressions(
            self.secret,
            [
                NagPackSuppression(
                    id="AwsSolutions-SMG4",
                    reason="A generic HMAC key has no rotation function; rotate it by hand (a new "
                    "AWSCURRENT version) at most once per cooldown period: eligibility also "
                    "looks callers up under AWSPREVIOUS, so a rotation keeps their cooldowns. "
                    "The key never leaves the eligibility function.",
                )
            ],
        )

    def grant_check(self, grantee: iam.IGrantable) -> iam.Grant:
        """Decide a caller's cooldown: read the caller-key secret and the caller's record (the
        eligibility handler)."""
        self.secret.grant_read(grantee)
        return grant_item_actions(self.table, grantee, ["dynamodb:GetItem"])

    def grant_start(self, grantee: iam.IGrantable) -> iam.Grant:
        """Start a caller's cooldown: write their record (the score handler)."""
        return grant_item_actions(self.table, grantee, ["dynamodb:PutItem"])
