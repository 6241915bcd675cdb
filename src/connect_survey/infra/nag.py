"""cdk-nag suppressions: each names one resource and one rule, with the reason it is accepted."""

from __future__ import annotations

from typing import TYPE_CHECKING

from cdk_nag import NagPackSuppression, NagSuppressions, RegexAppliesTo

if TYPE_CHECKING:
    from connect_survey.infra.handlers import SurveyHandlers
    from connect_survey.infra.reporting import ContactRecordReports


def suppress_findings(*, handlers: SurveyHandlers) -> None:
    """Accept the findings that are deliberate, on exactly the resources that have them."""
    for function in [*handlers.functions.values(), handlers.alert]:
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
