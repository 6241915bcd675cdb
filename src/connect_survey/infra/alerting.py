"""Where low-score alerts go: an encrypted SNS topic for people, the stage's own event bus for
automation. Each is bound to its alert channel (`channels`), which the stack grants and configures
from the registry (infra/alert_channels.py)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import jsii
from aws_cdk import IStableListProducer, Lazy
from aws_cdk import aws_events as events
from aws_cdk import aws_iam as iam
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions
from constructs import Construct

from connect_survey.flows.catalog import resource_name
from connect_survey.lambda_asset.survey.channels.events import BUS_NAME, EventsChannel
from connect_survey.lambda_asset.survey.channels.sns import TOPIC_ARN, SnsChannel
from connect_survey.lambda_asset.survey.contract import ALERT_EVENT_BUS

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from connect_survey.infra.alert_channels import ChannelBinding
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


@dataclass(frozen=True)
class AlertTopicBinding:
    """The alert topic as the SNS channel's resource: the topic grants publish (and the use of
    its key, when it has one of the stack's own) where it lives."""

    topic: sns.ITopic
    key: StageKey
    channel: str = SnsChannel.name

    @property
    def environment(self) -> Mapping[str, str]:
        return {TOPIC_ARN: self.topic.topic_arn}

    def grant_send(self, grantee: iam.IGrantable) -> None:
        self.key.grant_publish(grantee, self.topic)


@jsii.implements(IStableListProducer)
class _Producers:
    """The role ARNs allowed to put events on a bus, read when the stack is synthesized."""

    def __init__(self) -> None:
        self.arns: list[str] = []

    def produce(self, context: object = None) -> list[str]:
        return list(self.arns)


class AlertBus(Construct):
    """The stage's own bus for alert events (`{namePrefix}-surveys`): only the roles granted
    here may put events on it, so rules on it never see a spoofed `connect-survey` event."""

    channel = EventsChannel.name

    def __init__(self, scope: Construct, construct_id: str, *, name_prefix: str) -> None:
        super().__init__(scope, construct_id)
        self.bus = events.EventBus(
            self, "Bus", event_bus_name=resource_name(name_prefix, ALERT_EVENT_BUS)
        )
        self._producers = _Producers()
        self._last_policy: Construct | None = None
        # Within one account a principal needs an Allow in its own policy *or* in the bus's, so an
        # Allow naming our producer alone would still admit any role the account lets put events
        # anywhere: only an explicit Deny of every other principal (by aws:PrincipalArn, the
        # role's ARN for its sessions too) makes the granted roles the bus's only producers.
        self._add_statement(
            iam.PolicyStatement(
                sid="OnlyAlertProducers",
                effect=iam.Effect.DENY,
                principals=[iam.AnyPrincipal()],
                actions=["events:PutEvents"],
                resources=[self.bus.event_bus_arn],
                conditions={"ArnNotEquals": {"aws:PrincipalArn": Lazy.list(self._producers)}},
            )
        )

    @property
    def environment(self) -> Mapping[str, str]:
        return {BUS_NAME: self.bus.event_bus_name}

    def grant_send(self, grantee: iam.IGrantable) -> None:
        """Let `grantee` (a role, or a function through its role) put events on the bus."""
        role_arn = getattr(grantee.grant_principal, "role_arn", None)
        if role_arn is None:
            raise ValueError(f"{grantee}: only a role may put events on the alert bus")
        self._producers.arns.append(role_arn)
        self._add_statement(
            iam.PolicyStatement(
                sid=f"AlertProducer{len(self._producers.arns)}",
                principals=[iam.ArnPrincipal(role_arn)],
                actions=["events:PutEvents"],
                resources=[self.bus.event_bus_arn],
            )
        )
        self.bus.grant_put_events_to(grantee)

    def _add_statement(self, statement: iam.PolicyStatement) -> None:
        # One AWS::Events::EventBusPolicy per statement, created one after another, so the bus's
        # one policy document is never changed by two of them at once.
        added = self.bus.add_to_resource_policy(statement)
        policy = added.policy_dependable
        if policy is not None and self._last_policy is not None:
            policy.node.add_dependency(self._last_policy)  # type: ignore[attr-defined]
        self._last_policy = policy  # type: ignore[assignment]


class Alerting(Construct):
    """The alert topic (KMS-encrypted, TLS-only) with e-mail subscribers, and the alert bus;
    `channels` binds each to its alert channel."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        name_prefix: str,
        emails: Sequence[str],
        key: StageKey,
    ) -> None:
        super().__init__(scope, construct_id)
        self.key = key
        self.topic = encrypted_tls_only_topic(
            self, "Topic", display_name="Post-call survey low-score alerts", key=key
        )
        for email in emails:
            self.topic.add_subscription(subscriptions.EmailSubscription(email))
        self.alert_bus = AlertBus(self, "Events", name_prefix=name_prefix)
        self.bus = self.alert_bus.bus
        self.channels: list[ChannelBinding] = [
            AlertTopicBinding(self.topic, key),
            self.alert_bus,
        ]
