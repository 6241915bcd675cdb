"""The follow-up task channel's resource: the stage's task flow, and the one Connect action the
alert function needs to start tasks through it.

The flow is created with the other flows (after the Lambda integrations), while the alert
function is built before them, so the flow's ARN reaches the function's environment and policy
lazily: CloudFormation orders the function after the flow, and the flow never depends on it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import jsii
from aws_cdk import IStableStringProducer, Lazy
from aws_cdk import aws_iam as iam

from connect_survey.lambda_asset.survey.channels.task import (
    FLOW_ARN,
    SETTINGS,
    TaskChannel,
    TaskSettings,
)

if TYPE_CHECKING:
    from collections.abc import Mapping

# StartTaskContact is authorised against the flow it starts (required) and, with
# RelatedContactId, against the related contact (Service Authorization Reference: resource
# types contact-flow*, contact); the instance itself is no resource type of it.
START_TASK_ACTION = "connect:StartTaskContact"


@jsii.implements(IStableStringProducer)
class _FlowArn:
    """The task flow's ARN, known once the flow is created (`FollowUpTaskBinding.bind_flow`)."""

    def __init__(self) -> None:
        self.arn: str | None = None

    def produce(self) -> str | None:
        if self.arn is None:
            raise ValueError("the follow-up task flow was never created (bind_flow)")
        return self.arn


class FollowUpTaskBinding:
    """The task channel's resource: the stage's task flow on its instance."""

    channel = TaskChannel.name

    def __init__(self, *, instance_arn: str, settings: TaskSettings) -> None:
        self.instance_arn = instance_arn
        self.settings = settings
        self._flow = _FlowArn()
        self.flow_arn = Lazy.string(self._flow)

    @property
    def related_contacts(self) -> str:
        """The instance's contacts a task may be related to (StartTaskContact's `contact`)."""
        return f"{self.instance_arn}/contact/*"

    def bind_flow(self, arn: str) -> None:
        """The created task flow's ARN (a CloudFormation attribute)."""
        self._flow.arn = arn

    @property
    def environment(self) -> Mapping[str, str]:
        return {FLOW_ARN: self.flow_arn, SETTINGS: self.settings.to_env()}

    def grant_send(self, grantee: iam.IGrantable) -> None:
        """StartTaskContact through this flow alone, related to this instance's contacts."""
        iam.Grant.add_to_principal(
            grantee=grantee,
            actions=[START_TASK_ACTION],
            resource_arns=[self.flow_arn, self.related_contacts],
        )
