"""One customer-managed KMS key per stage, for its topics, reports bucket and Athena results.

Customer-managed because CloudWatch alarms can publish to an encrypted topic only when the key's
policy lets `cloudwatch.amazonaws.com` use it, and the policy of the AWS-managed `alias/aws/sns`
key cannot be changed: alarms on such a topic fire into nothing
(https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html#compatibility-with-aws-services).

The key policy keeps CDK's default statement (the account's IAM policies decide for its own
principals: administrators, people reading the reports) and adds one statement per service or
function that uses the key, each with only what it needs:
- CloudWatch alarms of this account (`aws:SourceAccount`): `kms:Decrypt`, `kms:GenerateDataKey*`;
- a function publishing to a topic: `kms:GenerateDataKey`, `kms:Decrypt`, only through SNS
  (`kms:ViaService`), with `sns:Publish` on that one topic.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from aws_cdk import Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from constructs import Construct

from connect_survey.flows.catalog import resource_name

if TYPE_CHECKING:
    from aws_cdk import aws_s3 as s3
    from aws_cdk import aws_sns as sns

CLOUDWATCH: Final = "cloudwatch.amazonaws.com"
# What CloudWatch needs of a topic's key to publish an alarm (SNS developer guide, above).
ALARM_KEY_ACTIONS: Final = ("kms:Decrypt", "kms:GenerateDataKey*")
# What a publisher needs of a topic's key (SNS: "Allow a user to send messages to a topic").
PUBLISHER_KEY_ACTIONS: Final = ("kms:GenerateDataKey", "kms:Decrypt")
# What a writer of SSE-KMS objects needs (S3 asks KMS for a data key; multipart reads it back).
OBJECT_WRITER_KEY_ACTIONS: Final = ("kms:GenerateDataKey", "kms:Decrypt")


class StageKey(Construct):
    """The stage's key (rotated yearly) and the grants of each of its users."""

    def __init__(self, scope: Construct, construct_id: str, *, name_prefix: str) -> None:
        super().__init__(scope, construct_id)
        self.key = kms.Key(
            self,
            "Key",
            alias=f"alias/{resource_name(name_prefix, 'key')}",
            description="Post-call surveys: alert and operations topics, reports and results",
            enable_key_rotation=True,
        )
        self._admits_alarms = False

    def _via(self, service: str) -> str:
        """The `kms:ViaService` value of a service in the key's region."""
        return f"{service}.{Stack.of(self).region}.amazonaws.com"

    def admit_alarms(self, topic: sns.Topic) -> None:
        """Let this account's CloudWatch alarms publish to `topic`, which this key encrypts.

        `SnsAction` grants nothing: CloudWatch needs the key (key policy) and, since the topic
        has a policy of its own, `sns:Publish` in it.
        """
        source = {"StringEquals": {"aws:SourceAccount": Stack.of(self).account}}
        alarms = iam.ServicePrincipal(CLOUDWATCH)
        if not self._admits_alarms:
            self.key.add_to_resource_policy(
                iam.PolicyStatement(
                    sid="CloudWatchAlarmsOfThisAccount",
                    principals=[alarms],
                    actions=list(ALARM_KEY_ACTIONS),
                    resources=["*"],  # in a key policy: this key
                    conditions=source,
                )
            )
            self._admits_alarms = True
        topic.add_to_resource_policy(
            iam.PolicyStatement(
                sid="CloudWatchAlarmsOfThisAccount",
                principals=[alarms],
                actions=["sns:Publish"],
                resources=[topic.topic_arn],
                conditions=source,
            )
        )

    def grant_publish(self, grantee: iam.IGrantable, topic: sns.ITopic) -> None:
        """`sns:Publish` on `topic`, and the data keys SNS asks for on the publisher's behalf."""
        self.key.add_to_resource_policy(
            iam.PolicyStatement(
                principals=[grantee.grant_principal],
                actions=list(PUBLISHER_KEY_ACTIONS),
                resources=["*"],
                # Through SNS only; which topic is settled by sns:Publish, granted on `topic`
                # alone (the topic's ARN here would make key and topic depend on each other).
                conditions={"StringEquals": {"kms:ViaService": self._via("sns")}},
            )
        )
        iam.Grant.add_to_principal_or_resource(
            grantee=grantee,
            actions=["sns:Publish"],
            resource_arns=[topic.topic_arn],
            resource=topic,
        )

    def grant_object_writes(self, grantee: iam.IGrantable, bucket: s3.IBucket) -> None:
        """This key for objects of `bucket` only, through S3 only (SSE-KMS writes)."""
        grantee.grant_principal.add_to_principal_policy(
            iam.PolicyStatement(
                actions=list(OBJECT_WRITER_KEY_ACTIONS),
                resources=[self.key.key_arn],
                conditions={
                    "StringEquals": {"kms:ViaService": self._via("s3")},
                    "StringLike": {"kms:EncryptionContext:aws:s3:arn": bucket.arn_for_objects("*")},
                },
            )
        )
