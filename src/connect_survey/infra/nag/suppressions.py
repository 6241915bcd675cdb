"""cdk-nag suppressions: each names one resource and one rule, with the reason it is accepted."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Final

from aws_cdk import Stack
from aws_cdk import aws_iam as iam
from cdk_nag import NagPackSuppression, NagSuppressions, RegexAppliesTo

if TYPE_CHECKING:
    from collections.abc import Sequence

    from aws_cdk import pipelines

    from connect_survey.config.stage import StageConfig
    from connect_survey.infra.handlers import SurveyHandlers
    from connect_survey.infra.reporting import ContactRecordReports


def suppress_findings(*, handlers: SurveyHandlers, task_contacts: str | None = None) -> None:
    """Accept the findings that are deliberate, on exactly the resources that have them.

    `task_contacts`: the instance's contacts the senders (alert function, sweeper) relate
    follow-up tasks to."""
    for function in [*handlers.functions.values(), handlers.alert, handlers.sweeper]:
        policy = function.role.node.try_find_child("DefaultPolicy") if function.role else None
        if policy is None:
            continue
        NagSuppressions.add_resource_suppressions(
            policy,
            [
                NagPackSuppression(
                    id="AwsSolutions-IAM5",
                    reason="X-Ray PutTraceSegments/PutTelemetryRecords accept no resource-level "
                    "permissions; active tracing needs Resource '*'.",
                    applies_to=["Resource::*"],
                )
            ],
            apply_to_children=True,
        )
    alert_policy = (
        handlers.alert.role.node.try_find_child("DefaultPolicy") if handlers.alert.role else None
    )
    if alert_policy is not None:
        NagSuppressions.add_resource_suppressions(
            alert_policy,
            [
                NagPackSuppression(
                    id="AwsSolutions-IAM5",
                    reason="The stream event source needs dynamodb:ListStreams, which accepts no "
                    "resource-level permissions.",
                    applies_to=["Resource::*"],
                )
            ],
            apply_to_children=True,
        )
    for sender in (handlers.alert, handlers.sweeper):
        policy = sender.role.node.try_find_child("DefaultPolicy") if sender.role else None
        if policy is None or task_contacts is None:
            continue
        NagSuppressions.add_resource_suppressions(
            policy,
            [
                NagPackSuppression(
                    id="AwsSolutions-IAM5",
                    reason="StartTaskContact with RelatedContactId is authorised against the "
                    "related contact, any surveyed contact of this instance: the contact ids "
                    "are not known before the calls.",
                    applies_to=[f"Resource::{task_contacts}"],
                )
            ],
            apply_to_children=True,
        )
    NagSuppressions.add_resource_suppressions(
        handlers.sweep_role,
        [
            NagPackSuppression(
                id="AwsSolutions-IAM5",
                reason="lambda:InvokeFunction on the sweeper and its versions, as grant_invoke "
                "writes it; the role is assumed by the sweep schedule only.",
                applies_to=[
                    RegexAppliesTo(regex="/^Resource::<HandlersSweeperFunction.*\\.Arn>:\\*$/")
                ],
            )
        ],
        apply_to_children=True,
    )
    NagSuppressions.add_resource_suppressions(
        handlers.dead_letters,
        [
            NagPackSuppression(
                id="AwsSolutions-SQS3",
                reason="This queue is the alert function's dead-letter destination itself.",
            )
        ],
    )


def suppress_reporting_findings(*, reports: ContactRecordReports) -> None:
    """The reports bucket and the Firehose role: accepted findings, each with its reason."""
    NagSuppressions.add_resource_suppressions(
        reports.bucket,
        [
            NagPackSuppression(
                id="AwsSolutions-S1",
                reason="Only Firehose (its own role) and Athena write here; access is audited "
                "by CloudTrail. A log bucket per stage would need its own log bucket in turn.",
            )
        ],
    )
    if reports.delivery is not None:
        NagSuppressions.add_resource_suppressions(
            reports.delivery,
            [
                NagPackSuppression(
                    id="AwsSolutions-KDF1",
                    reason="Firehose server-side encryption applies to Direct PUT only; this "
                    "stream reads a Kinesis stream (encrypted at rest) and writes to an "
                    "encrypted bucket.",
                )
            ],
        )
    if reports.delivery_role is not None:
        NagSuppressions.add_resource_suppressions(
            reports.delivery_role,
            [
                NagPackSuppression(
                    id="AwsSolutions-IAM5",
                    reason="Firehose writes objects under prefixes chosen per record (contact "
                    "date, error type), so it needs every key under ctr/ and errors/ of its own "
                    "bucket, and nothing else.",
                    applies_to=[
                        RegexAppliesTo(
                            regex="/^Resource::<.*Bucket.*\\.Arn>\\/(ctr|errors)\\/\\*$/"
                        )
                    ],
                )
            ],
            apply_to_children=True,
        )


# What CDK Pipelines grants its own roles on the artifact bucket and its key (Bucket.grantRead /
# grantReadWrite, Key.grantEncryptDecrypt write these wildcards).
ARTIFACT_FINDINGS: Final[list[str | RegexAppliesTo]] = [
    RegexAppliesTo(regex="/^Resource::<PipelineArtifactsBucket[A-Za-z0-9]+\\.Arn>\\/\\*$/"),
    "Action::s3:GetObject*",
    "Action::s3:GetBucket*",
    "Action::s3:List*",
    "Action::s3:DeleteObject*",
    "Action::s3:Abort*",
    "Action::kms:GenerateDataKey*",
    "Action::kms:ReEncrypt*",
]
# What CodeBuild grants each project's role: its own log group and report groups, both named
# after the project (a logical id here).
OWN_BUILD_LOGS_FINDINGS: Final[list[str | RegexAppliesTo]] = [
    RegexAppliesTo(
        regex="/^Resource::arn:[^:]+:logs:[^:]+:\\d{12}:log-group:\\/aws\\/codebuild\\/"
        "<[A-Za-z0-9]+>:\\*$/"
    ),
    RegexAppliesTo(
        regex="/^Resource::arn:[^:]+:codebuild:[^:]+:\\d{12}:report-group\\/<[A-Za-z0-9]+>-\\*$/"
    ),
]


def suppress_pipeline_findings(
    pipeline: pipelines.CodePipeline, *, step_roles: Sequence[iam.Role]
) -> None:
    """Accept what CDK Pipelines generates, finding by finding, on the roles that have it.

    Call after `build_pipeline()`. `step_roles` are the roles of our own steps (outside the
    pipeline's construct tree), which CDK Pipelines grants the same artifact access.
    """
    roles = [c for c in pipeline.node.find_all() if isinstance(c, iam.Role)] + list(step_roles)
    code_pipeline = pipeline.pipeline
    # The replication buckets' generated names, as the pipeline's policy writes them.
    replication = [
        RegexAppliesTo(regex=_slashed(f"^Resource::arn:[^:]+:s3:::{re.escape(name)}/\\*$"))
        for name in (
            Stack.of(pipeline).resolve(support.replication_bucket.bucket_name)
            for support in code_pipeline.cross_region_support.values()
        )
        if isinstance(name, str)
    ]
    for role in roles:
        _suppress_iam5(
            role,
            "CDK Pipelines grants its roles read (and for the build and asset steps, write) "
            "access to the objects of its own artifact bucket, and data-key use of that "
            "bucket's key, with these wildcard actions; each CodeBuild project writes only its "
            "own log group and report groups, named after the project.",
            [*ARTIFACT_FINDINGS, *OWN_BUILD_LOGS_FINDINGS, *replication],
        )
    specific: dict[str, tuple[str, list[str | RegexAppliesTo]]] = {
        "Pipeline/Role": (
            "The pipeline role may use the artifact keys of every region it deploys to; the "
            "cross-region replication keys are referenced by alias from their own stacks, so "
            "CDK Pipelines grants the key actions on '*' and each key's policy decides.",
            ["Resource::*"],
        ),
        "Assets/FileRole": (
            "The one asset-publishing role serves every asset project CDK Pipelines creates: "
            "starting and reading their builds and writing their CodeBuild logs and reports, "
            "whose names are only known once the projects exist.",
            [
                "Resource::*",
                RegexAppliesTo(
                    regex="/^Resource::arn:[^:]+:logs:[^:]+:\\d{12}:log-group:"
                    "\\/aws\\/codebuild\\/\\*$/"
                ),
                RegexAppliesTo(
                    regex="/^Resource::arn:[^:]+:codebuild:[^:]+:\\d{12}:report-group\\/\\*$/"
                ),
            ],
        ),
        "UpdatePipeline/SelfMutation/Role": (
            "Self-mutation reads stack state (cloudformation:DescribeStacks, s3:ListBucket "
            "accept no narrower resource as CDK Pipelines grants them) and assumes only the "
            "CDK bootstrap roles, selected by their aws-cdk:bootstrap-role tag.",
            [
                "Resource::*",
                RegexAppliesTo(regex="/^Resource::arn:\\*:iam::\\d{12}:role\\/\\*$/"),
            ],
        ),
        "PipelinesSecurityCheck/CDKSecurityCheck/Role": (
            "The permission check assumes only the CDK bootstrap deploy roles (selected by "
            "their aws-cdk:bootstrap-role tag, in every stage account) and invokes its own "
            "approval function and that function's versions.",
            [
                "Resource::*",
                RegexAppliesTo(
                    regex="/^Resource::<[A-Za-z0-9]+AutoApprove[A-Za-z0-9]+\\.Arn>:\\*$/"
                ),
            ],
        ),
        "PipelinesSecurityCheck/CDKPipelinesAutoApprove/ServiceRole": (
            "The approval function reads pipeline state and puts approval results only on "
            "pipelines tagged SECURITY_CHECK=ALLOW_APPROVE (a condition on '*').",
            ["Resource::*"],
        ),
    }
    for role in roles:
        for path, (reason, findings) in specific.items():
            if role.node.path.endswith(f"/{path}"):
                _suppress_iam5(role, reason, findings)
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


def suppress_verify_access_findings(role: iam.Role, *, config: StageConfig) -> None:
    """The verify role's wildcards: generated names inside this stage's instance and stack."""
    offline = config.offline
    stack = offline.resource_name("stack")
    where = f"{re.escape(offline.region)}:{offline.account}"
    _suppress_iam5(
        role,
        "Flow lists and associations live under the instance (instance/ID/*); the stack, table "
        "and topic have names CloudFormation generates from this stage's stack name.",
        [
            RegexAppliesTo(regex=_slashed(f"^Resource::{re.escape(offline.instance_arn)}/\\*$")),
            RegexAppliesTo(
                regex=_slashed(
                    f"^Resource::arn:[^:]+:cloudformation:{where}:stack/{re.escape(stack)}/\\*$"
                )
            ),
            RegexAppliesTo(
                regex=_slashed(
                    f"^Resource::arn:[^:]+:dynamodb:{where}:table/{re.escape(stack)}-\\*$"
                )
            ),
            RegexAppliesTo(
                regex=_slashed(f"^Resource::arn:[^:]+:sns:{where}:{re.escape(stack)}-\\*$")
            ),
        ],
    )


def _slashed(pattern: str) -> str:
    """A regular expression in the `/…/` form `RegexAppliesTo` takes, its slashes escaped."""
    return "/" + pattern.replace("/", "\\/") + "/"


def _suppress_iam5(role: iam.Role, reason: str, findings: Sequence[str | RegexAppliesTo]) -> None:
    policy = role.node.try_find_child("DefaultPolicy")
    if policy is None:
        return
    NagSuppressions.add_resource_suppressions(
        policy,
        [NagPackSuppression(id="AwsSolutions-IAM5", reason=reason, applies_to=list(findings))],
        apply_to_children=True,
    )
