"""The contact's language code: every flow sets the code of the language it speaks
(UpdateContactData), where it commits to that language, so contact records, Contact Lens and the
reports see the language the caller heard."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

from connect_survey.flows.catalog import language_key
from connect_survey.flows.languages import ENGLISH, KOREAN
from connect_survey.lambda_asset.survey.contract import LANGUAGE_ATTRIBUTE, MODES
from connect_survey.simulator.simulate import CallSetup, simulator
from tests.languages.test_korean_survey import stage_in
from tests.scenarios.calls import caller, inbound, survey

if TYPE_CHECKING:
    from collections.abc import Iterator

    from connect_survey.flows.offline import OfflineStage
    from connect_survey.simulator.simulate import Report, Simulator

BILINGUAL = {"languages": [ENGLISH, KOREAN], "languageMenu": True}


def language_codes_set(report: Report) -> list[tuple[str, str]]:
    """(flow, code) for every UpdateContactData that set the contact's language code."""
    return [
        (event.flow, event.data["language_code"])
        for event in report.call.events
        if "language_code" in event.data
    ]


@pytest.fixture(scope="module")
def bilingual() -> Iterator[Simulator]:
    with simulator(stage_in(ENGLISH, **BILINGUAL)) as running:
        yield running


@pytest.mark.parametrize(
    "stage", [stage_in(ENGLISH, **BILINGUAL), stage_in(KOREAN)], ids=["en-US+ko-KR", "ko-KR"]
)
def test_every_flow_sets_the_code_of_the_language_it_speaks(stage: OfflineStage) -> None:
    voice_flows = [spec for spec in stage.flows if not spec.is_task]  # a task hears nothing
    for spec in voice_flows:
        document: dict[str, Any] = stage.render(spec.key)
        updates = [a for a in document["Actions"] if a["Type"] == "UpdateContactData"]
        # THEN exactly one action sets the code, to the flow's own language (the default one's
        # flows included), and the flow's own voice follows it
        assert [a["Parameters"]["LanguageCode"] for a in updates] == [
            spec.language or stage.inputs.language
        ], spec.key
        assert updates[0]["Transitions"]["NextAction"] == "set-voice"


@pytest.mark.parametrize("mode", MODES)
def test_korean_caller_is_recorded_in_korean_by_the_korean_flows(
    bilingual: Simulator, mode: str
) -> None:
    # GIVEN an English stage that speaks Korean too, and a caller an upstream flow marked Korean
    keys = caller(mode, "4", "5", "3")
    setup = CallSetup(
        keys=keys,
        attributes={LANGUAGE_ATTRIBUTE: KOREAN},
        caller_number=f"+8230000000{MODES.index(mode)}",
    )

    # WHEN the call runs through the default inbound flow, the Korean one and the survey
    report = bilingual.run(inbound(mode), setup).read_back()

    # THEN the Korean flows set the contact's language code; the default flow set none before
    # handing the caller on
    korean_inbound, korean_survey = (
        language_key(inbound(mode), KOREAN),
        language_key(survey(mode), KOREAN),
    )
    assert report.call.flows == [inbound(mode), korean_inbound, korean_survey]
    assert language_codes_set(report) == [(korean_inbound, KOREAN), (korean_survey, KOREAN)]
    # AND the handlers of the survey saw the contact in Korean
    finish = [i for i in report.call.lambda_invocations if i["function"].endswith("-finish")]
    assert finish and report.call.language_code == KOREAN


def test_caller_with_a_code_the_stage_does_not_speak_is_recorded_in_the_language_heard(
    bilingual: Simulator,
) -> None:
    # GIVEN a contact whose language code (set upstream) is one the stage does not speak
    setup = CallSetup(keys=["1", *caller("on-demand", "4", "5", "3")], language_code="ja-JP")

    # WHEN the caller picks English in the language menu
    report = bilingual.run(inbound("on-demand"), setup).read_back()

    # THEN the call is served and recorded in English
    assert report.call.flows == [inbound("on-demand"), survey("on-demand")]
    assert language_codes_set(report) == [
        (inbound("on-demand"), ENGLISH),
        (survey("on-demand"), ENGLISH),
    ]
    assert report.call.language_code == ENGLISH


def test_contacts_language_code_still_hands_the_caller_to_its_flows(
    bilingual: Simulator,
) -> None:
    # GIVEN a contact whose language code is Korean (the default flow reads it before setting
    # any code of its own)
    setup = CallSetup(keys=caller("on-demand", "4", "5", "3"), language_code=KOREAN)

    report = bilingual.run(inbound("on-demand"), setup).read_back()

    assert report.call.flows[1] == language_key(inbound("on-demand"), KOREAN)
    assert report.call.language_code == KOREAN
