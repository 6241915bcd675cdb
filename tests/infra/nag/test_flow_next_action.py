"""ConnectSurvey-FlowNextAction: flows carry the NextAction console exports carry."""

from __future__ import annotations

import json
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_connect as connect

from connect_survey.infra.nag.pack import RULES
from tests.infra.nag.conftest import checked_stack, flagged

[RULE] = [rule for rule in RULES if rule.suffix == "FlowNextAction"]
INSTANCE = "arn:aws:connect:eu-west-2:111122223333:instance/11111111-1111-4111-8111-111111111111"


def leaving_by_errors(kind: str, *, next_action: bool) -> dict[str, Any]:
    """A flow whose first action (of `kind`) leaves by its error branch to a disconnect."""
    transitions: dict[str, Any] = {
        "Errors": [{"NextAction": "end", "ErrorType": "NoMatchingError"}]
    }
    if next_action:
        transitions["NextAction"] = "end"
    # An ARN built from a token, as the stack's flows have: the rule reads the deployed Content.
    target = f"arn:aws:connect:eu-west-2:{cdk.Aws.ACCOUNT_ID}:instance/x/contact-flow/y"
    return {
        "Version": "2019-10-30",
        "StartAction": "first",
        "Actions": [
            {
                "Identifier": "first",
                "Type": kind,
                "Parameters": {"ContactFlowId": target} if kind == "TransferToFlow" else {},
                "Transitions": transitions,
            },
            {"Identifier": "end", "Type": "DisconnectParticipant", "Parameters": {}},
        ],
    }


def findings_for(document: dict[str, Any]) -> list[str]:
    stack = checked_stack()
    connect.CfnContactFlow(
        stack,
        "Flow",
        instance_arn=INSTANCE,
        name="survey-test",
        type="CONTACT_FLOW",
        content=json.dumps(document),
    )
    return [finding.finding for finding in flagged(stack, RULE)]


@pytest.mark.parametrize("kind", ["TransferContactToQueue", "Loop", "TransferToFlow"])
def test_an_action_the_console_writes_a_next_action_on_is_flagged_without_one(kind: str) -> None:
    assert findings_for(leaving_by_errors(kind, next_action=False)) == [f"{kind}::first"]


@pytest.mark.parametrize("kind", ["TransferContactToQueue", "Loop", "TransferToFlow"])
def test_the_same_action_with_its_next_action_passes(kind: str) -> None:
    assert findings_for(leaving_by_errors(kind, next_action=True)) == []
