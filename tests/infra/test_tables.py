"""The tables' own constructs grant access: each use gets exactly its actions, on the table."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_iam as iam
from aws_cdk.assertions import Template

from connect_survey.infra.cooldown_store import CooldownStore
from connect_survey.infra.results_store import ResultsStore

if TYPE_CHECKING:
    from collections.abc import Callable

STREAM_READ = {"dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator",
               "dynamodb:ListStreams"}  # fmt: skip


def granted(grant: Callable[[Any, iam.IGrantable], object]) -> set[str]:
    """The actions a role is given by `grant(stores, role)`, on stores in a stack of their own."""
    stack = cdk.Stack(cdk.App(), "Tables")
    stores = {
        "results": ResultsStore(stack, "Results", deletion_protection=False),
        "cooldown": CooldownStore(stack, "Cooldown"),
    }
    role = iam.Role(stack, "Role", assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"))
    grant(stores, role)
    actions: set[str] = set()
    for policy in Template.from_stack(stack).find_resources("AWS::IAM::Policy").values():
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]:
            found = statement["Action"]
            actions.update([found] if isinstance(found, str) else found)
            assert "index" not in str(statement["Resource"])  # never the table's indexes
    return actions


@pytest.mark.parametrize(
    ("grant", "actions"),
    [
        (lambda s, r: s["results"].grant_write_answers(r), {"dynamodb:PutItem"}),
        (lambda s, r: s["results"].grant_read_contacts(r), {"dynamodb:BatchGetItem"}),
        (lambda s, r: s["results"].grant_write_summaries(r), {"dynamodb:UpdateItem"}),
        (
            lambda s, r: s["results"].grant_outbox(r),
            {"dynamodb:BatchWriteItem", "dynamodb:GetItem", "dynamodb:PutItem",
             "dynamodb:UpdateItem", *STREAM_READ},
        ),
        (
            lambda s, r: s["cooldown"].grant_check(r),
            {"dynamodb:GetItem", "secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"},
        ),
        (lambda s, r: s["cooldown"].grant_start(r), {"dynamodb:PutItem"}),
    ],
    ids=["answers", "contacts", "summaries", "outbox", "cooldown-check", "cooldown-start"],
)  # fmt: skip
def test_each_grant_gives_any_grantee_exactly_its_actions(
    grant: Callable[[Any, iam.IGrantable], object], actions: set[str]
) -> None:
    assert granted(grant) == actions
