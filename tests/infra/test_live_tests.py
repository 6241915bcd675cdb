"""liveTests: every case of testcases/ deployed as a published AWS::Connect::TestCase, resolved to
the stack's own flows, functions and queues, created after them; none for a stage without it."""

from __future__ import annotations

import copy
import json
import shutil
from pathlib import Path
from typing import TYPE_CHECKING, Any

import aws_cdk as cdk
import cfnlint
import pytest
from aws_cdk.assertions import Annotations, Match, Template

from connect_survey import PROJECT_ROOT
from connect_survey.config.errors import ConfigError
from connect_survey.config.stage import load_stage
from connect_survey.infra.survey_stack import SurveyStack
from connect_survey.test_cases import live
from connect_survey.test_cases.files import CASES_FOLDER, CaseFileError, load_cases
from connect_survey.test_cases.live import (
    PUBLISHED_PHONE_NUMBER_PATTERN,
    deployable_number,
    offline_only,
)
from connect_survey.test_cases.references import UnknownReferenceError

if TYPE_CHECKING:
    from connect_survey.config.stage import StageConfig

FIXTURES = Path(__file__).parent / "live_cases"
TEST_CASE = "AWS::Connect::TestCase"
OFFLINE_ONLY = "withheld-caller"  # the fixture with a SourcePhoneNumber of its own
E164 = r"^\+[1-9]\d{1,14}$"


def synthesize(config: StageConfig, cases: Path = FIXTURES) -> Template:
    app = cdk.App()
    name = config.offline.resource_name("stack")
    stack = SurveyStack(app, name, config=config, cases_folder=cases)
    return Template.from_stack(stack)


def stage_with(context: dict[str, Any], name: str, **settings: Any) -> StageConfig:
    edited = copy.deepcopy(context)
    edited["stages"][name].update(settings)
    return load_stage(edited, name)


@pytest.fixture(scope="module")
def dev_live(context: dict[str, Any]) -> Template:
    """The dev stack (liveTests on, a default caller number) with the fixture cases."""
    return synthesize(load_stage(context, "dev"))


def test_each_case_is_one_published_test_case_named_after_its_file(dev_live: Template) -> None:
    # GIVEN three case files / WHEN the dev stack is synthesized
    # THEN one published test case each, named {namePrefix}-{file stem}, described as written
    stems = sorted(path.stem for path in FIXTURES.glob("*.json") if path.stem != OFFLINE_ONLY)
    dev_live.resource_count_is(TEST_CASE, len(stems))
    for stem in stems:
        dev_live.has_resource_properties(
            TEST_CASE,
            {
                "Name": f"survey-dev-{stem}",
                "Status": "PUBLISHED",
                "InstanceArn": Match.string_like_regexp(r"^arn:aws:connect:us-east-1:.*:instance/"),
                "EntryPoint": {
                    "Type": "VOICE_CALL",
                    "VoiceCallEntryPointParameters": Match.any_value(),
                },
                "Content": Match.any_value(),
            },
        )
    dev_live.has_resource_properties(
        TEST_CASE,
        {"Name": "survey-dev-survey-score-fails", "Description": "The score function times out; "
         "the survey moves on."},
    )  # fmt: skip


def test_no_reference_is_left_in_any_deployed_case(dev_live: Template) -> None:
    for test_case in dev_live.find_resources(TEST_CASE).values():
        assert "{{" not in json.dumps(test_case["Properties"])


def logical_id(template: Template, kind: str, properties: dict[str, Any]) -> str:
    [found] = template.find_resources(kind, {"Properties": properties})
    return found


def test_entry_point_is_the_deployed_flow(dev_live: Template) -> None:
    # GIVEN the flow the case starts at, as the stack creates it
    flow = logical_id(
        dev_live, "AWS::Connect::ContactFlow", {"Name": "survey-dev-on-demand-survey"}
    )

    # THEN the case's FlowId is that flow's ARN, read from the deployed resource
    dev_live.has_resource_properties(
        TEST_CASE,
        {
            "Name": "survey-dev-survey-score-fails",
            "EntryPoint": {
                "VoiceCallEntryPointParameters": Match.object_like(
                    {"FlowId": {"Fn::GetAtt": [flow, "ContactFlowArn"]}}
                )
            },
        },
    )


def content_of(template: Template, name: str) -> str:
    [test_case] = template.find_resources(TEST_CASE, {"Properties": {"Name": name}}).values()
    return json.dumps(test_case["Properties"]["Content"])


def test_function_and_queue_references_become_the_stacks_own_arns(dev_live: Template) -> None:
    # GIVEN the score function and the supervisor queue the stack creates
    score = logical_id(dev_live, "AWS::Lambda::Function", {"FunctionName": "survey-dev-score"})
    queue = logical_id(dev_live, "AWS::Connect::Queue", {"Name": "survey-dev-supervisor"})

    # THEN the mocks in the cases name them by their deployed ARNs
    assert json.dumps({"Fn::GetAtt": [score, "Arn"]}) in content_of(
        dev_live, "survey-dev-survey-score-fails"
    )
    assert json.dumps({"Fn::GetAtt": [queue, "QueueArn"]}) in content_of(
        dev_live, "survey-dev-escalation-supervisor-full"
    )


def test_initialization_data_is_deployed_as_the_api_takes_it(dev_live: Template) -> None:
    [test_case] = dev_live.find_resources(
        TEST_CASE, {"Properties": {"Name": "survey-dev-survey-score-fails"}}
    ).values()
    data = json.loads(test_case["Properties"]["InitializationData"])
    assert data == {"SegmentAttributes": {}, "Attributes": {"Survey_Opt_in": "true"}}


def test_a_case_with_a_caller_number_is_not_deployed_and_synth_says_why(
    context: dict[str, Any],
) -> None:
    # GIVEN a case with a SourcePhoneNumber of its own, which CloudFormation cannot deploy yet
    app = cdk.App()
    stack = SurveyStack(app, "dev-stack", config=load_stage(context, "dev"), cases_folder=FIXTURES)

    # THEN it is left out of the stack, and synth warns naming the file and the reason
    names = [
        resource["Properties"]["Name"]
        for resource in Template.from_stack(stack).find_resources(TEST_CASE).values()
    ]
    assert f"survey-dev-{OFFLINE_ONLY}" not in names
    [warning] = Annotations.from_stack(stack).find_warning(
        "*", Match.string_like_regexp(f"{OFFLINE_ONLY}\\.json: not deployed, runs offline only")
    )
    assert "CloudFormation cannot deploy a test case's SourcePhoneNumber yet" in str(
        warning.entry.data
    )


def test_the_published_caller_number_pattern_is_the_one_checked_here() -> None:
    # GIVEN the AWS::Connect::TestCase schema cfn-lint bundles (AWS's registry schema)
    schemas = Path(cfnlint.__file__).parent / "data" / "schemas" / "resources"
    [schema] = [
        json.loads(path.read_text())
        for path in schemas.glob("*.json")
        if '"AWS::Connect::TestCase"' in path.read_text()
    ]
    voice = schema["definitions"]["EntryPoint"]["properties"]["VoiceCallEntryPointParameters"]

    # THEN its pattern is still the twice-escaped one that no number matches. When AWS fixes
    # it, this fails: update PUBLISHED_PHONE_NUMBER_PATTERN, and numbers deploy again
    assert voice["properties"]["SourcePhoneNumber"]["pattern"] == PUBLISHED_PHONE_NUMBER_PATTERN
    assert not deployable_number("+15555550100")


@pytest.fixture
def fixed_schema(monkeypatch: pytest.MonkeyPatch) -> None:
    """As if AWS published SourcePhoneNumber's pattern as intended."""
    monkeypatch.setattr(live, "PUBLISHED_PHONE_NUMBER_PATTERN", E164)


@pytest.mark.usefixtures("fixed_schema")
def test_once_numbers_deploy_a_cases_own_number_wins_else_the_stages(
    context: dict[str, Any],
) -> None:
    # GIVEN a stage caller number, and one case with a number of its own
    template = synthesize(stage_with(context, "dev", liveTestSourcePhoneNumber="+15555550100"))
    numbers = {
        resource["Properties"]["Name"]: resource["Properties"]["EntryPoint"][
            "VoiceCallEntryPointParameters"
        ].get("SourcePhoneNumber")
        for resource in template.find_resources(TEST_CASE).values()
    }

    # THEN the case's own number wins; the others call from the stage's number
    assert numbers == {
        "survey-dev-escalation-supervisor-full": "+15555550100",
        "survey-dev-inbound-menu": "+15555550100",
        "survey-dev-survey-score-fails": "+15555550100",
        f"survey-dev-{OFFLINE_ONLY}": "+266696687",
    }


def test_a_case_without_a_number_gives_none_when_the_stage_has_none(
    context: dict[str, Any],
) -> None:
    # GIVEN staging: liveTests on, no liveTestSourcePhoneNumber
    template = synthesize(load_stage(context, "staging"))

    # THEN a case without a number of its own is deployed without one
    [test_case] = template.find_resources(
        TEST_CASE, {"Properties": {"Name": "survey-staging-inbound-menu"}}
    ).values()
    assert (
        "SourcePhoneNumber"
        not in test_case["Properties"]["EntryPoint"]["VoiceCallEntryPointParameters"]
    )


def test_cases_are_created_after_every_flow_and_function_association_one_at_a_time(
    dev_live: Template,
) -> None:
    flows = set(dev_live.find_resources("AWS::Connect::ContactFlow"))
    associations = set(dev_live.find_resources("AWS::Connect::IntegrationAssociation"))
    test_cases = dev_live.find_resources(TEST_CASE)
    assert flows and associations
    chained = 0
    for test_case in test_cases.values():
        depends_on = set(test_case.get("DependsOn", []))
        assert flows | associations <= depends_on
        chained += bool(depends_on & set(test_cases))
    assert chained == len(test_cases) - 1


def test_the_checked_in_dev_stack_deploys_every_deployable_case_of_testcases(
    dev_template: Template,
) -> None:
    # GIVEN the project's own cases: those needing a caller number of their own run offline only
    cases = load_cases([PROJECT_ROOT / CASES_FOLDER])
    stems = sorted(case.stem for case in cases if offline_only(case) is None)
    assert len(stems) >= 20
    assert len(stems) > len(cases) - 5  # most cases need no number and run live too

    # WHEN the checked-in dev stage is synthesized (liveTests on)
    # THEN one published test case per deployable case file, with every reference resolved
    published = dev_template.find_resources(TEST_CASE, {"Properties": {"Status": "PUBLISHED"}})
    names = sorted(resource["Properties"]["Name"] for resource in published.values())
    assert names == [f"survey-dev-{stem}" for stem in stems]
    for resource in dev_template.find_resources(TEST_CASE).values():
        assert "{{" not in json.dumps(resource)


@pytest.mark.parametrize("stage", ["prod", "dev"])
def test_a_stage_with_live_tests_off_deploys_no_test_case(
    context: dict[str, Any], stage: str
) -> None:
    # GIVEN prod as checked in (liveTests false), and dev with liveTests turned off
    config = stage_with(context, stage, liveTests=False)

    # THEN its stack holds no test case at all
    synthesize(config).resource_count_is(TEST_CASE, 0)


def test_live_tests_without_any_case_stop_synth_naming_the_setting(
    context: dict[str, Any], tmp_path: Path
) -> None:
    with pytest.raises(ConfigError) as error:
        synthesize(load_stage(context, "dev"), cases=tmp_path)
    assert str(error.value) == (
        f"stages.dev.liveTests: is true but {tmp_path} holds no test cases (*.json); add cases "
        "or set it to false"
    )


def copy_fixtures(folder: Path) -> Path:
    for path in FIXTURES.glob("*.json"):
        shutil.copy(path, folder / path.name)
    return folder


def test_a_reference_to_a_flow_the_stage_does_not_deploy_stops_synth(
    context: dict[str, Any], tmp_path: Path
) -> None:
    # GIVEN a case starting at a Japanese flow; the dev stage speaks English and Korean
    path = copy_fixtures(tmp_path) / "inbound-menu.json"
    path.write_text(path.read_text().replace("on-demand-inbound", "on-demand-inbound-ja-jp"))

    # WHEN synthesized / THEN synth stops naming the file and the reference
    expected = (
        r"inbound-menu\.json: unknown reference \{\{flow:on-demand-inbound-ja-jp\}\}; "
        r"known: \{\{flow:follow-up-task\}\}, \{\{flow:on-demand-survey\}\}"
    )
    with pytest.raises(UnknownReferenceError, match=expected):
        synthesize(load_stage(context, "dev"), cases=tmp_path)


def test_a_malformed_reference_is_refused_rather_than_deployed_as_text(
    context: dict[str, Any], tmp_path: Path
) -> None:
    # GIVEN a reference written with spaces, which is no reference at all
    path = copy_fixtures(tmp_path) / "inbound-menu.json"
    path.write_text(path.read_text().replace('"press 1"', '"{{ queue:sales }}"'))

    # WHEN synthesized / THEN synth stops instead of deploying "{{ queue:sales }}" as text
    expected = r"inbound-menu\.json: .*\{\{ queue:sales \}\}.* is not a reference"
    with pytest.raises(CaseFileError, match=expected):
        synthesize(load_stage(context, "dev"), cases=tmp_path)


def test_a_deployed_name_longer_than_connect_allows_stops_synth(
    context: dict[str, Any], tmp_path: Path
) -> None:
    long = copy_fixtures(tmp_path) / f"{'x' * 120}.json"
    shutil.copy(FIXTURES / "inbound-menu.json", long)
    with pytest.raises(CaseFileError, match="longer than Connect's 127 characters; shorten"):
        synthesize(load_stage(context, "dev"), cases=tmp_path)
