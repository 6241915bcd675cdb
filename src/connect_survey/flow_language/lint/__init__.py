"""A linter for Amazon Connect Flow Language documents: what Connect would reject, and traps.

`lint(document, flow)` runs every registered rule and returns their findings. Each rule is one
small function registered under its id (`@rule("unreachable")`, see `.registry`), one module
per section: the document, its graph, its conditions, each action against its type's
constraints (`actions`: one rule per kind of constraint, the checks of `flow_language.checks`,
which read `flow_language.spec`), and the warnings in risks.

An error means Connect would refuse to publish the flow, or could not run it (a call would be
stuck); the simulator refuses to play a flow with one (`errors`). A warning is a flow Connect
accepts and runs, with a gap or a habit worth fixing: a block nothing leads to, a condition
that never matches, a branch a silent caller or a failing Lambda needs, what console exports
always write.

Values may hold unresolved CDK tokens (`${Token[TOKEN.123]}`), so ARNs are only required to be
non-empty strings.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from connect_survey.flow_language.lint import actions, conditions, graph, risks
from connect_survey.flow_language.lint import document as document_rules
from connect_survey.flow_language.lint.registry import REGISTERED, Document, Finding, Rule, Severity

if TYPE_CHECKING:
    from collections.abc import Mapping

__all__ = [
    "RULES",
    "SECTIONS",
    "Finding",
    "LintError",
    "Rule",
    "Severity",
    "errors",
    "lint",
    "require_clean",
]


SECTIONS = (document_rules, graph, conditions, actions, risks)
"""The rule modules, in the order their findings are reported."""
RULES: list[Rule] = [
    rule for section in SECTIONS for rule in REGISTERED if rule.section == section.__name__
]
"""Every rule, in the order findings are reported."""
if len(RULES) != len(REGISTERED):  # a rule module imported but missing from SECTIONS
    raise ImportError(
        "every module of connect_survey.flow_language.lint with rules must be listed in SECTIONS"
    )


class LintError(ValueError):
    """Raised by `require_clean` when a flow has error findings; lists every one."""

    def __init__(self, findings: list[Finding]) -> None:
        super().__init__("\n".join(str(finding) for finding in findings))
        self.findings = findings


def lint(document: Mapping[str, Any], flow: str, *, content: str | None = None) -> list[Finding]:
    """Every finding of every rule, rules in `RULES` order, actions in document order.

    `content` is the document as it will be deployed (its size is what counts); without it the
    size is that of `json.dumps(document)`.
    """
    doc = Document(document, content)
    return [
        Finding(flow, action["Identifier"] if action else "", rule.name, message, rule.severity)
        for rule in RULES
        for action, message in rule.check(doc)
    ]


def errors(findings: list[Finding]) -> list[Finding]:
    """The findings that reject a flow: Connect would refuse it, or could not run it."""
    return [finding for finding in findings if finding.severity == "error"]


def require_clean(
    document: Mapping[str, Any], flow: str, *, content: str | None = None
) -> list[Finding]:
    """The warnings of a flow that has no errors; raises `LintError` listing the errors."""
    findings = lint(document, flow, content=content)
    rejected = errors(findings)
    if rejected:
        raise LintError(rejected)
    return findings
