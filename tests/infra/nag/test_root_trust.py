"""ConnectSurvey-RoleTrustsAccount: no role trusts an account without naming the principal."""

from __future__ import annotations

from aws_cdk import aws_iam as iam

from connect_survey.infra.nag.pack import RULES
from tests.infra.nag.conftest import Flagged, checked_stack, flagged

[RULE] = [rule for rule in RULES if rule.suffix == "RoleTrustsAccount"]
CALLER = "arn:aws:iam::444455556666:role/pipeline-verify"


def test_a_role_trusting_another_account_root_is_flagged() -> None:
    # GIVEN a role any principal of account 444455556666 may assume
    stack = checked_stack()
    iam.Role(stack, "Verify", assumed_by=iam.AccountPrincipal("444455556666"))

    # THEN the rule flags it, naming the trusted root
    assert flagged(stack, RULE) == [
        Flagged(
            "/Checked/Verify/Resource",
            "ConnectSurvey-RoleTrustsAccount",
            "arn:aws:iam::444455556666:root",
        )
    ]


def test_a_role_trusting_its_own_account_root_is_flagged() -> None:
    stack = checked_stack()
    iam.Role(stack, "Own", assumed_by=iam.AccountRootPrincipal())

    [finding] = flagged(stack, RULE)
    assert finding.finding == "arn:aws:iam::111122223333:root"


def test_a_wildcard_principal_arn_does_not_name_the_principal() -> None:
    stack = checked_stack()
    iam.Role(
        stack,
        "Wild",
        assumed_by=iam.AccountPrincipal("444455556666").with_conditions(
            {"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::444455556666:role/*"}}
        ),
    )

    assert [f.finding for f in flagged(stack, RULE)] == ["arn:aws:iam::444455556666:root"]


def test_the_account_with_the_exact_principal_arn_passes() -> None:
    # GIVEN the account trusted only for the one role meant
    stack = checked_stack()
    iam.Role(
        stack,
        "Verify",
        assumed_by=iam.AccountPrincipal("444455556666").with_conditions(
            {"ArnEquals": {"aws:PrincipalArn": CALLER}}
        ),
    )

    # THEN nothing is flagged
    assert flagged(stack, RULE) == []


def test_the_exact_role_arn_and_service_principals_pass() -> None:
    stack = checked_stack()
    iam.Role(stack, "ByArn", assumed_by=iam.ArnPrincipal(CALLER))
    iam.Role(stack, "Lambda", assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"))

    assert flagged(stack, RULE) == []
