"""The promotion pipeline: one build, promoted stage by stage, verified after every deploy.

CDK Pipelines (https://docs.aws.amazon.com/cdk/v2/guide/cdk_pipeline.html): the synth step runs
`make test` and synthesizes once; every stage deploys from that one cloud assembly.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any, Final

from aws_cdk import Aspects, Duration, Environment, Stack, Stage, pipelines
from aws_cdk import aws_codebuild as codebuild
from aws_cdk import aws_codepipeline as codepipeline
from aws_cdk import aws_iam as iam
from cdk_nag import AwsSolutionsChecks, NagPackSuppression, NagSuppressions

from connect_survey.flows.catalog import HANDLERS
from connect_survey.infra.live_tests import allow_live_runs
from connect_survey.infra.outputs import stack_name
from connect_survey.infra.survey_stack import SurveyStack
from connect_survey.test_cases.live import run_budget_seconds

if TYPE_CHECKING:
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


class SurveyStage(Stage):
    """One stage: the same survey stack `make deploy` deploys, plus the role `verify` assumes."""

    def __init__(
        self, scope: Construct, construct_id: str, *, config: StageConfig, pipeline_account: str
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
        )
        # cdk-nag here too: aspects added to the app do not reach into a Stage's own assembly.
        Aspects.of(self).add(AwsSolutionsChecks(verbose=True))


class VerifyAccessStack(Stack):
    """A role the pipeline's verify step assumes: read-only calls, one invocation per function."""

    def __init__(
        self, scope: Construct, construct_id: str, *, config: StageConfig, pipeline_account: str
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
            assumed_by=iam.AccountPrincipal(pipeline_account),
            description="Assumed by the pipeline's verify step after each deploy.",
        )
        arn = f"arn:{offline.partition}"
        where = f"{offline.region}:{offline.account}"
        stack = stack_name(config)
        self.role.add_to_policy(
            iam.PolicyStatement(
                actions=[
                    "connect:ListContactFlows",
                    "connect:DescribeContactFlow",
                    "connect:ListIntegrationAssociations",
                ],
                resources=[offline.instance_arn, f"{offline.instance_arn}/*"],
            )
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
        NagSuppressions.add_resource_suppressions(
            self.role,
            [
                NagPackSuppression(
                    id="AwsSolutions-IAM5",
                    reason="The flows and associations have ids CloudFormation generates, and "
                    "the table and topic generated names starting with the stack name: the "
                    "wildcards stay inside this stage's instance and stack.",
                )
            ],
            apply_to_children=True,
        )
        if config.settings.live_tests:  # `verify --live-tests` runs the deployed test cases
            allow_live_runs(self.role, instance_arn=offline.instance_arn)


def verify_role_name(config: StageConfig) -> str:
    return config.offline.resource_name("verify")


def verify_role_arn(config: StageConfig) -> str:
    offline = config.offline
    return f"arn:{offline.partition}:iam::{offline.account}:role/{verify_role_name(config)}"


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
        self.pipeline = pipelines.CodePipeline(
            self,
            "Pipeline",
            pipeline_name=construct_id,
            pipeline_type=codepipeline.PipelineType.V2,
            cross_account_keys=True,
            enable_key_rotation=True,
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
        for index, wave_stages in enumerate(settings.waves):
            wave = self.pipeline.add_wave(f"Wave{index + 1}-{'-'.join(wave_stages)}")
            for name in wave_stages:
                stage_config = config.stages[name]
                stage = SurveyStage(
                    self,
                    name,
                    config=stage_config,
                    pipeline_account=settings.account,
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
                verify = _verify_step(
                    name, stage_config, source, live_cases=len(live.test_cases) if live else 0
                )
                wave.add_stage(stage, pre=pre, post=[verify])
                self.stages[name] = stage
        self.pipeline.build_pipeline()  # now, so the generated resources can be named below
        _suppress_generated_findings(self.pipeline)


def _suppress_generated_findings(pipeline: pipelines.CodePipeline) -> None:
    """Accept what CDK Pipelines generates, on exactly those resources, with the reason."""
    for construct in pipeline.node.find_all():
        if isinstance(construct, iam.Role) and construct.node.try_find_child("DefaultPolicy"):
            NagSuppressions.add_resource_suppressions(
                construct.node.find_child("DefaultPolicy"),
                [
                    NagPackSuppression(
                        id="AwsSolutions-IAM5",
                        reason="Generated by CDK Pipelines for its own resources: object keys "
                        "in its artifact bucket, kms:GenerateDataKey*/ReEncrypt* on its own key, "
                        "its CodeBuild projects' log and report groups, and the CDK bootstrap "
                        "roles it assumes.",
                    )
                ],
                apply_to_children=True,
            )
    auto_approve = pipeline.node.try_find_child("PipelinesSecurityCheck")
    if auto_approve is not None:
        NagSuppressions.add_resource_suppressions(
            auto_approve,
            [
                NagPackSuppression(
                    id="AwsSolutions-IAM4",
                    reason="CDK Pipelines' permission-check function writes only its own logs "
                    "with AWSLambdaBasicExecutionRole; the construct offers no other role.",
                    applies_to=[
                        "Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/"
                        "AWSLambdaBasicExecutionRole"
                    ],
                )
            ],
            apply_to_children=True,
        )
    code_pipeline = pipeline.pipeline
    buckets = [code_pipeline.artifact_bucket] + [
        support.replication_bucket for support in code_pipeline.cross_region_support.values()
    ]
    for bucket in buckets:
        NagSuppressions.add_resource_suppressions(
            bucket,
            [
                NagPackSuppression(
                    id="AwsSolutions-S1",
                    reason="Holds only the pipeline's encrypted build artefacts, written and "
                    "read by the pipeline's own roles (CloudTrail records them); access logs "
                    "would need one more bucket per region for no reader.",
                )
            ],
            apply_to_children=True,
        )


def _verify_step(
    name: str, config: StageConfig, source: pipelines.CodePipelineSource, *, live_cases: int = 0
) -> pipelines.CodeBuildStep:
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
    return pipelines.CodeBuildStep(
        f"{name}-verify",
        input=source,
        commands=[
            "make setup",
            f".venv/bin/connect-survey verify --stage {name} --role-arn {role}"
            + (f" --live-tests --junit {LIVE_TESTS_REPORT}" if live_cases else ""),
        ],
        role_policy_statements=[iam.PolicyStatement(actions=["sts:AssumeRole"], resources=[role])],
        **live,
    )
