"""Small stacks checked by the project's pack alone, and its findings read back."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

import aws_cdk as cdk
from aws_cdk.assertions import Annotations, Match

from connect_survey.infra.nag import ConnectSurveyChecks

if TYPE_CHECKING:
    from connect_survey.infra.nag.pack import ProjectRule

FINDING = re.compile(r"^(?P<rule>[\w-]+)(\[(?P<finding>.*?)\])?: ")


@dataclass(frozen=True)
class Flagged:
    """One finding: the resource's construct path, the rule id, the granular finding id."""

    path: str
    rule: str
    finding: str


def checked_stack(construct_id: str = "Checked") -> cdk.Stack:
    """A stack of its own app, with the project's pack applied when it is synthesized."""
    app = cdk.App(context={"@aws-cdk/core:enablePartitionLiterals": True})
    stack = cdk.Stack(
        app, construct_id, env=cdk.Environment(account="111122223333", region="eu-west-2")
    )
    cdk.Aspects.of(app).add(ConnectSurveyChecks())
    return stack


def flagged(stack: cdk.Stack, rule: ProjectRule) -> list[Flagged]:
    """The findings of `rule` in `stack` (errors, and validation failures as warnings)."""
    annotations = Annotations.from_stack(stack)
    messages = [
        *annotations.find_error("*", Match.string_like_regexp(f"^{rule.rule_id}")),
        *annotations.find_warning("*", Match.string_like_regexp(f"{rule.rule_id}")),
    ]
    found = []
    for message in messages:
        match = FINDING.match(str(message.entry.data))
        assert match, message.entry.data
        found.append(Flagged(message.id, match["rule"], match["finding"] or ""))
    return found
