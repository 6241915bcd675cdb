"""The caller cooldown: a table of keyed caller hashes and the per-stage secret that keys them."""

from __future__ import annotations

from aws_cdk import RemovalPolicy
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_secretsmanager as secretsmanager
from cdk_nag import NagPackSuppression, NagSuppressions
from constructs import Construct

from connect_survey.lambda_asset.survey import sampling


class CooldownStore(Construct):
    """One item per caller key, dropped by TTL when the cooldown ends; the HMAC key in a secret."""

    def __init__(self, scope: Construct, construct_id: str) -> None:
        super().__init__(scope, construct_id)
        self.table = dynamodb.Table(
            self,
            "Table",
            partition_key=dynamodb.Attribute(
                name=sampling.COOLDOWN_PARTITION_KEY, type=dynamodb.AttributeType.STRING
            ),
            billing_mode=dynamodb.BillingMode.PAY_PER_REQUEST,
            encryption=dynamodb.TableEncryption.AWS_MANAGED,
            point_in_time_recovery_specification=dynamodb.PointInTimeRecoverySpecification(
                point_in_time_recovery_enabled=True
            ),
            time_to_live_attribute=sampling.COOLDOWN_TTL_ATTRIBUTE,
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
                    reason="Rotating the HMAC key would make every caller new again and silently "
                    "end all cooldowns; the key never leaves the eligibility function.",
                )
            ],
        )
