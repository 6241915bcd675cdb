"""The stage's dashboard shows the eligibility decisions: offered, skipped by sampling, by
cooldown, for a withheld number, and undecided (the response rate's denominator)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from aws_cdk.assertions import Match

from connect_survey.lambda_asset.survey.contract import METRICS_NAMESPACE
from connect_survey.lambda_asset.survey.sampling import Decision
from tests.infra.test_stack import logical_id

if TYPE_CHECKING:
    from aws_cdk.assertions import Template


def test_dashboard_graphs_every_eligibility_decision_of_the_eligibility_function(
    dev_template: Template,
) -> None:
    # GIVEN the dev stack and its eligibility function
    eligibility = logical_id(
        dev_template, "AWS::Lambda::Function", FunctionName="survey-dev-eligibility"
    )

    # WHEN its dashboard is read
    # THEN each decision's count is graphed from the eligibility function's metrics
    for decision in Decision:
        dev_template.has_resource_properties(
            "AWS::CloudWatch::Dashboard",
            {
                "DashboardBody": {
                    "Fn::Join": [
                        "",
                        Match.array_with(
                            [
                                Match.string_like_regexp(
                                    rf'\["{METRICS_NAMESPACE}","{decision.metric}","service","$'
                                ),
                                {"Ref": eligibility},
                            ]
                        ),
                    ]
                }
            },
        )
    # AND only the eligibility function's metric is summed for each (no other function's)
    [dashboard] = dev_template.find_resources("AWS::CloudWatch::Dashboard").values()
    parts = dashboard["Properties"]["DashboardBody"]["Fn::Join"][1]
    for decision in Decision:
        prefix = f'"{METRICS_NAMESPACE}","{decision.metric}","service","'
        dimensions = [parts[i + 1] for i, part in enumerate(parts) if str(part).endswith(prefix)]
        assert dimensions == [{"Ref": eligibility}], decision
