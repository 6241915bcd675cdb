"""A role that trusts an account trusts everyone there who may call sts:AssumeRole.

`AccountPrincipal` (`arn:aws:iam::ACCOUNT:root`) in a trust policy delegates the choice to that
account's IAM policies: any user or role there with `sts:AssumeRole` on `*` gets in. Naming the
one principal meant (`aws:PrincipalArn` in a condition, without wildcards) keeps it to that one.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, Final

from aws_cdk import aws_iam as iam
from cdk_nag import NagRuleCompliance

from connect_survey.infra.nag.template import (
    Compliance,
    as_list,
    condition_values,
    resolved,
    statements,
    text,
)

if TYPE_CHECKING:
    from collections.abc import Mapping

    from aws_cdk import CfnResource

ROOT_ARN: Final = re.compile(r"^arn:[^:]*:iam::[^:]*:root$")
ACCOUNT_ID: Final = re.compile(r"^\d{12}$")
PRINCIPAL_ARN: Final = "aws:PrincipalArn"

READS: Final = (iam.CfnRole,)
"""The resource types the rule reads; the pack hands it no other."""


def role_trusts_no_bare_account(node: CfnResource) -> Compliance:
    """Each trusted account root (or `*`) comes with an exact `aws:PrincipalArn` condition.

    Findings name the trusted principal as written (`arn:aws:iam::111122223333:root`).
    """
    if not isinstance(node, READS):
        return NagRuleCompliance.NOT_APPLICABLE
    findings = [
        principal
        for statement in statements(resolved(node, node.assume_role_policy_document))
        if statement.get("Effect") == "Allow" and not _names_exact_principal(statement)
        for principal in _account_wide_principals(statement)
    ]
    return findings or NagRuleCompliance.COMPLIANT


def _account_wide_principals(statement: Mapping[str, Any]) -> list[str]:
    principal = statement.get("Principal")
    if principal == "*":
        return ["*"]
    if not isinstance(principal, dict):
        return []
    written = [text(value) for value in as_list(principal.get("AWS"))]
    return [p for p in written if p == "*" or ROOT_ARN.match(p) or ACCOUNT_ID.match(p)]


def _names_exact_principal(statement: Mapping[str, Any]) -> bool:
    values = condition_values(statement, PRINCIPAL_ARN)
    return bool(values) and not any("*" in value or "?" in value for value in values)
