"""The promotion pipeline: offline synth, stage order, approvals, verification, nag, mistakes."""

from __future__ import annotations

import copy
import json
import re
from functools import cache
from typing import TYPE_CHECKING, Any

import aws_cdk as cdk
import pytest
import yaml
from aws_cdk.assertions import Annotations, Match, Template

import app
from connect_survey import PROJECT_ROOT
from connect_survey.config.errors import ConfigError
from connect_survey.config.pipeline import load_pipeline
from connect_survey.config.stage import load_stage
from connect_survey.infra.nag import PACK_NAME
from connect_survey.infra.outputs import stack_name
from connect_survey.infra.pipeline_stack import PIPELINE_STACK_CONTEXT, PipelineStack
from connect_survey.test_cases.live import RUNNER_ACTIONS
from tests.infra.conftest import ROOT, build_stack
from tests.infra.test_synth import NAG_FINDING

if TYPE_CHECKING:
    from pathlib import Path

PIPELINE_ID = "connect-survey-pipeline"


@cache
def template_of(stack: cdk.Stack) -> Template:
    """The stack's template, kept: `Template.from_stack` synthesizes the whole app on each call."""
    return Template.from_stack(stack)


@pytest.fixture(scope="module")
def pipeline_stack(context: dict[str, Any], tmp_path_factory: pytest.TempPathFactory) -> Any:
    """The pipeline as `make synth-pipeline` builds it (app.py, cdk-nag on), synthesized once."""
    outdir = tmp_path_factory.mktemp("pipeline-out")
    application = cdk.App(context={**context, PIPELINE_STACK_CONTEXT: "true"}, outdir=str(outdir))
    app.main(application)
    stack = application.node.find_child(PIPELINE_ID)
    assert isinstance(stack, PipelineStack)
    return stack


@pytest.fixture(scope="module")
def pipeline_stages(pipeline_stack: PipelineStack) -> list[dict[str, Any]]:
    template = template_of(pipeline_stack).find_resources("AWS::CodePipeline::Pipeline")
    [pipeline] = template.values()
    stages: list[dict[str, Any]] = pipeline["Properties"]["Stages"]
    return stages


def build_commands(pipeline_stack: PipelineStack, action: dict[str, Any]) -> list[str]:
    """The build commands of the CodeBuild project a pipeline action runs."""
    projects = template_of(pipeline_stack).find_resources("AWS::CodeBuild::Project")
    project = projects[action["Configuration"]["ProjectName"]["Ref"]]
    spec = json.loads(project["Properties"]["Source"]["BuildSpec"])
    commands: list[str] = spec["phases"]["build"]["commands"]
    return commands


def test_pipeline_deploys_the_stages_in_the_configured_order(
    context: dict[str, Any], pipeline_stages: list[dict[str, Any]]
) -> None:
    # GIVEN the configured order in cdk.json
    order = context["pipeline"]["order"]

    # WHEN the pipeline is synthesized (offline: the fixture has no credentials)
    names = [stage["Name"] for stage in pipeline_stages]

    # THEN after source, build and self-update, the stages follow in that order
    assert names[:3] == ["Source", "Build", "UpdatePipeline"]
    assert [name for name in names if name in order] == order
    assert names.index("Assets") < names.index(order[0])


def test_an_approval_precedes_every_approval_stage_and_no_other(
    context: dict[str, Any], pipeline_stages: list[dict[str, Any]]
) -> None:
    # GIVEN the approval stages (prod by default)
    approvals = set(context["pipeline"].get("approvalStages", ["prod"]))

    for stage in pipeline_stages:
        if stage["Name"] not in context["pipeline"]["order"]:
            continue
        actions = stage["Actions"]
        approval = [a for a in actions if a["Name"] == f"{stage['Name']}-approval"]
        deploys = [a for a in actions if a["Name"].endswith(".Deploy")]
        # THEN an approval stage has one manual approval before any deploy; the others none
        if stage["Name"] in approvals:
            assert [a["ActionTypeId"]["Provider"] for a in approval] == ["Manual"]
            assert approval[0]["RunOrder"] < min(d["RunOrder"] for d in deploys)
        else:
            assert approval == []


def test_iam_broadening_changes_pause_every_stage_for_confirmation(
    pipeline_stages: list[dict[str, Any]], context: dict[str, Any]
) -> None:
    for stage in pipeline_stages:
        if stage["Name"] not in context["pipeline"]["order"]:
            continue
        actions = {a["Name"]: a for a in stage["Actions"]}
        check = actions[f"{stage['Name']}-permissions.Check"]
        confirm = actions[f"{stage['Name']}-permissions.Confirm"]
        deploy = min(a["RunOrder"] for n, a in actions.items() if n.endswith(".Deploy"))
        # THEN the broadening check and its confirmation come before the deploy
        assert check["RunOrder"] < confirm["RunOrder"] < deploy


def test_verification_follows_every_deploy(
    pipeline_stack: PipelineStack, pipeline_stages: list[dict[str, Any]], context: dict[str, Any]
) -> None:
    for stage in pipeline_stages:
        name = stage["Name"]
        if name not in context["pipeline"]["order"]:
            continue
        actions = {a["Name"]: a for a in stage["Actions"]}
        verify = actions[f"{name}-verify"]
        deploys = [a["RunOrder"] for n, a in actions.items() if n.endswith(".Deploy")]
        # THEN verify runs after every deploy of the stage, for that stage, as its role
        assert verify["RunOrder"] > max(deploys)
        [command] = [c for c in build_commands(pipeline_stack, verify) if "verify" in c]
        assert command.startswith(f".venv/bin/connect-survey verify --stage {name} --role-arn ")


def verify_action(stages: list[dict[str, Any]], name: str) -> dict[str, Any]:
    [stage] = [stage for stage in stages if stage["Name"] == name]
    [action] = [a for a in stage["Actions"] if a["Name"] == f"{name}-verify"]
    return action


@pytest.mark.parametrize(("name", "live"), [("dev", True), ("staging", True), ("prod", False)])
def test_the_live_cases_run_after_the_deploy_of_every_stage_with_live_tests(
    pipeline_stack: PipelineStack,
    pipeline_stages: list[dict[str, Any]],
    context: dict[str, Any],
    name: str,
    live: bool,
) -> None:
    # GIVEN liveTests on for dev and staging, off for prod (cdk.json)
    assert bool(context["stages"][name].get("liveTests")) is live

    # WHEN the stage's post-deploy verify step runs
    [command] = [
        c
        for c in build_commands(pipeline_stack, verify_action(pipeline_stages, name))
        if "verify" in c
    ]

    # THEN it runs the live cases exactly where they are deployed, reporting them as JUnit; a
    # failing case fails the step, and with it the stage, before the next stage starts
    assert command.endswith(" --live-tests --junit live-tests.xml") is live
    assert ("--live-tests" in command) is live


def test_the_live_verify_step_reports_the_cases_and_is_bounded_by_them(
    pipeline_stack: PipelineStack, pipeline_stages: list[dict[str, Any]]
) -> None:
    # GIVEN dev's verify step and the cases dev deploys
    cases = len(pipeline_stack.stages["dev"].survey.live_tests.test_cases)  # type: ignore[union-attr]
    projects = template_of(pipeline_stack).find_resources("AWS::CodeBuild::Project")
    project = projects[verify_action(pipeline_stages, "dev")["Configuration"]["ProjectName"]["Ref"]]
    spec = json.loads(project["Properties"]["Source"]["BuildSpec"])

    # THEN CodeBuild shows the JUnit report, and the step may take the checks' 30 minutes plus
    # 6 minutes per batch of 5 cases, no longer
    assert spec["reports"]["live-tests"] == {"files": ["live-tests.xml"], "file-format": "JUNITXML"}
    assert project["Properties"]["TimeoutInMinutes"] == 30 + 6 * -(-cases // 5)


@pytest.mark.parametrize(("name", "live"), [("dev", True), ("prod", False)])
def test_the_verify_role_may_run_test_cases_only_where_they_are_deployed(
    pipeline_stack: PipelineStack, context: dict[str, Any], name: str, live: bool
) -> None:
    # GIVEN the verify role's policy in a stage with and without liveTests
    template = template_of(pipeline_stack.stages[name].verify_access)
    statements = [
        statement
        for policy in template.find_resources("AWS::IAM::Policy").values()
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]
    ]
    test_case_actions = [
        action
        for statement in statements
        for action in ([statement["Action"]] if isinstance(statement["Action"], str)
                       else statement["Action"])
        if "TestCase" in action
    ]  # fmt: skip

    # THEN exactly the runner's calls, on the stage's instance and its test cases; none in prod
    instance = context["stages"][name]["instanceArn"]
    if live:
        [run] = [s for s in statements if s.get("Sid") == "RunLiveTestCases"]
        assert sorted(run["Action"]) == sorted(RUNNER_ACTIONS)
        assert run["Resource"] == [instance, f"{instance}/test-case/*"]
        assert sorted(test_case_actions) == sorted(RUNNER_ACTIONS)
    else:
        assert test_case_actions == []


def test_the_github_deploy_runs_the_live_cases_after_each_stage_before_the_next(
    context: dict[str, Any],
) -> None:
    # GIVEN the GitHub deploy: one reusable job per stage, each after the one before
    workflows = PROJECT_ROOT / ".github" / "workflows"
    deploy = yaml.safe_load((workflows / "deploy.yml").read_text(encoding="utf-8"))
    stage_job = yaml.safe_load((workflows / "deploy-stage.yml").read_text(encoding="utf-8"))
    order = context["pipeline"]["order"]
    assert [deploy["jobs"][name].get("needs") for name in order] == [None, *order[:-1]]

    # THEN each stage's job verifies with its live cases right after its deploy, so a failing
    # case fails the job and the next stage never starts
    runs = [step.get("run", "") for step in stage_job["jobs"]["deploy"]["steps"]]
    [deployed] = [i for i, run in enumerate(runs) if "cdk deploy" in run]
    [verified] = [i for i, run in enumerate(runs) if "connect-survey verify" in run]
    assert verified == deployed + 1
    assert " --live-tests" in runs[verified]


def test_synth_step_runs_the_test_command_then_synthesizes(
    pipeline_stack: PipelineStack, pipeline_stages: list[dict[str, Any]]
) -> None:
    # GIVEN the build stage
    [build] = [stage for stage in pipeline_stages if stage["Name"] == "Build"]
    [synth] = build["Actions"]

    # THEN it runs make test (which installs the dependencies) before synthesizing
    assert build_commands(pipeline_stack, synth) == ["make test", "make synth-pipeline"]


@pytest.mark.parametrize("name", ["dev", "staging", "prod"])
def test_each_stage_deploys_the_direct_deploys_stack_in_its_account_and_region(
    pipeline_stack: PipelineStack, context: dict[str, Any], name: str
) -> None:
    # GIVEN the stage in the pipeline and the stack `make deploy STAGE=name` deploys
    stage = pipeline_stack.stages[name]
    config = load_stage(context, name)
    direct = build_stack(config)

    # THEN it deploys in the stage's account and region, under the same name and resource ids
    settings = context["stages"][name]
    assert (stage.survey.account, stage.survey.region) == (settings["account"], settings["region"])
    assert stage.survey.stack_name == direct.stack_name == stack_name(config)
    resources = template_of(stage.survey).to_json()["Resources"]
    assert set(resources) == set(template_of(direct).to_json()["Resources"])


def test_pipeline_and_stage_stacks_have_no_unsuppressed_nag_findings(
    pipeline_stack: PipelineStack,
) -> None:
    support = pipeline_stack.pipeline.pipeline.cross_region_support.values()
    stacks = [pipeline_stack, *(region.stack for region in support)]
    assert len(stacks) > 1  # staging and prod are in another region: a replication stack
    for stage in pipeline_stack.stages.values():
        stacks += [stage.survey, stage.verify_access]
    for stack in stacks:
        annotations = Annotations.from_stack(stack)  # synthesizes the app again: once a stack
        findings = [
            *annotations.find_error("*", Match.string_like_regexp(NAG_FINDING)),
            *annotations.find_warning("*", Match.string_like_regexp(NAG_FINDING)),
        ]
        assert [f"{f.id}: {f.entry.data}" for f in findings] == [], stack.stack_name


def test_verify_role_is_assumable_only_by_the_pipelines_verify_step_role(
    pipeline_stack: PipelineStack, pipeline_stages: list[dict[str, Any]], context: dict[str, Any]
) -> None:
    # GIVEN the role the prod verify step assumes
    template = template_of(pipeline_stack.stages["prod"].verify_access)
    [role] = template.find_resources(
        "AWS::IAM::Role", {"Properties": {"RoleName": "survey-verify"}}
    ).values()
    pipeline_account = context["pipeline"]["account"]
    step_role_arn = f"arn:aws:iam::{pipeline_account}:role/survey-verify-step"

    # THEN only the principal with the prod verify step role's exact ARN may assume it
    [statement] = role["Properties"]["AssumeRolePolicyDocument"]["Statement"]
    assert statement["Action"] == "sts:AssumeRole"
    assert statement["Principal"] == {"AWS": f"arn:aws:iam::{pipeline_account}:root"}
    assert statement["Condition"] == {"ArnEquals": {"aws:PrincipalArn": step_role_arn}}

    # AND that is the role the pipeline's prod verify project runs as
    pipeline = template_of(pipeline_stack)
    [step_role_id] = pipeline.find_resources(
        "AWS::IAM::Role", {"Properties": {"RoleName": "survey-verify-step"}}
    )
    [prod] = [stage for stage in pipeline_stages if stage["Name"] == "prod"]
    [verify] = [a for a in prod["Actions"] if a["Name"] == "prod-verify"]
    project_id = verify["Configuration"]["ProjectName"]["Ref"]
    project = pipeline.find_resources("AWS::CodeBuild::Project")[project_id]
    assert project["Properties"]["ServiceRole"] == {"Fn::GetAtt": [step_role_id, "Arn"]}


def test_verify_role_describes_only_this_stages_flows(pipeline_stack: PipelineStack) -> None:
    # GIVEN the prod stage's survey stack and its verify role's policy
    stage = pipeline_stack.stages["prod"]
    outputs = template_of(stage.survey).to_json()["Outputs"]
    policies = template_of(stage.verify_access).find_resources("AWS::IAM::Policy")
    [statement] = [
        s
        for policy in policies.values()
        for s in policy["Properties"]["PolicyDocument"]["Statement"]
        if "connect:DescribeContactFlow" in json.dumps(s["Action"])
    ]

    # THEN DescribeContactFlow names exactly the stack's flows, read from its outputs
    assert statement["Action"] == "connect:DescribeContactFlow"
    described = []
    for resource in statement["Resource"]:
        reference = resource["Fn::GetStackOutput"]
        assert reference["StackName"] == stage.survey.stack_name
        described.append(outputs[reference["OutputName"]]["Value"])
    flow_ids = template_of(stage.survey).find_resources("AWS::Connect::ContactFlow")
    assert sorted(d["Fn::GetAtt"][0] for d in described) == sorted(flow_ids)
    assert {d["Fn::GetAtt"][1] for d in described} == {"ContactFlowArn"}


def test_every_build_step_installs_the_cli_and_cdk_assets_pinned_in_package_json(
    pipeline_stack: PipelineStack,
) -> None:
    # GIVEN the versions package.json pins
    pins = json.loads((ROOT / "package.json").read_text(encoding="utf-8"))["devDependencies"]
    expected = {"aws-cdk": f"@{pins['aws-cdk']}", "cdk-assets": f"@{pins['cdk-assets']}"}

    # WHEN every CodeBuild project's buildspec is read (a string, or a join around ARNs)
    installs = []
    projects = template_of(pipeline_stack).find_resources("AWS::CodeBuild::Project")
    for logical_id, project in projects.items():
        buildspec = json.dumps(project["Properties"]["Source"]["BuildSpec"])
        assert "@latest" not in buildspec, logical_id
        found = re.findall(r"npm install -g (aws-cdk|cdk-assets)(@[\w.-]+)?", buildspec)
        installs += [(logical_id, tool, version) for tool, version in found]

    # THEN self-mutation, the security check and asset publishing install exactly those
    tools = {tool for _, tool, _ in installs}
    assert tools == {"aws-cdk", "cdk-assets"}
    assert sum("SecurityCheck" in logical_id for logical_id, _, _ in installs) == 1
    for logical_id, tool, version in installs:
        assert version == expected[tool], logical_id


def test_pipeline_wildcard_and_project_suppressions_each_name_their_findings(
    pipeline_stack: PipelineStack,
) -> None:
    stacks = [pipeline_stack, *(stage.verify_access for stage in pipeline_stack.stages.values())]
    suppressions = [
        rule
        for stack in stacks
        for resource in template_of(stack).to_json()["Resources"].values()
        for rule in resource.get("Metadata", {}).get("cdk_nag", {}).get("rules_to_suppress", [])
    ]
    iam5 = [rule for rule in suppressions if rule["id"] == "AwsSolutions-IAM5"]
    project = [rule for rule in suppressions if rule["id"].startswith(f"{PACK_NAME}-")]
    assert iam5
    for rule in iam5 + project:
        assert rule.get("applies_to"), rule
        assert "Action::*" not in rule["applies_to"]


def test_the_example_pipeline_runs_in_a_tooling_account_of_its_own(
    context: dict[str, Any],
) -> None:
    # GIVEN the pipeline settings of the checked-in cdk.json
    pipeline = context["pipeline"]

    # THEN its account is none of the stages' (a dev administrator cannot change it), and the
    # Git connection lives there too
    assert pipeline["account"] not in {stage["account"] for stage in context["stages"].values()}
    assert pipeline["connectionArn"].split(":")[4] == pipeline["account"]


def pipeline_context(context: dict[str, Any], **changes: Any) -> dict[str, Any]:
    edited = copy.deepcopy(context)
    edited["pipeline"].update(changes)
    return edited


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            {"order": ["dev", "qa", "prod"]},
            "pipeline.order[1]: unknown stage 'qa'; choose from dev, prod, staging or add it to "
            "stages in cdk.json",
        ),
        (
            {"order": ["dev", ["staging", "dev"], "prod"]},
            "pipeline.order[1]: 'dev' is already in order[0]; a stage deploys once per run: "
            "remove one of them",
        ),
        (
            {"approvalStages": ["prod", "qa"]},
            "pipeline.approvalStages[1]: 'qa' is not in order (dev, staging, prod); add it there "
            "or remove it here",
        ),
    ],
)
def test_pipeline_configuration_mistakes_name_the_setting_and_the_fix(
    context: dict[str, Any], changes: dict[str, Any], message: str
) -> None:
    # GIVEN a mistake in the pipeline settings
    # WHEN they are loaded
    with pytest.raises(ConfigError) as error:
        load_pipeline(pipeline_context(context, **changes))

    # THEN the message names the setting and the fix
    assert str(error.value) == message


def test_missing_connection_arn_stops_synth_saying_where_to_get_one(
    context: dict[str, Any], tmp_path: Path
) -> None:
    # GIVEN pipeline settings without the connection ARN
    edited = pipeline_context(context)
    del edited["pipeline"]["connectionArn"]

    # WHEN the pipeline is synthesized
    with pytest.raises(SystemExit) as stop:
        app.main(cdk.App(context={**edited, PIPELINE_STACK_CONTEXT: "true"}, outdir=str(tmp_path)))

    # THEN synth stops with one line naming the setting and how to get one
    assert str(stop.value.code) == (
        "Configuration error in cdk.json: pipeline.connectionArn: is required: create a "
        "connection to your Git host (Developer Tools console -> Settings -> Connections), then "
        "put its ARN here"
    )
