"""A deploy check's verification event: both handlers answer it and store or send nothing."""

from __future__ import annotations

from typing import Any

from lambdas.survey.contract import PARAM_VERIFICATION, TRUE

ALL = "connectContactFlowEventAll"
LOW_SCORES = {"EffortScore": "1", "PromoterScore": "1", "SatisfactionScore": "1"}


def test_score_handler_answers_a_verification_event_without_storing_it(
    load_event: Any, score_handler: Any, results_table: Any
) -> None:
    # GIVEN a verification event carrying a valid answer
    event = load_event(
        ALL, parameters={"question": "effort", "digits": "5", PARAM_VERIFICATION: TRUE}
    )

    # WHEN the score handler answers it
    answer = score_handler(event)

    # THEN the answer is validated as usual, marked as a verification, and the table stays empty
    assert answer == {
        "valid": "true",
        "score": "5",
        "attribute": "EffortScore",
        "question": "effort",
        "stored": "false",
        "reason": "verification",
    }
    assert results_table.scan()["Items"] == []


def test_score_handler_stores_an_answer_whose_verification_parameter_is_not_true(
    load_event: Any, score_handler: Any, results_table: Any
) -> None:
    # GIVEN an answer whose verification parameter is anything but "true"
    event = load_event(
        ALL, parameters={"question": "effort", "digits": "5", PARAM_VERIFICATION: "false"}
    )

    # WHEN scored
    answer = score_handler(event)

    # THEN it is an ordinary answer, stored
    assert answer["stored"] == "true"
    assert len(results_table.scan()["Items"]) == 1


def test_finish_handler_answers_a_verification_event_without_storing_or_alerting(
    load_event: Any, finish_handler: Any, results_table: Any, alert_topic: Any, alert_bus: Any
) -> None:
    # GIVEN a verification event whose contact attributes hold low scores
    event = load_event(
        ALL, parameters={"mode": "escalation", PARAM_VERIFICATION: TRUE}, attributes=LOW_SCORES
    )

    # WHEN the finish handler answers it
    answer = finish_handler(event)

    # THEN it answers every key, writes no summary and sends no alert
    assert answer == {
        "escalate": "false",
        "lowest": "",
        "answered": "0",
        "alerted": "false",
        "reason": "verification",
    }
    assert results_table.scan()["Items"] == []
    assert alert_topic.bodies() == []
    assert alert_bus.bodies() == []
