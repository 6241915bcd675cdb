"""A deploy check's verification event: every handler answers it and stores, sends or (eligibility)
reads nothing."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from connect_survey import PROJECT_ROOT, verify
from connect_survey.config.stage import load_stage
from connect_survey.lambda_asset.survey import aws, eligibility, sampling
from connect_survey.lambda_asset.survey.contract import PARAM_VERIFICATION, TRUE
from connect_survey.lambda_asset.survey.sampling import SamplingPolicy

if TYPE_CHECKING:
    import pytest

ALL = "connectContactFlowEventAll"
CDK_JSON = PROJECT_ROOT / "cdk.json"
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
        "status": "offered",
        "reason": "verification",
    }
    assert results_table.scan()["Items"] == []
    assert alert_topic.bodies() == []
    assert alert_bus.bodies() == []


def test_the_real_handlers_answer_verifys_event_as_verify_expects(
    score_handler: Any, finish_handler: Any, results_table: Any
) -> None:
    # GIVEN the events `connect-survey verify` sends to the dev stage's two functions
    stage = load_stage(json.loads(CDK_JSON.read_text(encoding="utf-8"))["context"], "dev")
    score_event = verify.verification_event(stage, parameters={"question": "effort", "digits": "5"})
    finish_event = verify.verification_event(stage, parameters={"mode": "on-demand"})

    # WHEN the real handlers answer them
    answers = {"score": score_handler(score_event), "finish": finish_handler(finish_event)}

    # THEN each answer is what verify accepts, and nothing was stored
    expected = verify.expected_answers()
    for key, answer in answers.items():
        assert expected[key].items() <= answer.items()
    assert results_table.scan()["Items"] == []


def test_eligibility_handler_answers_a_verification_event_without_any_aws_call(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # GIVEN a 30-day cooldown, and handler clients that record any call they are asked to make
    environment = sampling.sampling_environment(
        policy=SamplingPolicy(cooldown_days=30),
        cooldown_table="cooldown",
        secret_arn="arn:aws:secretsmanager:us-east-1:123456789012:secret:caller-key",
    )
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    sampling.caller_secrets.clear()
    calls: list[str] = []
    for service in ("secretsmanager", "dynamodb"):
        aws.client(service).meta.events.register(
            "before-call", lambda model, **_: calls.append(model.name)
        )

    # WHEN a verification event names a caller (a deploy check, or someone probing)
    data = {"ContactId": "verify-1", "CustomerEndpoint": {"Address": "+15555550100"}}
    event = {"Details": {"ContactData": data, "Parameters": {PARAM_VERIFICATION: TRUE}}}
    answer = eligibility.handler(event, None)

    # THEN it answers "verification" without reading the secret or the cooldown table
    assert answer == {
        "eligible": "false",
        "decision": "undecided",
        "callerKey": "",
        "numberWithheld": "true",
        "reason": "verification",
    }
    assert calls == []


def test_the_real_eligibility_handler_answers_verifys_event_as_verify_expects() -> None:
    # GIVEN the event `connect-survey verify` sends to the dev stage's eligibility function
    stage = load_stage(json.loads(CDK_JSON.read_text(encoding="utf-8"))["context"], "dev")
    event = verify.verification_event(stage, parameters={"mode": "on-demand"})

    # WHEN the real handler answers it
    answer = eligibility.handler(event, None)

    # THEN the answer is what verify accepts
    assert verify.expected_answers()["eligibility"].items() <= answer.items()
