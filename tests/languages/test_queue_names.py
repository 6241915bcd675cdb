"""How the built menu says each queue in each language: `translations.<language>.queueNames`,
else the queue's logical name; a name for a queue the stage does not have is a mistake."""

from __future__ import annotations

import pytest

from connect_survey.config.errors import ConfigError
from connect_survey.flows.catalog import language_key
from connect_survey.flows.languages import ENGLISH, KOREAN
from tests.languages.test_korean_survey import stage_in

KOREAN_NAMES = {"sales": "구매", "support": "기술 지원"}


def menu_prompt(document: dict[str, object]) -> str:
    actions = document["Actions"]
    assert isinstance(actions, list)
    menu = next(action for action in actions if action["Identifier"] == "menu")
    return str(menu["Parameters"]["Text"])


def test_korean_menu_says_each_queue_by_its_korean_name() -> None:
    # GIVEN a stage whose default language is Korean, with a Korean name for each queue
    stage = stage_in(KOREAN, translations={KOREAN: {"queueNames": KOREAN_NAMES}})

    # THEN the built Korean menu says the names, never the logical (English) keys
    text = menu_prompt(stage.render("on-demand-inbound"))
    assert text == "구매 문의는 1번을 눌러 주십시오. 기술 지원 문의는 2번을 눌러 주십시오."
    assert "sales" not in text and "support" not in text


def test_each_language_says_the_queues_in_its_own_names() -> None:
    # GIVEN an English stage that speaks Korean too, with names in both languages
    stage = stage_in(
        ENGLISH,
        languages=[ENGLISH, KOREAN],
        translations={
            ENGLISH: {"queueNames": {"sales": "orders"}},
            KOREAN: {"queueNames": KOREAN_NAMES},
        },
    )

    # THEN each language's menu says its own names; a queue left out keeps its logical name
    english = menu_prompt(stage.render("opt-in-inbound"))
    korean = menu_prompt(stage.render(language_key("opt-in-inbound", KOREAN)))
    assert english == "For orders, press 1. For support, press 2."
    assert korean.startswith("구매 문의는 1번")


def test_a_name_for_an_unknown_queue_names_the_setting() -> None:
    with pytest.raises(
        ConfigError,
        match=r"^stages\.dev\.translations\.ko-KR\.queueNames\.billing: is not one of the "
        r"queues \(sales, support\)",
    ):
        stage_in(KOREAN, translations={KOREAN: {"queueNames": {"billing": "요금"}}})


def test_an_empty_name_names_the_setting() -> None:
    with pytest.raises(ConfigError, match=r"translations\.ko-KR\.queueNames\.sales: "):
        stage_in(KOREAN, translations={KOREAN: {"queueNames": {"sales": " "}}})
