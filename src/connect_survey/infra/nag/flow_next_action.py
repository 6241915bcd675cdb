"""Every contact flow carries the NextAction console exports carry, as the linter knows it.

Connect's console writes a `Transitions.NextAction` on some actions that leave by their errors
or conditions (a transfer's error target, a loop's done target). The Flow Language linter's
`console-next-action` rule holds that habit (`flow_language`, the one place it is described);
this rule runs it on each flow's Content as CloudFormation will deploy it, ARNs still tokens.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Final

from aws_cdk import aws_connect as connect
from cdk_nag import NagRuleCompliance

from connect_survey.flow_language.lint import RULES as LINT_RULES
from connect_survey.flow_language.lint.registry import Document
from connect_survey.infra.nag.template import Compliance, resolved, text

if TYPE_CHECKING:
    from aws_cdk import CfnResource

LINT_RULE: Final = "console-next-action"

READS: Final = (connect.CfnContactFlow,)
"""The resource types the rule reads; the pack hands it no other."""


def flows_carry_console_next_action(node: CfnResource) -> Compliance:
    """Findings: `<Type>::<action id>` for each action the linter's rule flags."""
    if not isinstance(node, READS):
        return NagRuleCompliance.NOT_APPLICABLE
    document = json.loads(text(resolved(node, node.content)))
    [rule] = [rule for rule in LINT_RULES if rule.name == LINT_RULE]
    findings = [
        f"{action['Type']}::{action['Identifier']}" if action else "(flow)"
        for action, _message in rule.check(Document(document))
    ]
    return findings or NagRuleCompliance.COMPLIANT
