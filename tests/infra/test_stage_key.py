"""One customer-managed key per stage: alarms reach the operations topic through it, and each
user of the key gets only what it needs, as the synthesized template says."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import pytest

from tests.infra.conftest import build_stack

if TYPE_CHECKING:
    from aws_cdk.assertions import Template

    from connect_survey.config.stage import StageConfig

CLOUDWATCH = "cloudwatch.amazonaws.com"


def statements(document: dict[str, Any]) -> list[dict[str, Any]]:
    found = document["Statement"]
    return found if isinstance(found, list) else [found]


def listed(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def test_each_alarm_reaches_a_topic_whose_key_policy_admits_cloudwatch(
    dev_template: Template, dev_config: StageConfig
) -> None:
    # GIVEN every alarm of the stage, and the resources of its template
    resources = dev_template.to_json()["Resources"]
    alarms = dev_template.find_resources("AWS::CloudWatch::Alarm")
    assert alarms

    for alarm_id, alarm in alarms.items():
        for action in alarm["Properties"]["AlarmActions"]:
            # WHEN the path alarm action -> topic -> the topic's key -> its policy is followed
            topic_id = action["Ref"]
            topic = resources[topic_id]
            assert topic["Type"] == "AWS::SNS::Topic", alarm_id
            key_id = topic["Properties"]["KmsMasterKeyId"]["Fn::GetAtt"][0]
            key = resources[key_id]
            assert key["Type"] == "AWS::KMS::Key"

            # THEN the key policy lets CloudWatch use the key for this account's alarms
            admitted = [
                s
                for s in statements(key["Properties"]["KeyPolicy"])
                if s["Effect"] == "Allow"
                and s["Principal"] == {"Service": CLOUDWATCH}
                and set(listed(s["Action"])) == {"kms:Decrypt", "kms:GenerateDataKey*"}
            ]
            assert [s["Condition"] for s in admitted] == [
                {"StringEquals": {"aws:SourceAccount": dev_config.offline.account}}
            ], alarm_id

            # AND the topic's own policy lets CloudWatch publish, for this account only
            publishers = [
                s
                for policy in dev_template.find_resources("AWS::SNS::TopicPolicy").values()
                if {"Ref": topic_id} in policy["Properties"]["Topics"]
                for s in statements(policy["Properties"]["PolicyDocument"])
                if s["Effect"] == "Allow" and s["Principal"] == {"Service": CLOUDWATCH}
            ]
            assert [(s["Action"], s["Condition"]) for s in publishers] == [
                (
                    "sns:Publish",
                    {"StringEquals": {"aws:SourceAccount": dev_config.offline.account}},
                )
            ]


@pytest.mark.parametrize("stage", ["dev", "prod"])
def test_one_rotated_customer_key_encrypts_both_topics(stage: str, context: dict[str, Any]) -> None:
    from aws_cdk.assertions import Template

    from connect_survey.config.stage import load_stage

    template = Template.from_stack(build_stack(load_stage(context, stage)))
    [key_id] = template.find_resources("AWS::KMS::Key", {"Properties": {"EnableKeyRotation": True}})
    topics = template.find_resources("AWS::SNS::Topic").values()
    assert [t["Properties"]["KmsMasterKeyId"] for t in topics] == [
        {"Fn::GetAtt": [key_id, "Arn"]}
    ] * 2
    assert "alias/aws/sns" not in json.dumps(template.to_json())


def test_only_the_senders_may_use_the_key_to_publish_and_only_through_sns(
    dev_template: Template,
) -> None:
    # GIVEN the key policy's statements naming a role of the stack
    [key] = dev_template.find_resources("AWS::KMS::Key").values()
    roles = dev_template.find_resources("AWS::IAM::Role")
    for_roles = [
        s
        for s in statements(key["Properties"]["KeyPolicy"])
        if "Fn::GetAtt" in json.dumps(s["Principal"])
    ]

    # THEN there are two, for the senders' roles (the alert function, and the sweeper that
    # sends what the stream left): data keys for SNS, nothing else
    assert len(for_roles) == 2
    for statement, name in zip(
        for_roles, ("HandlersAlertRole", "HandlersSweeperRole"), strict=True
    ):
        role_id = statement["Principal"]["AWS"]["Fn::GetAtt"][0]
        assert name in role_id and role_id in roles
        assert sorted(listed(statement["Action"])) == ["kms:Decrypt", "kms:GenerateDataKey"]
        assert statement["Condition"] == {
            "StringEquals": {"kms:ViaService": "sns.us-east-1.amazonaws.com"}
        }

    # AND no role's own policy grants anything on the key
    for policy in dev_template.find_resources("AWS::IAM::Policy").values():
        for s in statements(policy["Properties"]["PolicyDocument"]):
            if any(a.startswith("kms:") for a in listed(s["Action"])):
                assert "s3" in json.dumps(s.get("Condition", {})), s


def test_firehose_may_use_the_key_only_through_s3_for_the_reports_bucket(
    dev_template: Template,
) -> None:
    # GIVEN the delivery role's statements on the stage key
    [key_id] = dev_template.find_resources("AWS::KMS::Key")
    [bucket_id] = dev_template.find_resources("AWS::S3::Bucket")
    on_key = [
        s
        for policy_id, policy in dev_template.find_resources("AWS::IAM::Policy").items()
        if "Delivery" in policy_id
        for s in statements(policy["Properties"]["PolicyDocument"])
        if s["Resource"] == {"Fn::GetAtt": [key_id, "Arn"]}
    ]
    for statement in on_key:
        statement["Action"] = sorted(listed(statement["Action"]))

    # THEN data keys for the bucket's objects, asked for by S3 in the stage's region
    assert on_key == [
        {
            "Action": ["kms:Decrypt", "kms:GenerateDataKey"],
            "Effect": "Allow",
            "Resource": {"Fn::GetAtt": [key_id, "Arn"]},
            "Condition": {
                "StringEquals": {"kms:ViaService": "s3.us-east-1.amazonaws.com"},
                "StringLike": {
                    "kms:EncryptionContext:aws:s3:arn": {
                        "Fn::Join": ["", [{"Fn::GetAtt": [bucket_id, "Arn"]}, "/*"]]
                    }
                },
            },
        }
    ]
