"""Language choice on stages without the menu: the configured upstream attribute, or the default.

(Apart from test_language_choice.py: one embedded AWS runs at a time, and that module keeps its
stage's open.)"""

from __future__ import annotations

from connect_survey.flows.catalog import language_key
from connect_survey.flows.languages import ENGLISH, KOREAN
from connect_survey.simulator.simulate import CallSetup, simulator
from tests.languages.test_korean_survey import stage_in
from tests.scenarios.calls import caller, inbound, survey

ENGLISH_OPTION = "For English, press 1."


def test_configured_attribute_names_the_upstream_language() -> None:
    stage = stage_in(ENGLISH, languages=[ENGLISH, KOREAN], languageAttribute="CallerLanguage")
    with simulator(stage) as running:
        setup = CallSetup(
            keys=caller("on-demand", "4", "5", "3"),
            attributes={"CallerLanguage": KOREAN},
            caller_number="+12025550113",
        )
        report = running.run(inbound("on-demand"), setup)
    # THEN without a menu, the configured attribute alone picks Korean
    assert report.call.flows[-1] == language_key(survey("on-demand"), KOREAN)
    assert ENGLISH_OPTION not in report.call.prompts


def test_without_menu_or_upstream_language_the_call_speaks_the_default() -> None:
    stage = stage_in(ENGLISH, languages=[ENGLISH, KOREAN])
    with simulator(stage) as running:
        setup = CallSetup(keys=caller("on-demand", "4", "5", "3"), caller_number="+12025550114")
        report = running.run(inbound("on-demand"), setup)
    assert report.call.flows == [inbound("on-demand"), survey("on-demand")]
    assert ENGLISH_OPTION not in report.call.prompts


def test_contact_language_code_picks_korean_without_a_menu() -> None:
    # GIVEN a stage in English and Korean without the menu, and a contact whose language code
    # an earlier Set voice block made ko-KR
    stage = stage_in(ENGLISH, languages=[ENGLISH, KOREAN])
    with simulator(stage) as running:
        setup = CallSetup(
            keys=caller("on-demand", "4", "5", "3"),
            caller_number="+12025550116",
            language_code=KOREAN,
        )
        report = running.run(inbound("on-demand"), setup)
    # THEN the call goes on in the Korean flows
    assert report.call.flows[-1] == language_key(survey("on-demand"), KOREAN)


def test_upstream_default_language_wins_over_the_language_code_and_the_menu() -> None:
    # GIVEN a stage with the language menu, and a contact an upstream flow marked English while
    # its $.LanguageCode says Korean
    stage = stage_in(ENGLISH, languages=[ENGLISH, KOREAN], languageMenu=True)
    with simulator(stage) as running:
        setup = CallSetup(
            keys=caller("on-demand", "4", "5", "3"),
            attributes={"SurveyLanguage": ENGLISH},
            caller_number="+12025550117",
            language_code=KOREAN,
        )
        report = running.run(inbound("on-demand"), setup)
    # THEN the upstream choice stands: no menu, and the call stays in the English flows
    assert report.call.flows == [inbound("on-demand"), survey("on-demand")]
    assert ENGLISH_OPTION not in report.call.prompts
    assert report.call.prompts[0] == "Thank you for calling."
