"""Where low-score alerts go: an encrypted SNS topic for people, the default bus for automation."""

from __future__ import annotations

from typing import TYPE_CHECKING

from aws_cdk import aws_events as events
from aws_cdk import aws_iam as iam
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions
from constructs import Construct

if TYPE_CHECKING:
    from collections.abc import Sequence

    from connect_survey.infra.stage_key import StageKey


def encrypted_tls_only_topic(
    scope: Construct, construct_id: str, *, display_name: str, key: StageKey
) -> sns.Topic:
    """A topic under the stage's key whose policy denies every action over plain HTTP.

    CDK's `enforce_ssl` denies only Publish; this statement covers subscribing and reading too.
    Publishers get the key through `StageKey.grant_publish`, alarms through `admit_alarms`.
    """
    topic = sns.Topic(scope, construct_id, display_name=display_name, master_key=key.key)
    topic.add_to_resource_policy(
        iam.PolicyStatement(
            sid="DenyEveryActionWithoutTls",
            effect=iam.Effect.DENY,
            principals=[iam.AnyPrincipal()],
            actions=["sns:*"],
            resources=[topic.topic_arn],
            conditions={"Bool": {"aws:SecureTransport": "false"}},
        )
    )
    return topic


class Alerting(Construct):
    """The alert topic (KMS-encrypted, TLS-only) with e-mail subscribers, and the event bus."""

    def __init__(
        self, scope: Construct, construct_id: str, *, emails: Sequence[str], key: StageKey
    ) -> None:
        super().__init__(scope, construct_id)
        self.key = key
        self.topic = encrypted_tls_only_topic(
            self, "Topic", display_name="Post-call survey low-score alerts", key=key
        )
        for email in emails:
            self.topic.add_subscription(subscriptions.EmailSubscription(email))
        self.bus = events.EventBus.from_event_bus_name(self, "DefaultBus", "default")

    def grant_publish(self, grantee: iam.IGrantable) -> None:
        """What a publisher of alerts needs: `sns:Publish` and the key, for this topic only."""
        self.key.grant_publish(grantee, self.topic)
