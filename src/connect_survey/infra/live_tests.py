"""The project's test cases on the instance (`liveTests`), and the permission to run them.

Each case of `testcases/` becomes an `AWS::Connect::TestCase` named `{namePrefix}-{file stem}`,
its references resolved to this stack's flows, functions and queues, published so that Connect
validates it at deploy. `connect-survey verify --live-tests` runs them after every deploy.
https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-connect-testcase.html
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from aws_cdk import Annotations
from aws_cdk import aws_connect as connect
from aws_cdk import aws_iam as iam
from cdk_nag import NagPackSuppression, NagSuppressions
from constructs import Construct, IConstruct

from connect_survey.test_cases.files import (
    FLOW_ID,
    SOURCE_PHONE_NUMBER,
    VOICE_CALL,
    VOICE_PARAMETERS,
    CaseFileError,
)
from connect_survey.test_cases.live import PUBLISHED, RUNNER_ACTIONS, deployed_name, offline_only
from connect_survey.test_cases.references import resolve_case

if TYPE_CHECKING:
    from collections.abc import Sequence

    from connect_survey.test_cases.files import CaseFile
    from connect_survey.test_cases.references import StageResources

# A reference left in a deployed case would reach Connect as text and fail only when it runs.
REFERENCE_START = "{{"
RUN_STATEMENT_ID = "RunLiveTestCases"
OFFLINE_ONLY = "connect-survey:offlineOnlyTestCase"


class LiveTestCases(Construct):
    """One published test case per case file, created after the resources it refers to."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        instance_arn: str,
        name_prefix: str,
        cases: Sequence[CaseFile],
        resources: StageResources,
        source_phone_number: str | None,
        depends_on: Sequence[IConstruct],
    ) -> None:
        super().__init__(scope, construct_id)
        self.test_cases: dict[str, connect.CfnTestCase] = {}
        previous: connect.CfnTestCase | None = None
        for case in cases:
            arguments = resolve_case(case, resources).api_arguments()
            _refuse_unresolved(case, arguments)
            reason = offline_only(case)
            if reason is not None:  # verify --live-tests says SKIP for it, for the same reason
                Annotations.of(self).add_warning_v2(OFFLINE_ONLY, f"{case.path}: {reason}")
                continue
            parameters = arguments["EntryPoint"][VOICE_PARAMETERS]
            number = parameters.get(SOURCE_PHONE_NUMBER, source_phone_number)
            test_case = connect.CfnTestCase(
                self,
                case.stem,
                instance_arn=instance_arn,
                name=deployed_name(name_prefix, case),
                status=PUBLISHED,
                description=arguments.get("Description"),
                entry_point=connect.CfnTestCase.EntryPointProperty(
                    type=VOICE_CALL,
                    voice_call_entry_point_parameters=(
                        connect.CfnTestCase.VoiceCallEntryPointParametersProperty(
                            flow_id=parameters[FLOW_ID], source_phone_number=number
                        )
                    ),
                ),
                content=arguments["Content"],
                initialization_data=arguments.get("InitializationData"),
            )
            # Publishing validates the content against the instance: the flows, functions and
            # queues it names must exist first.
            for dependency in depends_on:
                test_case.node.add_dependency(dependency)
            # One after another: Connect's API allows a few requests a second per account, and
            # a deploy should not fail on throttling.
            if previous is not None:
                test_case.node.add_dependency(previous)
            previous = test_case
            self.test_cases[case.stem] = test_case


def allow_live_runs(role: iam.Role, *, instance_arn: str) -> None:
    """Let `role` run the instance's test cases (`verify --live-tests`) and nothing else.

    The Service Authorization Reference lists no resource types for the test-case actions, so
    whether IAM matches them against these ARNs is not documented: if a live run is denied,
    widen `resources` to ["*"] here (docs/testing.md, "Run live").
    """
    cases = f"{instance_arn}/test-case/*"
    role.add_to_policy(
        iam.PolicyStatement(
            sid=RUN_STATEMENT_ID, actions=list(RUNNER_ACTIONS), resources=[instance_arn, cases]
        )
    )
    NagSuppressions.add_resource_suppressions(
        role,
        [
            NagPackSuppression(
                id="AwsSolutions-IAM5",
                reason="Test-case ids are assigned by Connect at deploy and executions nest "
                "under them: the wildcard covers only this instance's test cases.",
                applies_to=[f"Resource::{cases}"],
            )
        ],
        apply_to_children=True,
    )


def _refuse_unresolved(case: CaseFile, arguments: dict[str, Any]) -> None:
    text = json.dumps(arguments, ensure_ascii=False)
    at = text.find(REFERENCE_START)
    if at >= 0:
        raise CaseFileError(
            case.path,
            f"{text[at : at + 40]!r}… is not a reference; write {{{{flow:KEY}}}}, "
            "{{function:NAME}} or {{queue:NAME}} without spaces",
        )
