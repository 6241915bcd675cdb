"""The stage bootstrap's CloudFormation execution policy covers what the stage stacks create,
and no more than those services (IAM: roles only); `make bootstrap-policy` prints it."""

from __future__ import annotations

import fnmatch
import json
import subprocess
from typing import TYPE_CHECKING, Any

import aws_cdk as cdk
import pytest

from connect_survey.config.stage import load_stage
from connect_survey.infra.bootstrap import (
    EXECUTION_POLICY_FILE,
    MANAGED_POLICY_MAX_CHARS,
    execution_policy,
    execution_policy_arn,
    main,
)
from connect_survey.infra.pipeline_stack import SurveyStage
from tests.infra.conftest import ROOT

if TYPE_CHECKING:
    from collections.abc import Iterator

STAGES = ("dev", "staging", "prod")
# CloudFormation namespaces whose IAM service prefix is not their lower-cased name.
IAM_PREFIX = {"KinesisFirehose": "firehose"}
NOT_A_SERVICE = {"CDK"}  # AWS::CDK::Metadata


@pytest.fixture(scope="module")
def stage_templates(context: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Every stack a pipeline stage deploys into a stage account (survey and verify access)."""
    templates = {}
    for name in STAGES:
        app = cdk.App(context=context)  # cdk.json's flags: how cross-stack references are made
        stage = SurveyStage(
            app,
            name,
            config=load_stage(context, name),
            pipeline_account="222233334444",
            verify_step_role_arn="arn:aws:iam::222233334444:role/verify-step",
        )
        assembly = stage.synth()  # once: Template.from_stack would synthesize it per stack
        for stack in (stage.survey, stage.verify_access):
            template = assembly.get_stack_artifact(stack.artifact_id).template
            templates[f"{name}/{stack.stack_name}"] = template
    return templates


def allowed(document: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    for statement in document["Statement"]:
        if statement["Effect"] == "Allow":
            actions = statement["Action"]
            for action in [actions] if isinstance(actions, str) else actions:
                yield action, statement


def allows(document: dict[str, Any], action: str) -> bool:
    return any(fnmatch.fnmatchcase(action, pattern) for pattern, _ in allowed(document))


def test_the_policy_covers_every_service_the_stage_stacks_create(
    stage_templates: dict[str, dict[str, Any]],
) -> None:
    # GIVEN the services of every resource type the stage stacks hold
    namespaces = {
        resource["Type"].split("::")[1]
        for template in stage_templates.values()
        for resource in template["Resources"].values()
    } - NOT_A_SERVICE
    prefixes = {IAM_PREFIX.get(namespace, namespace.lower()) for namespace in namespaces}
    assert {"lambda", "connect", "kms", "firehose", "iam"} <= prefixes

    # THEN the execution policy lets CloudFormation act on each of them
    policy = execution_policy()
    missing = sorted(
        p for p in prefixes if not any(a.startswith(f"{p}:") for a, _ in allowed(policy))
    )
    assert missing == []


def test_the_policy_lets_cloudformation_read_the_outputs_a_stack_references(
    stage_templates: dict[str, dict[str, Any]],
) -> None:
    # GIVEN a stage stack reading another's output (the verify role names the flows)
    assert any("Fn::GetStackOutput" in json.dumps(t) for t in stage_templates.values())

    # THEN the execution role may describe stacks, which Fn::GetStackOutput does with it
    assert allows(execution_policy(), "cloudformation:DescribeStacks")


def test_roles_are_passed_only_to_the_services_that_assume_them(
    stage_templates: dict[str, dict[str, Any]],
) -> None:
    # GIVEN the services the stage roles trust (each is handed its role at deploy time)
    trusted = {
        service
        for template in stage_templates.values()
        for resource in template["Resources"].values()
        if resource["Type"] == "AWS::IAM::Role"
        for statement in resource["Properties"]["AssumeRolePolicyDocument"]["Statement"]
        for service in [statement["Principal"].get("Service", [])]
        for service in ([service] if isinstance(service, str) else service)
    }

    # THEN iam:PassRole names those services (and the ones the alert channels will), no other
    [(_, passing)] = [(a, s) for a, s in allowed(execution_policy()) if a == "iam:PassRole"]
    passed_to = set(passing["Condition"]["StringEquals"]["iam:PassedToService"])
    assert trusted <= passed_to
    assert passed_to <= {
        "lambda.amazonaws.com",
        "firehose.amazonaws.com",
        "scheduler.amazonaws.com",
        "events.amazonaws.com",
    }


def test_iam_is_limited_to_roles_and_no_action_is_everything() -> None:
    policy = execution_policy()
    for action, statement in allowed(policy):
        assert action not in {"*", "*:*", "iam:*"}
        if action.startswith("iam:"):
            assert statement["Resource"] == "arn:*:iam::*:role/*", action
            assert "User" not in action and "Group" not in action and "AccessKey" not in action
    assert not allows(policy, "iam:CreateUser")
    assert not allows(policy, "iam:AttachRolePolicy")  # the stacks attach no managed policy
    assert not allows(policy, "organizations:LeaveOrganization")


def test_the_policy_fits_a_managed_policy() -> None:
    minified = json.dumps(execution_policy(), separators=(",", ":"))
    assert len(minified) <= MANAGED_POLICY_MAX_CHARS


def test_make_bootstrap_policy_prints_the_policy() -> None:
    printed = subprocess.run(
        ["make", "-s", "bootstrap-policy"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    assert json.loads(printed) == json.loads(EXECUTION_POLICY_FILE.read_text(encoding="utf-8"))


def test_make_bootstrap_passes_the_stage_accounts_policy(context: dict[str, Any]) -> None:
    # GIVEN the ARN the helper gives for prod
    arn = execution_policy_arn(load_stage(context, "prod"))
    assert (
        arn == f"arn:aws:iam::{context['stages']['prod']['account']}:policy/connect-survey-cfn-exec"
    )

    # THEN make bootstrap hands the helper's answer to cdk bootstrap (a dry run)
    dry_run = subprocess.run(
        ["make", "-n", "bootstrap", "STAGE=prod", "TRUST=222233334444"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "-m connect_survey.infra.bootstrap --stage prod" in dry_run
    assert '--cloudformation-execution-policies "$POLICY"' in dry_run
    assert "--trust 222233334444" in dry_run
    assert "AdministratorAccess" not in dry_run


def test_an_unknown_stage_is_one_line_and_status_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--stage", "qa"]) == 2
    error = capsys.readouterr().err
    assert error.count("\n") == 1
    assert error.startswith("connect-survey: stage: unknown stage 'qa'")
