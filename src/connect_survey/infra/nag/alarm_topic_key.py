"""An alarm can notify only a topic whose key lets CloudWatch use it.

CloudWatch publishes an alarm to an encrypted topic with its own service principal: the topic's
key must be customer-managed (the AWS-managed `alias/aws/sns` key's policy cannot admit it), and
its policy must allow `cloudwatch.amazonaws.com` `kms:Decrypt` and `kms:GenerateDataKey*`, for
this account's alarms (`aws:SourceAccount`). When the topic has a policy of its own, that policy
must allow CloudWatch `sns:Publish` too. Otherwise the alarm fires, and its history says only
that CloudWatch could not reach the topic.
https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html#compatibility-with-aws-services
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final

from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_kms as kms
from aws_cdk import aws_sns as sns
from cdk_nag import NagRuleCompliance

from connect_survey.infra.nag.template import (
    Compliance,
    allows,
    as_list,
    condition_values,
    referenced_id,
    resolved,
    resource,
    resources_of,
    service_principals,
    statements,
    text,
)

if TYPE_CHECKING:
    from aws_cdk import CfnResource

CLOUDWATCH: Final = "cloudwatch.amazonaws.com"
KEY_ACTIONS: Final = ("kms:Decrypt", "kms:GenerateDataKey*")
SOURCE_ACCOUNT: Final = "aws:SourceAccount"

READS: Final = (cloudwatch.CfnAlarm,)
"""The resource types the rule reads; the pack hands it no other."""


def alarm_topics_admit_cloudwatch(node: CfnResource) -> Compliance:
    """Each topic an alarm notifies lets CloudWatch publish through its key.

    Findings name the topic (its logical id, or the ARN as written for a topic outside the
    stack, whose key cannot be read) and what is missing.
    """
    if not isinstance(node, READS):
        return NagRuleCompliance.NOT_APPLICABLE
    actions = [
        action
        for field in (node.alarm_actions, node.ok_actions, node.insufficient_data_actions)
        for action in as_list(resolved(node, field))
    ]
    findings: list[str] = []
    for action in actions:
        written = text(action)
        logical_id = referenced_id(action)
        topic = resource(node, logical_id)
        if isinstance(topic, sns.CfnTopic) and logical_id:
            findings += [f"{logical_id}::{problem}" for problem in _topic_problems(topic)]
        elif ":sns:" in written:
            findings.append(f"{written}::KeyPolicyUnreadable")
    return list(dict.fromkeys(findings)) or NagRuleCompliance.COMPLIANT


def _topic_problems(topic: sns.CfnTopic) -> list[str]:
    key_id = resolved(topic, topic.kms_master_key_id)
    if key_id is None:
        return []  # unencrypted: CloudWatch needs no key (AwsSolutions asks for encryption)
    key = resource(topic, referenced_id(key_id))
    if not isinstance(key, kms.CfnKey):
        return ["NotACustomerManagedKeyOfThisStack"]
    problems = []
    if not any(_admits_alarms(s) for s in statements(resolved(key, key.key_policy))):
        problems.append("KeyPolicyDoesNotAdmitCloudWatch")
    topic_policies = [
        policy
        for policy in resources_of(topic, "AWS::SNS::TopicPolicy")
        if isinstance(policy, sns.CfnTopicPolicy) and _names_topic(policy, topic)
    ]
    if topic_policies and not any(
        allows(s, "sns:Publish") and CLOUDWATCH in service_principals(s)
        for policy in topic_policies
        for s in statements(resolved(policy, policy.policy_document))
    ):
        problems.append("TopicPolicyDoesNotAdmitCloudWatch")
    return problems


def _admits_alarms(statement: Any) -> bool:
    return (
        CLOUDWATCH in service_principals(statement)
        and all(allows(statement, action) for action in KEY_ACTIONS)
        and bool(condition_values(statement, SOURCE_ACCOUNT))
    )


def _names_topic(policy: sns.CfnTopicPolicy, topic: sns.CfnTopic) -> bool:
    topic_id = resolved(topic, topic.logical_id)
    return any(referenced_id(t) == topic_id for t in as_list(resolved(policy, policy.topics)))
