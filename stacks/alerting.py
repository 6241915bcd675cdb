"""Where low-score alerts go: an encrypted SNS topic for people, the default bus for automation."""

from __future__ import annotations

from typing import TYPE_CHECKING

from aws_cdk import aws_events as events
from aws_cdk import aws_kms as kms
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions
from constructs import Construct

if TYPE_CHECKING:
    from collections.abc import Sequence


class Alerting(Construct):
    """The alert topic (KMS-encrypted, TLS-only) with e-mail subscribers, and the event bus."""

    def __init__(self, scope: Construct, construct_id: str, *, emails: Sequence[str]) -> None:
        super().__init__(scope, construct_id)
        self.topic = sns.Topic(
            self,
            "Topic",
            display_name="Post-call survey low-score alerts",
            # The AWS-managed SNS key needs no key policy or grants for publishers in the account.
            master_key=kms.Alias.from_alias_name(self, "SnsKey", "alias/aws/sns"),
            enforce_ssl=True,
        )
        for email in emails:
            self.topic.add_subscription(subscriptions.EmailSubscription(email))
        self.bus = events.EventBus.from_event_bus_name(self, "DefaultBus", "default")
