"""The built-in Korean texts keep one register: the formal polite style a Korean contact center
speaks in (합니다체 and 하십시오체), never the informal polite 해요체."""

from __future__ import annotations

import re

from connect_survey.flows.languages import KOREAN, LANGUAGES

# Sentence endings of the formal polite style: "감사합니다.", "눌러 주십시오."
FORMAL_ENDINGS = ("니다.", "십시오.")
NOT_TEXTS = ("voice", "engine", "menu")  # the voice's name, its engine, the built menu


def korean_texts() -> dict[str, str]:
    korean = LANGUAGES[KOREAN]
    prompts = {k: v for k, v in korean.prompts.texts().items() if k not in NOT_TEXTS}
    return {**prompts, **korean.questions}


def test_every_korean_sentence_ends_in_the_formal_polite_style() -> None:
    # GIVEN every built-in Korean prompt and question
    for name, text in korean_texts().items():
        # WHEN split into sentences
        for sentence in re.split(r"(?<=\.)\s+", text.strip()):
            # THEN each ends in 합니다체 or 하십시오체, none in 해요체 (…요.)
            assert sentence.endswith(FORMAL_ENDINGS), (name, sentence)
            assert not sentence.endswith("요."), (name, sentence)


def test_korean_texts_call_the_supervisor_one_name() -> None:
    # GIVEN the prompts that speak of the supervisor
    texts = [text for text in korean_texts().values() if "관리자" in text]
    # THEN every one calls them 상담 관리자, as the supervisor offer does
    assert len(texts) >= 5
    assert all(text.count("관리자") == text.count("상담 관리자") for text in texts), texts
