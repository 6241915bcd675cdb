"""ConnectSurvey-AlarmTopicKey: an alarm notifies only a topic CloudWatch can publish to."""

from __future__ import annotations

from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as actions
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_sns as sns

from connect_survey.infra.nag.pack import RULES
from connect_survey.infra.stage_key import StageKey
from tests.infra.nag.conftest import checked_stack, flagged

[RULE] = [rule for rule in RULES if rule.suffix == "AlarmTopicKey"]


def alarm_on(topic: sns.Topic) -> None:
    metric = cloudwatch.Metric(namespace="Survey", metric_name="Errors")
    alarm = cloudwatch.Alarm(topic.stack, "Alarm", metric=metric, threshold=0, evaluation_periods=1)
    alarm.add_alarm_action(actions.SnsAction(topic))


def test_a_topic_under_the_aws_managed_sns_key_is_flagged() -> None:
    # GIVEN an alarm notifying a topic encrypted with alias/aws/sns
    stack = checked_stack()
    managed = kms.Alias.from_alias_name(stack, "Managed", "alias/aws/sns")
    alarm_on(sns.Topic(stack, "Ops", master_key=managed))

    # THEN the alarm is flagged: no customer-managed key whose policy could admit CloudWatch
    [finding] = flagged(stack, RULE)
    assert finding.path == "/Checked/Alarm/Resource"
    assert finding.finding.endswith("::NotACustomerManagedKeyOfThisStack")


def test_a_customer_key_without_a_statement_for_cloudwatch_is_flagged() -> None:
    stack = checked_stack()
    alarm_on(sns.Topic(stack, "Ops", master_key=kms.Key(stack, "Key", enable_key_rotation=True)))

    [finding] = flagged(stack, RULE)
    assert finding.finding.endswith("::KeyPolicyDoesNotAdmitCloudWatch")


def test_a_key_statement_without_the_source_account_condition_is_flagged() -> None:
    stack = checked_stack()
    key = kms.Key(stack, "Key", enable_key_rotation=True)
    key.add_to_resource_policy(
        iam.PolicyStatement(
            principals=[iam.ServicePrincipal("cloudwatch.amazonaws.com")],
            actions=["kms:Decrypt", "kms:GenerateDataKey*"],
            resources=["*"],
        )
    )
    alarm_on(sns.Topic(stack, "Ops", master_key=key))

    [finding] = flagged(stack, RULE)
    assert finding.finding.endswith("::KeyPolicyDoesNotAdmitCloudWatch")


def test_a_topic_policy_without_publish_for_cloudwatch_is_flagged() -> None:
    # GIVEN the key admits CloudWatch, but the topic has a policy that does not
    stack = checked_stack()
    key = kms.Key(stack, "Key", enable_key_rotation=True)
    key.add_to_resource_policy(
        iam.PolicyStatement(
            principals=[iam.ServicePrincipal("cloudwatch.amazonaws.com")],
            actions=["kms:Decrypt", "kms:GenerateDataKey*"],
            resources=["*"],
            conditions={"StringEquals": {"aws:SourceAccount": "111122223333"}},
        )
    )
    alarm_on(sns.Topic(stack, "Ops", master_key=key, enforce_ssl=True))

    [finding] = flagged(stack, RULE)
    assert finding.finding.endswith("::TopicPolicyDoesNotAdmitCloudWatch")


def test_the_stage_key_admitting_alarms_passes() -> None:
    # GIVEN the project's key and topic, with alarms admitted
    stack = checked_stack()
    key = StageKey(stack, "StageKey", name_prefix="survey-test")
    topic = sns.Topic(stack, "Ops", master_key=key.key, enforce_ssl=True)
    key.admit_alarms(topic)
    alarm_on(topic)

    # THEN nothing is flagged
    assert flagged(stack, RULE) == []


def test_an_alarm_on_a_topic_outside_the_stack_is_flagged() -> None:
    stack = checked_stack()
    alarm_on(sns.Topic.from_topic_arn(stack, "Elsewhere", "arn:aws:sns:eu-west-2:111122223333:x"))

    assert [f.finding for f in flagged(stack, RULE)] == [
        "arn:aws:sns:eu-west-2:111122223333:x::KeyPolicyUnreadable"
    ]
