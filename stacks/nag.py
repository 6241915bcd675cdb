"""cdk-nag suppressions: each names one resource and one rule, with the reason it is accepted."""

from __future__ import annotations

from typing import TYPE_CHECKING

from cdk_nag import NagPackSuppression, NagSuppressions

if TYPE_CHECKING:
    from stacks.handlers import SurveyHandlers


def suppress_findings(*, handlers: SurveyHandlers) -> None:
    """Accept the findings that are deliberate, on exactly the resources that have them."""
    for function in handlers.functions.values():
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
