"""A stage that lists several languages: each needs its texts, built in or the stage's own."""

from __future__ import annotations

import re
from typing import Any

import pytest

from connect_survey.config.errors import ConfigError
from connect_survey.config.prompts import OPTIONAL_PROMPTS
from connect_survey.flow_language.lint import lint
from connect_survey.flows.languages import ENGLISH, KOREAN, LANGUAGES
from connect_survey.flows.prompts import Prompts
from connect_survey.flows.render import to_content
from tests.languages.test_korean_survey import MAX_ACTIONS, MAX_CONTENT, stage_in

JAPANESE = "ja-JP"


def camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def japanese_translation(**leave_out: bool) -> dict[str, Any]:
    """Every prompt and default question in Japanese (the test's own wording), less `leave_out`."""
    prompts = {
        camel(name): f"日本語の案内 {name}"
        for name in vars(Prompts())
        if name not in OPTIONAL_PROMPTS
    }
    prompts.update(voice="Mizuki", scale="{scaleMin}から{scaleMax}で評価してください。")
    prompts["invalidAnswer"] = "{scaleMin}から{scaleMax}の数字を押してください。"
    prompts["menuOption"] = "{queue}は{digit}を押してください。"
    questions = {key: f"質問 {key}" for key in LANGUAGES[ENGLISH].questions}
    for name in leave_out:
        prompts.pop(name, None)
        questions.pop(name, None)
    return {"prompts": prompts, "questions": questions}


def japanese_follow_up() -> dict[str, Any]:
    """The example stage's followUp with the follow-up task worded in Japanese, which has no
    built-in task texts."""
    templates = {"name": "低評価 {lowest}: {queue}", "description": "回答:\n{answers}\n{link}"}
    return {"expiryMinutes": 2880, "templates": {JAPANESE: templates}}


def test_stage_without_languages_speaks_only_its_language() -> None:
    stage = stage_in(KOREAN)
    assert list(stage.languages) == [KOREAN]
    assert stage.languages[KOREAN] == stage.inputs


def test_listed_languages_get_their_own_prompts_and_questions() -> None:
    # GIVEN an English stage that also speaks Korean (built in) and Japanese (translated)
    stage = stage_in(
        ENGLISH,
        languages=[ENGLISH, KOREAN, JAPANESE],
        translations={JAPANESE: japanese_translation()},
        followUp=japanese_follow_up(),
    )
    # THEN each language is rendered from its own texts, the default language first
    assert list(stage.languages) == [ENGLISH, KOREAN, JAPANESE]
    assert stage.languages[ENGLISH] == stage.inputs
    korean = stage.languages[KOREAN]
    assert korean.prompts.voice == "Seoyeon" and korean.language == KOREAN
    assert [q.prompt for q in korean.survey.questions] == list(LANGUAGES[KOREAN].questions.values())
    japanese = stage.languages[JAPANESE]
    assert japanese.prompts.voice == "Mizuki" and japanese.prompts.thanks == "日本語の案内 thanks"
    assert japanese.survey.questions[0].prompt == "質問 effort"
    # AND keys and attributes stay those of the survey
    assert [q.attribute for q in japanese.survey.questions] == [
        q.attribute for q in stage.inputs.survey.questions
    ]


def test_language_without_texts_stops_synth_naming_the_listed_language() -> None:
    with pytest.raises(
        ConfigError, match=r"^stages\.dev\.languages\[1\]: 'ja-JP' has no built-in texts; add "
    ):
        stage_in(ENGLISH, languages=[ENGLISH, JAPANESE])


def test_missing_prompt_translation_stops_synth_naming_the_prompt() -> None:
    translation = japanese_translation(thanks=True)
    with pytest.raises(
        ConfigError, match=re.escape("stages.dev.translations.ja-JP.prompts.thanks: is missing")
    ):
        stage_in(ENGLISH, languages=[ENGLISH, JAPANESE], translations={JAPANESE: translation})


def test_missing_question_translation_stops_synth_naming_the_question() -> None:
    translation = japanese_translation(recommend=True)
    with pytest.raises(
        ConfigError,
        match=re.escape("stages.dev.translations.ja-JP.questions.recommend: is missing"),
    ):
        stage_in(ENGLISH, languages=[ENGLISH, JAPANESE], translations={JAPANESE: translation})


def test_own_questions_need_wording_in_every_other_language() -> None:
    # GIVEN a stage's own question: Korean's built-in wording covers only the default questions
    questions = [{"key": "speed", "attribute": "SpeedScore", "prompt": "It was quick."}]
    with pytest.raises(
        ConfigError, match=re.escape("stages.dev.translations.ko-KR.questions.speed: is missing")
    ):
        stage_in(ENGLISH, languages=[ENGLISH, KOREAN], survey={"questions": questions})
    # WHEN the stage words it in Korean, THEN the stage loads with that wording
    stage = stage_in(
        ENGLISH,
        languages=[ENGLISH, KOREAN],
        survey={"questions": questions},
        translations={KOREAN: {"questions": {"speed": "빨랐습니다."}}},
    )
    assert stage.languages[KOREAN].survey.questions[0].prompt == "빨랐습니다."


def test_languages_must_list_the_default_language() -> None:
    with pytest.raises(
        ConfigError, match=r"^stages\.dev\.languages: does not list the default language 'en-US'"
    ):
        stage_in(ENGLISH, languages=[KOREAN])


def test_translation_of_an_unlisted_language_stops_synth() -> None:
    with pytest.raises(
        ConfigError, match=r"^stages\.dev\.translations\.ja-JP: 'ja-JP' is not one of"
    ):
        stage_in(ENGLISH, translations={JAPANESE: japanese_translation()})


def test_ten_questions_in_three_languages_each_render_within_connect_flow_limits() -> None:
    # GIVEN ten questions worded in English, Korean (translated) and Japanese (translated)
    questions = [
        {"key": f"q{n}", "attribute": f"Question{n}Score", "prompt": f"Question {n}?" * 8}
        for n in range(10)
    ]
    korean = {"questions": {f"q{n}": f"질문 {n}?" * 8 for n in range(10)}}
    japanese = {
        **japanese_translation(),
        "questions": {f"q{n}": f"質問 {n}?" * 8 for n in range(10)},
    }
    stage = stage_in(
        ENGLISH,
        languages=[ENGLISH, KOREAN, JAPANESE],
        survey={"questions": questions},
        translations={KOREAN: korean, JAPANESE: japanese},
        languageMenu=True,
        followUp=japanese_follow_up(),
    )
    # WHEN every flow of the stage is rendered: per mode, one survey and one inbound flow per
    # language, and the default language's inbound flows choosing the caller's language; and
    # the one follow-up task flow
    flows = {spec.key: spec for spec in stage.flows}
    assert len(flows) == 3 * 2 * 3 + 1
    for key, spec in flows.items():
        document = stage.render(key)
        content = to_content(document)
        # THEN each speaks its language and stays within Connect's limits, lint-clean
        inputs = stage.inputs_for(spec)
        if spec.is_survey:
            assert inputs.survey.questions[0].prompt in content, key
        assert len(document["Actions"]) <= MAX_ACTIONS, (key, len(document["Actions"]))
        assert len(content) <= MAX_CONTENT, (key, len(content))
        assert [f for f in lint(document, key, content=content) if f.severity == "error"] == []


@pytest.mark.parametrize(
    ("language", "languages", "setting"),
    [
        ("english", None, "language"),
        (ENGLISH, [ENGLISH, "+15555550100"], r"languages\[1\]"),
        (ENGLISH, [ENGLISH, "ja_JP"], r"languages\[1\]"),
    ],
)
def test_a_language_not_of_the_handlers_form_stops_synth(
    language: str, languages: list[str] | None, setting: str
) -> None:
    # GIVEN a stage language the score handler would refuse as a parameter (contract's form)
    # WHEN the stage loads
    # THEN synth stops there, naming the setting, before any flow could send it
    with pytest.raises(
        ConfigError, match=rf"^stages\.dev\.{setting}: '.*' is not a language code like en-US"
    ):
        stage_in(language, languages=languages)
