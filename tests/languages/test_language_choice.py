"""A stage in English and Korean: each call is surveyed in the caller's language, chosen by an
upstream attribute, the contact's language code, or the language menu."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from connect_survey.flows.catalog import language_key
from connect_survey.flows.languages import ENGLISH, KOREAN, LANGUAGES
from connect_survey.lambda_asset.survey.contract import LANGUAGE_ATTRIBUTE, MODES
from connect_survey.simulator.simulate import CallSetup, simulator
from tests.languages.test_korean_survey import hangul, stage_in
from tests.scenarios.calls import SILENCE, caller, inbound, survey

if TYPE_CHECKING:
    from collections.abc import Iterator

    from connect_survey.simulator.simulate import Report, Simulator

ENGLISH_OPTION = "For English, press 1."
KOREAN_OPTION = "한국어 안내는 2번을 눌러 주십시오."


@pytest.fixture(scope="module")
def bilingual() -> Iterator[Simulator]:
    with simulator(stage_in(ENGLISH, languages=[ENGLISH, KOREAN], languageMenu=True)) as running:
        yield running


def stored_languages(simulator: Simulator, report: Report) -> list[str]:
    answers = simulator.sandbox.answers(report.call.contact.contact_id)
    return [answer.language or "" for answer in answers]


@pytest.mark.parametrize("mode", MODES)
def test_language_menu_picks_korean_and_the_survey_follows(bilingual: Simulator, mode: str) -> None:
    # GIVEN a stage in English and Korean with the language menu
    # WHEN the caller lets the English option pass, presses 2 at the Korean one, then takes the
    # call and answers 4, 5, 3
    keys = [SILENCE, "2", *caller(mode, "4", "5", "3")]
    number = f"+8220000000{MODES.index(mode)}"
    report = bilingual.run(inbound(mode), CallSetup(keys=keys, caller_number=number)).read_back()

    # THEN the menu offered each language in its own words, and the call went on in Korean
    korean_inbound = language_key(inbound(mode), KOREAN)
    assert report.call.flows == [inbound(mode), korean_inbound, language_key(survey(mode), KOREAN)]
    assert report.call.prompts[:2] == [ENGLISH_OPTION, KOREAN_OPTION]
    voices = [e.text for e in report.call.events if e.kind == "setting" and "voice" in e.text]
    assert "Joanna (neural)" in voices[0] and all("Seoyeon (neural)" in v for v in voices[1:])
    assert all(hangul(prompt) for prompt in report.call.prompts[1:])
    for question in LANGUAGES[KOREAN].questions.values():
        assert question in report.call.prompts
    # AND the contact and every stored answer carry Korean
    assert report.call.attributes[LANGUAGE_ATTRIBUTE] == KOREAN
    assert stored_languages(bilingual, report) == [KOREAN] * 3


def test_language_menu_digit_two_during_the_first_option_picks_korean_at_once(
    bilingual: Simulator,
) -> None:
    keys = ["2", *caller("on-demand", "4", "5", "3")]
    setup = CallSetup(keys=keys, caller_number="+12025550110")
    report = bilingual.run(inbound("on-demand"), setup)
    assert report.call.prompts[0] == ENGLISH_OPTION and KOREAN_OPTION not in report.call.prompts
    assert report.call.flows[-1] == language_key(survey("on-demand"), KOREAN)


def test_language_menu_digit_one_keeps_the_default_language(bilingual: Simulator) -> None:
    keys = ["1", *caller("on-demand", "4", "5", "3")]
    setup = CallSetup(keys=keys, caller_number="+12025550111")
    report = bilingual.run(inbound("on-demand"), setup).read_back()
    assert report.call.flows == [inbound("on-demand"), survey("on-demand")]
    assert not any(hangul(prompt) for prompt in report.call.prompts[2:])
    assert stored_languages(bilingual, report) == [ENGLISH] * 3


def test_upstream_attribute_wins_over_the_language_menu(bilingual: Simulator) -> None:
    # GIVEN an upstream flow that set the caller's language to Korean
    # WHEN the caller takes the call and answers, pressing no language digit
    setup = CallSetup(
        keys=caller("opt-in", "4", "5", "3"),
        attributes={LANGUAGE_ATTRIBUTE: KOREAN},
        caller_number="+12025550112",
    )
    report = bilingual.run(inbound("opt-in"), setup).read_back()
    # THEN no language menu is played and the survey is in Korean
    assert ENGLISH_OPTION not in report.call.prompts
    assert report.call.flows[-1] == language_key(survey("opt-in"), KOREAN)
    assert all(hangul(prompt) for prompt in report.call.prompts)
    assert stored_languages(bilingual, report) == [KOREAN] * 3


def test_language_menu_needs_two_languages() -> None:
    from connect_survey.config.errors import ConfigError

    with pytest.raises(ConfigError, match=r"^stages\.dev\.languageMenu: needs 2 to 9 languages"):
        stage_in(ENGLISH, languageMenu=True)


def test_low_score_alert_carries_the_callers_language(bilingual: Simulator) -> None:
    # GIVEN a Korean caller (chosen upstream) who rates the call low
    setup = CallSetup(
        keys=caller("on-demand", "1", "1", "1"),
        attributes={LANGUAGE_ATTRIBUTE: KOREAN},
        caller_number="+12025550115",
    )
    # WHEN the call ends and the outbox sends the alert
    report = bilingual.run(inbound("on-demand"), setup).read_back()
    # THEN the message and the event name the language the caller was surveyed in, and the
    # follow-up task speaks it
    [message] = [a for a in report.alerts if a["channel"] == "sns"]
    [event] = [a for a in report.alerts if a["channel"] == "eventbridge"]
    [task] = [a for a in report.alerts if a["channel"] == "task"]
    assert f"Language: {KOREAN}" in message["message"]
    assert event["detail"]["language"] == KOREAN
    assert task["name"].startswith("낮은 설문 점수 1점")
