"""A stage that speaks Korean: every prompt and question in Korean, the attributes as in English."""

from __future__ import annotations

import copy
import json
from typing import TYPE_CHECKING, Any

import pytest

from connect_survey import PROJECT_ROOT
from connect_survey.config.errors import ConfigError
from connect_survey.config.stage import load_stage
from connect_survey.flow_language.lint import lint
from connect_survey.flows.catalog import FLOW_KEYS
from connect_survey.flows.languages import ENGLISH, KOREAN, LANGUAGES
from connect_survey.flows.render import to_content
from connect_survey.lambda_asset.survey.contract import MODES
from connect_survey.simulator.simulate import CallSetup, simulator
from tests.scenarios.calls import caller, inbound, survey

if TYPE_CHECKING:
    from collections.abc import Iterator

    from connect_survey.flows.offline import OfflineStage
    from connect_survey.simulator.simulate import Simulator

ROOT = PROJECT_ROOT
MAX_ACTIONS = 250  # Connect's limit on blocks per flow
MAX_CONTENT = 256_000  # Connect's limit on a flow's Content, in characters
ATTRIBUTES = {"EffortScore": "4", "PromoterScore": "5", "SatisfactionScore": "3"}


def context() -> dict[str, Any]:
    document = json.loads((ROOT / "cdk.json").read_text(encoding="utf-8"))
    settings = copy.deepcopy(document["context"])
    # The dev example also speaks ko-KR (its test cases need the Korean flows); these tests
    # are about a stage of one language.
    settings["stages"]["dev"].pop("languages", None)
    return settings


def stage_in(language: str, **dev: Any) -> OfflineStage:
    settings = context()
    settings["stages"]["dev"].update(language=language, **dev)
    return load_stage(settings, "dev").offline


@pytest.fixture(scope="module")
def korean() -> Iterator[Simulator]:
    with simulator(stage_in(KOREAN)) as running:
        yield running


def hangul(text: str) -> bool:
    return any("\uac00" <= character <= "\ud7a3" for character in text)


@pytest.mark.parametrize("mode", MODES)
def test_korean_stage_surveys_in_korean_and_stores_the_same_attributes(
    korean: Simulator, mode: str
) -> None:
    # GIVEN a stage whose language is ko-KR
    # WHEN a caller takes the menu's first option, accepts any offer and answers 4, 5, 3
    keys = caller(mode, "4", "5", "3")
    number = f"+8210000000{MODES.index(mode)}"  # one caller per mode: each is out of cooldown
    report = korean.run(inbound(mode), CallSetup(keys=keys, caller_number=number)).read_back()

    # THEN every prompt is Korean, in the Korean neural voice
    assert report.call.flows == [inbound(mode), survey(mode)]
    assert report.call.prompts and all(hangul(prompt) for prompt in report.call.prompts)
    voices = [e for e in report.call.events if e.kind == "setting" and "voice" in e.text]
    assert voices and all("Seoyeon (neural)" in e.text for e in voices)
    for question in LANGUAGES[KOREAN].questions.values():
        assert question in report.call.prompts
    # AND the attributes and stored answers are the ones an English call gets
    assert {k: report.call.attributes[k] for k in ATTRIBUTES} == ATTRIBUTES
    assert [r["score"] for r in report.results] == ["4", "5", "3"]
    # AND the contact record and every stored answer carry the language
    assert report.call.attributes["SurveyLanguage"] == KOREAN
    answers = korean.sandbox.answers(report.call.contact.contact_id)
    assert len(answers) == 3 and all(a.language == KOREAN for a in answers)


def test_stage_without_a_language_speaks_english_in_a_neural_voice() -> None:
    stage = load_stage(context(), "dev").offline
    assert stage.inputs.language == ENGLISH
    assert stage.inputs.prompts.voice == "Joanna"
    assert stage.inputs.prompts.texts()["engine"] == "Neural"  # neural where the voice has it
    assert stage.inputs.survey.questions[0].prompt == "It was easy to get my issue handled."


def test_stage_own_prompt_wins_over_the_language_default() -> None:
    stage = stage_in(KOREAN, prompts={"welcome": "안녕하세요, 예시 상사입니다."})
    assert stage.inputs.prompts.welcome == "안녕하세요, 예시 상사입니다."
    assert stage.inputs.prompts.thanks == LANGUAGES[KOREAN].prompts.thanks


def test_unknown_language_stops_synth_naming_the_setting() -> None:
    with pytest.raises(ConfigError, match=r"^stages\.dev\.language: 'fr-FR' has no built-in"):
        stage_in("fr-FR")


def test_every_built_in_language_words_every_prompt_and_default_question() -> None:
    english = LANGUAGES[ENGLISH]
    for language in LANGUAGES.values():
        assert set(language.questions) == set(english.questions), language.code
        texts = language.prompts.texts()
        assert all(text for name, text in texts.items() if name != "menu"), language.code


@pytest.mark.parametrize("language", list(LANGUAGES))
def test_ten_questions_stay_within_connect_flow_limits(language: str) -> None:
    # GIVEN ten questions in a stage speaking `language`
    questions = [
        {
            "key": f"q{n}",
            "attribute": f"Question{n}Score",
            "prompt": f"질문 {n} / Question {n}?" * 8,
        }
        for n in range(10)
    ]
    stage = stage_in(language, survey={"questions": questions})

    # WHEN every flow is rendered
    for key in FLOW_KEYS:
        document = stage.render(key)
        content = to_content(document)

        # THEN each stays under 250 actions and 256,000 characters, and lints clean
        assert len(document["Actions"]) <= MAX_ACTIONS, (key, len(document["Actions"]))
        assert len(content) <= MAX_CONTENT, (key, len(content))
        assert [f for f in lint(document, key, content=content) if f.severity == "error"] == [], key
