"""A Korean caller on an English stage that also speaks Korean: the escalation, callback, queue
and retry prompts follow the caller's language too, and the attributes stay as in English."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

from connect_survey.flows.catalog import CALLBACK_QUEUE, SUPERVISOR_QUEUE, language_key
from connect_survey.flows.languages import ENGLISH, KOREAN, LANGUAGES
from connect_survey.lambda_asset.survey.contract import (
    LANGUAGE_ATTRIBUTE,
    MODE_ESCALATION,
    OPT_IN_ATTRIBUTE,
)
from connect_survey.simulator.simulate import WITHHELD, CallSetup, simulator
from tests.languages.test_korean_survey import hangul, stage_in
from tests.scenarios.calls import MAIN_QUEUE, caller, inbound, survey

if TYPE_CHECKING:
    from collections.abc import Iterator

    from connect_survey.simulator.simulate import Report, Simulator

KOREAN_TEXTS = LANGUAGES[KOREAN].prompts.with_scale(1, 5)
LOW = ("1", "2", "1")
UPSTREAM_KOREAN = {LANGUAGE_ATTRIBUTE: KOREAN}


@pytest.fixture(scope="module")
def bilingual() -> Iterator[Simulator]:
    with simulator(stage_in(ENGLISH, languages=[ENGLISH, KOREAN])) as running:
        yield running


def korean_call(sim: Simulator, keys: list[str], number: str, **setup: Any) -> Report:
    """An escalation call by a caller an upstream flow marked Korean."""
    call = CallSetup(keys=keys, attributes=UPSTREAM_KOREAN, caller_number=number, **setup)
    return sim.run(inbound(MODE_ESCALATION), call).read_back()


def test_korean_low_score_hears_the_apology_and_reaches_a_supervisor(bilingual: Simulator) -> None:
    # GIVEN a Korean caller who rates the call low and asks for a supervisor (one available)
    report = korean_call(bilingual, caller(MODE_ESCALATION, *LOW, "1"), "+82200000101")

    # THEN the apology and the supervisor offer are Korean, and the transfer is made
    assert report.call.flows == [
        inbound(MODE_ESCALATION),
        language_key(inbound(MODE_ESCALATION), KOREAN),
        language_key(survey(MODE_ESCALATION), KOREAN),
        language_key(survey(MODE_ESCALATION), KOREAN),  # again, after the supervisor
    ]
    assert KOREAN_TEXTS.apology in report.call.prompts
    assert KOREAN_TEXTS.supervisor_offer in report.call.prompts
    assert all(hangul(prompt) for prompt in report.call.prompts)
    assert report.call.transfers == [{"queue": MAIN_QUEUE}, {"queue": SUPERVISOR_QUEUE}]
    # AND the attributes are the ones an English call gets
    assert report.call.attributes[OPT_IN_ATTRIBUTE] == "Complete"
    assert [report.call.attributes[a] for a in ("EffortScore", "PromoterScore")] == ["1", "2"]


def test_korean_caller_with_no_supervisor_free_is_offered_a_callback_in_korean(
    bilingual: Simulator,
) -> None:
    # GIVEN no supervisor available, and a Korean caller who accepts the callback
    number = "+82200000102"
    keys = caller(MODE_ESCALATION, *LOW, "1", "1")
    report = korean_call(bilingual, keys, number, supervisors_available=0)

    # THEN the busy notice and the confirmation are Korean, and the callback is queued
    assert KOREAN_TEXTS.supervisor_busy in report.call.prompts
    assert report.call.prompts[-1] == KOREAN_TEXTS.callback_confirmed
    assert report.call.callbacks == [{"queue": CALLBACK_QUEUE, "number": number}]


def test_korean_caller_with_a_withheld_number_hears_no_callback_promise_in_korean(
    bilingual: Simulator,
) -> None:
    keys = caller(MODE_ESCALATION, *LOW, "1", "1")
    report = korean_call(
        bilingual, keys, WITHHELD, supervisors_available=0, queues_at_capacity=[SUPERVISOR_QUEUE]
    )
    assert report.call.callbacks == []
    assert report.call.prompts[-1] == KOREAN_TEXTS.no_callback


def test_korean_caller_hears_the_retry_and_queue_full_prompts_in_korean(
    bilingual: Simulator,
) -> None:
    # GIVEN a Korean caller who presses 9 at the menu while every sales agent is busy
    report = korean_call(bilingual, ["9", "1"], "+82200000103", queues_at_capacity=[MAIN_QUEUE])

    # THEN the retry (said before the menu again) and the queue-full notice are Korean
    assert any(prompt.startswith(KOREAN_TEXTS.menu_retry) for prompt in report.call.prompts)
    assert KOREAN_TEXTS.queue_full in report.call.prompts
    assert all(hangul(prompt) for prompt in report.call.prompts)


def test_korean_invalid_answer_is_corrected_in_korean(bilingual: Simulator) -> None:
    # GIVEN a Korean caller who presses 9 (out of the 1-5 scale), then answers
    keys = caller(MODE_ESCALATION, "9", "4", "5", "5")
    report = korean_call(bilingual, keys, "+82200000104")

    # THEN the correction names the scale in Korean, and the answers are stored
    assert KOREAN_TEXTS.invalid_answer in report.call.prompts
    assert [r["score"] for r in report.results] == ["4", "5", "5"]
