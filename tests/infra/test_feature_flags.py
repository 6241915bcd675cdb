"""The CDK's recommended feature flags (in cdk.json) leave what a deployed stage relies on alone."""

from __future__ import annotations

import json
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk.assertions import Template

from connect_survey.config.stage import load_stage
from connect_survey.infra.outputs import stack_name
from connect_survey.infra.survey_stack import SurveyStack
from tests.infra.conftest import ROOT

RECOMMENDED = ROOT / "node_modules" / "aws-cdk" / "lib" / "init-templates"
RECOMMENDED_FLAGS = RECOMMENDED / ".recommended-feature-flags.json"
# Recommended flags set otherwise on purpose (none: the topics no longer use an imported alias).
DECLINED: set[str] = set()
# The flags the stages were deployed with before the recommended ones were added.
EARLIER_FLAGS = {
    "@aws-cdk/aws-iam:minimizePolicies": True,
    "@aws-cdk/core:checkSecretUsage": True,
    "@aws-cdk/aws-lambda:recognizeLayerVersion": True,
    "@aws-cdk/core:target-partitions": ["aws"],
    "@aws-cdk/aws-sns:enforceSslPolicy": True,
}


def synth(context: dict[str, Any], stage: str) -> dict[str, Any]:
    config = load_stage(context, stage)
    app = cdk.App(context=context)
    stack = SurveyStack(app, stack_name(config), config=config)
    return Template.from_stack(stack).to_json()


def resolved_partition(value: Any) -> Any:
    """`arn:${AWS::Partition}:…` joins written out as `arn:aws:…` (enablePartitionLiterals)."""
    if isinstance(value, list):
        return [resolved_partition(item) for item in value]
    if not isinstance(value, dict):
        return value
    if value == {"Ref": "AWS::Partition"}:
        return "aws"
    resolved = {key: resolved_partition(item) for key, item in value.items()}
    join = resolved.get("Fn::Join")
    if len(resolved) == 1 and join and join[0] == "" and all(isinstance(p, str) for p in join[1]):
        return "".join(join[1])
    return resolved


def feature_flags(context: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in context.items() if key.startswith("@aws-cdk")}


def test_cdk_json_sets_every_flag_the_cli_recommends(context: dict[str, Any]) -> None:
    # GIVEN the flags `cdk init` of the pinned CLI writes for a new project
    recommended = json.loads(RECOMMENDED_FLAGS.read_text(encoding="utf-8"))

    # THEN cdk.json configures each of them, at the recommended value unless declined
    flags = feature_flags(context)
    assert set(recommended) <= set(flags)
    differing = {k for k, v in recommended.items() if flags[k] != v}
    assert differing == DECLINED | {"@aws-cdk/core:target-partitions"}


@pytest.mark.parametrize("stage", ["dev", "prod"])
def test_flags_keep_flows_names_ids_outputs_and_permissions(
    context: dict[str, Any], stage: str
) -> None:
    # GIVEN the stage synthesized with cdk.json's flags and with the earlier ones
    with_flags = synth(context, stage)
    without = synth({**EARLIER_FLAGS, "stages": context["stages"]}, stage)

    # THEN the same resources (logical ids), outputs, flows, function names and policies
    # (ARNs may name the partition literally instead of through AWS::Partition)
    assert set(with_flags["Resources"]) == set(without["Resources"])
    assert with_flags["Outputs"].keys() == without["Outputs"].keys()
    for logical_id, resource in without["Resources"].items():
        if resource["Type"] in {
            "AWS::Connect::ContactFlow",
            "AWS::Lambda::Function",
            "AWS::IAM::Policy",
            "AWS::IAM::Role",
            "AWS::DynamoDB::Table",
            "AWS::Connect::IntegrationAssociation",
            "AWS::Lambda::Permission",
        }:
            assert resolved_partition(with_flags["Resources"][logical_id]) == resolved_partition(
                resource
            ), logical_id
