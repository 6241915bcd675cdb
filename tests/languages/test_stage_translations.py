"""A stage's own prompts and question wording per language: `translations.<language>` for every
language it lists (the default one too), `prompts` for the default language."""

from __future__ import annotations

import re

import pytest

from connect_survey.config.errors import ConfigError
from connect_survey.flows.catalog import language_key
from connect_survey.flows.languages import ENGLISH, KOREAN, LANGUAGES
from connect_survey.simulator.simulate import CallSetup, simulate
from tests.languages.test_korean_survey import stage_in
from tests.languages.test_stage_languages import (
    JAPANESE,
    japanese_follow_up,
    japanese_translation,
)
from tests.scenarios.calls import caller, inbound, survey

KOREAN_WELCOME = "안녕하십니까, 예시 상사 고객센터입니다."
KOREAN_EFFORT = "상담원이 문의하신 내용을 빠르게 해결해 드렸습니다."
KOREAN_MENU = "구매 문의는 1번, 기술 지원은 2번을 눌러 주십시오."
KOREAN_OWN = {
    "prompts": {"welcome": KOREAN_WELCOME, "menu": KOREAN_MENU},
    "questions": {"effort": KOREAN_EFFORT},
}


def test_stage_override_of_a_korean_prompt_is_heard_in_the_korean_flow() -> None:
    # GIVEN an English stage that also speaks Korean, with its own Korean welcome and wording
    # of the first question, and its own English welcome
    stage = stage_in(
        ENGLISH,
        languages=[ENGLISH, KOREAN],
        prompts={"welcome": "Welcome to Example Corp."},
        translations={KOREAN: KOREAN_OWN},
    )

    # WHEN a Korean caller (upstream attribute) takes the opt-in survey
    korean = simulate(
        stage,
        inbound("opt-in"),
        CallSetup(keys=caller("opt-in", "4", "5", "3"), attributes={"SurveyLanguage": KOREAN}),
    )

    # THEN the Korean flows say the stage's Korean texts, and the rest of the built-in Korean
    assert korean.call.flows[1:] == [
        language_key(inbound("opt-in"), KOREAN),
        language_key(survey("opt-in"), KOREAN),
    ]
    assert KOREAN_WELCOME in korean.call.prompts
    assert KOREAN_MENU in korean.call.prompts  # its own menu, not one built from queue names
    assert KOREAN_EFFORT in korean.call.prompts
    assert LANGUAGES[KOREAN].questions["recommend"] in korean.call.prompts
    assert LANGUAGES[KOREAN].prompts.survey_offer in korean.call.prompts
    assert "Welcome to Example Corp." not in korean.call.prompts
    assert [r["score"] for r in korean.results] == ["4", "5", "3"]

    # AND an English caller hears the stage's English welcome, not the Korean one
    english = simulate(stage, inbound("opt-in"), CallSetup(keys=caller("opt-in", "4", "5", "3")))
    assert "Welcome to Example Corp." in english.call.prompts
    assert KOREAN_WELCOME not in english.call.prompts
    assert LANGUAGES[ENGLISH].questions["effort"] in english.call.prompts


def test_default_language_texts_can_be_overridden_under_translations() -> None:
    # GIVEN a Korean stage rewording its built-in thanks and first question under translations
    own = {
        "prompts": {"welcome": KOREAN_WELCOME, "thanks": "감사합니다."},
        "questions": {"effort": KOREAN_EFFORT},
    }
    stage = stage_in(KOREAN, translations={KOREAN: own})

    # THEN its default (Korean) flows are rendered from them
    assert stage.inputs.prompts.thanks == "감사합니다."
    assert stage.inputs.prompts.welcome == KOREAN_WELCOME
    assert stage.inputs.survey.questions[0].prompt == KOREAN_EFFORT
    assert stage.inputs.survey.questions[1].prompt == LANGUAGES[KOREAN].questions["recommend"]


def test_override_of_a_language_the_stage_does_not_list_stops_synth() -> None:
    # GIVEN an English stage without Korean, with Korean texts
    # WHEN it is loaded, THEN synth stops naming the setting, the stage's languages and the fix
    with pytest.raises(ConfigError) as raised:
        stage_in(ENGLISH, translations={KOREAN: KOREAN_OWN})
    assert str(raised.value) == (
        "stages.dev.translations.ko-KR: 'ko-KR' is not one of the stage's languages (en-US); "
        "add it to languages, or remove translations.ko-KR"
    )


def test_default_language_prompt_set_twice_stops_synth() -> None:
    with pytest.raises(ConfigError) as raised:
        stage_in(
            KOREAN,
            prompts={"welcome": "안녕하세요."},
            translations={KOREAN: {"prompts": {"welcome": KOREAN_WELCOME}}},
        )
    assert str(raised.value) == (
        "stages.dev.translations.ko-KR.prompts.welcome: is also set in prompts.welcome, which "
        "holds the default language's (ko-KR) prompts; keep one"
    )


def test_translation_of_an_unknown_question_stops_synth_naming_the_keys() -> None:
    with pytest.raises(ConfigError) as raised:
        stage_in(
            ENGLISH,
            languages=[ENGLISH, KOREAN],
            translations={KOREAN: {"questions": {"efort": KOREAN_EFFORT}}},
        )
    assert str(raised.value) == (
        "stages.dev.translations.ko-KR.questions.efort: is not a question of the survey; its "
        "keys are effort, recommend, satisfaction"
    )


def test_own_question_worded_twice_in_the_default_language_stops_synth() -> None:
    questions = [{"key": "speed", "attribute": "SpeedScore", "prompt": "It was quick."}]
    with pytest.raises(ConfigError) as raised:
        stage_in(
            ENGLISH,
            survey={"questions": questions},
            translations={ENGLISH: {"questions": {"speed": "Fast."}}},
        )
    assert str(raised.value) == (
        "stages.dev.translations.en-US.questions.speed: the default language's (en-US) wording "
        "is survey.questions[0].prompt; keep one"
    )


def test_default_language_without_built_in_texts_speaks_its_translation() -> None:
    # GIVEN a stage whose default language is Japanese, worded entirely by the stage
    stage = stage_in(
        JAPANESE, translations={JAPANESE: japanese_translation()}, followUp=japanese_follow_up()
    )

    # THEN its flows speak Japanese, in the Japanese voice
    assert stage.inputs.language == JAPANESE
    assert stage.inputs.prompts.voice == "Mizuki"
    assert stage.inputs.prompts.thanks == "日本語の案内 thanks"
    assert stage.inputs.survey.questions[0].prompt == "質問 effort"
    actions = stage.render(inbound("on-demand"))["Actions"]
    assert "日本語の案内 welcome" in [action["Parameters"].get("Text") for action in actions]


def test_default_language_without_built_in_texts_needs_every_question() -> None:
    with pytest.raises(
        ConfigError,
        match=re.escape("stages.dev.translations.ja-JP.questions.recommend: is missing; add the "),
    ):
        stage_in(JAPANESE, translations={JAPANESE: japanese_translation(recommend=True)})
