"""The promotion pipeline: one build, promoted stage by stage, verified after every deploy.

CDK Pipelines (https://docs.aws.amazon.com/cdk/v2/guide/cdk_pipeline.html): the synth step runs
`make test` and synthesizes once; every stage deploys from that one cloud assembly.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any, Final

from aws_cdk import Duration, Environment, Stack, Stage, Token, pipelines
from aws_cdk import aws_codebuild as codebuild
from aws_cdk import aws_codepipeline as codepipeline
from aws_cdk import aws_iam as iam

from connect_survey.flows.catalog import HANDLERS
from connect_survey.infra.live_tests import allow_live_runs
from connect_survey.infra.nag import add_nag_checks
from connect_survey.infra.nag.suppressions import (
    suppress_pipeline_findings,
    suppress_verify_access_findings,
)
from connect_survey.infra.npm_pins import CDK_ASSETS, CDK_CLI, pinned_npm_version
from connect_survey.infra.outputs import stack_name
from connect_survey.infra.survey_stack import SurveyStack
from connect_survey.test_cases.live import run_budget_seconds

if TYPE_CHECKING:
    from collections.abc import Sequence

    from constructs import Construct

    from connect_survey.config.pipeline import PipelineConfig
    from connect_survey.config.stage import StageConfig

# What the synth step runs: `make test` installs everything it needs, then the pipeline's synth.
TEST_COMMAND: Final = "make test"
SYNTH_COMMAND: Final = "make synth-pipeline"
# CodeBuild's standard image with the runtimes the project supports.
RUNTIME_VERSIONS: Final = {"python": "3.12", "nodejs": "22"}
PIPELINE_CONTEXT: Final = "pipeline"
PIPELINE_STACK_CONTEXT: Final = "pipelineStack"  # -c pipelineStack=true builds the pipeline
# The live test cases' JUnit report (`verify --live-tests --junit`), shown by CodeBuild.
LIVE_TESTS_REPORT: Final = "live-tests.xml"
# The verify step's setup and checks; a stage's live test cases add their own bound to it.
VERIFY_MINUTES: Final = 30
# How CDK Pipelines' permission check installs the CLI (in its JSON buildspec): no property
# sets that version.
UNPINNED_SECURITY_CHECK_CLI: Final = '"npm install -g aws-cdk"'


class SurveyStage(Stage):
    """One stage: the same survey stack `make deploy` deploys, plus the role `verify` assumes."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: StageConfig,
        pipeline_account: str,
        verify_step_role_arn: str,
    ) -> None:
        offline = config.offline
        super().__init__(
            scope,
            construct_id,
            env=Environment(account=offline.account, region=offline.region),
        )
        # Same construct id and stack name as app.py, so a stage deployed by hand is adopted.
        name = stack_name(config)
        self.survey = SurveyStack(self, name, config=config, stack_name=name)
        self.verify_access = VerifyAccessStack(
            self,
            offline.resource_name("verify-access"),
            config=config,
            pipeline_account=pipeline_account,
            verify_step_role_arn=verify_step_role_arn,
            flow_arns=list(self.survey.flow_arns.values()),
        )
        add_nag_checks(self)


class VerifyAccessStack(Stack):
    """A role the pipeline's verify step assumes: read-only calls, one invocation per function.

    Only the verify step's own role may assume it (`aws:PrincipalArn`, which also holds when
    that role is recreated), and it reads only this stage's flows (`flow_arns`).
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: StageConfig,
        pipeline_account: str,
        verify_step_role_arn: str,
        flow_arns: Sequence[str],
    ) -> None:
        offline = config.offline
        super().__init__(
            scope,
            construct_id,
            stack_name=construct_id,
            env=Environment(account=offline.account, region=offline.region),
            description=f"Role for connect-survey verify ({offline.name})",
        )
        self.role = iam.Role(
            self,
            "VerifyRole",
            role_name=verify_role_name(config),
            assumed_by=iam.AccountPrincipal(pipeline_account).with_conditions(
                {"ArnEquals": {"aws:PrincipalArn": verify_step_role_arn}}
            ),
            description="Assumed by the pipeline's verify step after each deploy.",
        )
        arn = f"arn:{offline.partition}"
        where = f"{offline.region}:{offline.account}"
        stack = stack_name(config)
        self.role.add_to_policy(
            iam.PolicyStatement(
                actions=["connect:ListContactFlows", "connect:ListIntegrationAssociations"],
                resources=[offline.instance_arn, f"{offline.instance_arn}/*"],
            )
        )
        self.role.add_to_policy(
            iam.PolicyStatement(actions=["connect:DescribeContactFlow"], resources=list(flow_arns))
        )
        self.role.add_to_policy(
            iam.PolicyStatement(
                actions=["lambda:GetFunctionConfiguration", "lambda:InvokeFunction"],
                resources=[offline.function_arn(key) for key in HANDLERS],
            )
        )
        self.role.add_to_policy(
            iam.PolicyStatement(
                actions=["cloudformation:DescribeStacks"],
                resources=[f"{arn}:cloudformation:{where}:stack/{stack}/*"],
            )
        )
        self.role.add_to_policy(
            iam.PolicyStatement(
                actions=["dynamodb:DescribeTable"],
                resources=[f"{arn}:dynamodb:{where}:table/{stack}-*"],
            )
        )
        self.role.add_to_policy(
            iam.PolicyStatement(
                actions=["sns:GetTopicAttributes"], resources=[f"{arn}:sns:{where}:{stack}-*"]
            )
        )
        suppress_verify_access_findings(self.role, config=config)
        if config.settings.live_tests:  # `verify --live-tests` runs the deployed test cases
            allow_live_runs(self.role, instance_arn=offline.instance_arn)


def verify_role_name(config: StageConfig) -> str:
    return config.offline.resource_name("verify")


def verify_role_arn(config: StageConfig) -> str:
    offline = config.offline
    return f"arn:{offline.partition}:iam::{offline.account}:role/{verify_role_name(config)}"


def verify_step_role_name(config: StageConfig) -> str:
    """The pipeline's verify step role for this stage: a fixed name the stage's role trusts."""
    return config.offline.resource_name("verify-step")


def verify_step_role_arn(config: StageConfig, pipeline_account: str) -> str:
    partition = config.offline.partition
    return f"arn:{partition}:iam::{pipeline_account}:role/{verify_step_role_name(config)}"


class PipelineStack(Stack):
    """Source -> synth (`make test`, then synth) -> each wave of stages, verified after deploy."""

    def __init__(
        self, scope: Construct, construct_id: str, *, config: PipelineConfig, **kwargs: Any
    ) -> None:
        settings = config.settings
        super().__init__(
            scope,
            construct_id,
            env=Environment(account=settings.account, region=settings.region),
            description="Promotes the post-call survey stacks through their stages",
            **kwargs,
        )
        source = pipelines.CodePipelineSource.connection(
            settings.repository, settings.branch, connection_arn=settings.connection_arn
        )
        cdk_cli = pinned_npm_version(CDK_CLI)
        self.pipeline = pipelines.CodePipeline(
            self,
            "Pipeline",
            pipeline_name=construct_id,
            pipeline_type=codepipeline.PipelineType.V2,
            cross_account_keys=True,
            enable_key_rotation=True,
            # The versions `make setup` installs and the tests ran with (package.json).
            cli_version=cdk_cli,
            cdk_assets_cli_version=pinned_npm_version(CDK_ASSETS),
            synth=pipelines.ShellStep(
                "Synth", input=source, commands=[TEST_COMMAND, SYNTH_COMMAND]
            ),
            code_build_defaults=pipelines.CodeBuildOptions(
                build_environment=codebuild.BuildEnvironment(
                    build_image=codebuild.LinuxBuildImage.STANDARD_7_0
                ),
                partial_build_spec=codebuild.BuildSpec.from_object(
                    {"phases": {"install": {"runtime-versions": RUNTIME_VERSIONS}}}
                ),
            ),
        )
        self.stages: dict[str, SurveyStage] = {}
        self.verify_step_roles: list[iam.Role] = []
        for index, wave_stages in enumerate(settings.waves):
            wave = self.pipeline.add_wave(f"Wave{index + 1}-{'-'.join(wave_stages)}")
            for name in wave_stages:
                stage_config = config.stages[name]
                stage = SurveyStage(
                    self,
                    name,
                    config=stage_config,
                    pipeline_account=settings.account,
                    verify_step_role_arn=verify_step_role_arn(stage_config, settings.account),
                )
                pre: list[pipelines.Step] = [
                    pipelines.ConfirmPermissionsBroadening(f"{name}-permissions", stage=stage)
                ]
                if name in settings.approval_stages:
                    pre.append(
                        pipelines.ManualApprovalStep(
                            f"{name}-approval", comment=f"Promote this build to {name}?"
                        )
                    )
                live = stage.survey.live_tests
                verify, step_role = _verify_step(
                    self,
                    name,
                    stage_config,
                    source,
                    live_cases=len(live.test_cases) if live else 0,
                )
                self.verify_step_roles.append(step_role)
                wave.add_stage(stage, pre=pre, post=[verify])
                self.stages[name] = stage
        self.pipeline.build_pipeline()  # now, so the generated resources can be named below
        _pin_security_check_cli(self.pipeline, cdk_cli)
        suppress_pipeline_findings(self.pipeline, step_roles=self.verify_step_roles)


def _pin_security_check_cli(pipeline: pipelines.CodePipeline, version: str) -> None:
    """Install the pinned CLI in the ConfirmPermissionsBroadening project too.

    CDK Pipelines writes `npm install -g aws-cdk` (the latest release) into that one project's
    buildspec, whatever `cli_version` says. The buildspec is rewritten on the L1 itself, so
    what cdk-nag reads is what deploys; a changed buildspec stops synth instead of going
    unpinned.
    """
    check = pipeline.node.try_find_child("PipelinesSecurityCheck")
    if check is None:
        return
    project = check.node.find_child("CDKSecurityCheck").node.default_child
    if not isinstance(project, codebuild.CfnProject):
        raise TypeError("CDK Pipelines' security check is no longer a CodeBuild project")
    source = Stack.of(project).resolve(project.source)
    spec = source["buildSpec"]
    parts = spec["Fn::Join"][1] if isinstance(spec, dict) else [spec]
    if sum(isinstance(p, str) and UNPINNED_SECURITY_CHECK_CLI in p for p in parts) != 1:
        raise RuntimeError(
            "CDK Pipelines changed how its security check installs the CDK CLI: "
            "update _pin_security_check_cli in infra/pipeline_stack.py"
        )
    pinned = f'"npm install -g {CDK_CLI}@{version}"'
    parts = [
        p.replace(UNPINNED_SECURITY_CHECK_CLI, pinned) if isinstance(p, str) else p for p in parts
    ]
    project.source = codebuild.CfnProject.SourceProperty(
        type=source["type"],
        build_spec=Token.as_string({"Fn::Join": ["", parts]}) if len(parts) > 1 else parts[0],
    )


def _verify_step(
    scope: Construct,
    name: str,
    config: StageConfig,
    source: pipelines.CodePipelineSource,
    *,
    live_cases: int = 0,
) -> tuple[pipelines.CodeBuildStep, iam.Role]:
    role = verify_role_arn(config)
    live: dict[str, Any] = {}
    if live_cases:  # its test cases too: a failing live case stops the promotion here
        live = {
            "timeout": Duration.minutes(
                VERIFY_MINUTES + math.ceil(run_budget_seconds(live_cases) / 60)
            ),
            "partial_build_spec": codebuild.BuildSpec.from_object(
                {
                    "reports": {
                        "live-tests": {"files": [LIVE_TESTS_REPORT], "file-format": "JUNITXML"}
                    }
                }
            ),
        }
    # A role of our own, by a fixed name: the stage's verify role trusts exactly this one.
    step_role = iam.Role(
        scope,
        f"{name}-verify-step-role",
        role_name=verify_step_role_name(config),
        assumed_by=iam.ServicePrincipal("codebuild.amazonaws.com"),
        description=f"The pipeline's verify step for {name}: assumes that stage's verify role.",
    )
    step = pipelines.CodeBuildStep(
        f"{name}-verify",
        input=source,
        commands=[
            "make setup",
            f".venv/bin/connect-survey verify --stage {name} --role-arn {role}"
            + (f" --live-tests --junit {LIVE_TESTS_REPORT}" if live_cases else ""),
        ],
        role=step_role,
        role_policy_statements=[iam.PolicyStatement(actions=["sts:AssumeRole"], resources=[role])],
        **live,
    )
    return step, step_role
