"""A stage in two languages deploys one survey and one inbound flow per (mode, language)."""

from __future__ import annotations

from typing import Any

from aws_cdk.assertions import Match, Template

from connect_survey.config.stage import load_stage
from tests.infra.conftest import build_stack


def test_two_language_stage_creates_each_flow_per_language_and_hands_callers_on(
    stages: dict[str, Any],
) -> None:
    # GIVEN the dev stage in English and Korean with the language menu
    stages["dev"].update(languages=["en-US", "ko-KR"], languageMenu=True)

    # WHEN it is synthesized
    template = Template.from_stack(build_stack(load_stage({"stages": stages}, "dev")))

    # THEN there are 13 flows: the Korean copies under their own names, and the task flow
    template.resource_count_is("AWS::Connect::ContactFlow", 13)
    template.has_resource_properties(
        "AWS::Connect::ContactFlow",
        {"Name": Match.string_like_regexp(r"-opt-in-survey-ko-kr$")},
    )
    # AND the default inbound flow transfers Korean callers to the Korean inbound flow
    template.has_resource_properties(
        "AWS::Connect::ContactFlow",
        {
            "Name": Match.string_like_regexp(r"-opt-in-inbound$"),
            "Content": Match.object_like(
                {
                    "Fn::Join": Match.array_with(
                        [Match.array_with([Match.string_like_regexp("TransferToFlow")])]
                    )
                }
            ),
        },
    )
    # AND the stack outputs the ARN of every flow, the Korean ones included
    descriptions = {o.get("Description") for o in template.to_json()["Outputs"].values()}
    for key in ("opt-in-survey-ko-kr", "escalation-inbound-ko-kr", "on-demand-inbound"):
        assert f"ARN of the {key} contact flow" in descriptions
