"""Flow parameters and the caller key: a value not of its allowed form is never stored or sent.

Each parameter gets hostile values — a phone number, a 10 KB string, JSON, control characters —
and each handler must answer as for an invalid input, store nothing, count it, and never log it.
"""

from __future__ import annotations

from typing import Any

import boto3
import pytest

from connect_survey.lambda_asset.survey import eligibility, sampling
from connect_survey.lambda_asset.survey.contract import (
    COOLDOWN_TABLE,
    LANGUAGE_CODE,
    PARAM_LANGUAGE,
    PARAM_MODE,
    PARAM_QUESTION,
    PARAM_VERIFICATION,
    invalid_parameters,
)
from connect_survey.lambda_asset.survey.sampling import SamplingPolicy
from tests.lambda_asset.conftest import metric_names

ALL = "connectContactFlowEventAll"
COOLDOWN = "cooldown-test"
PHONE = "+15555550100"
HOSTILE = {
    "phone number": PHONE,
    "10 KB": "a" * 10_240,
    "JSON": '{"language": "en-US", "number": "+15555550100"}',
    "control characters": "en-US\x00\x1b[2J\u202e",
}
VALID_ANSWER = {PARAM_QUESTION: "effort", "digits": "4", PARAM_MODE: "on-demand",
                PARAM_LANGUAGE: "en-US"}  # fmt: skip


@pytest.mark.parametrize("value", HOSTILE.values(), ids=HOSTILE.keys())
@pytest.mark.parametrize(
    "parameter", [PARAM_QUESTION, PARAM_MODE, PARAM_LANGUAGE, PARAM_VERIFICATION]
)
def test_score_handler_stores_no_parameter_not_of_its_form(
    load_event: Any,
    score_handler: Any,
    results_table: Any,
    captured_output: Any,
    parameter: str,
    value: str,
) -> None:
    # GIVEN a valid answer whose one parameter is hostile
    event = load_event(ALL, parameters={**VALID_ANSWER, parameter: value})

    # WHEN it is scored
    answer = score_handler(event)

    # THEN it is answered as an invalid input, nothing is stored, and it is counted by name only
    assert answer == {"valid": "false", "reason": "invalid_parameter"}
    assert results_table.scan()["Items"] == []
    output = captured_output()
    assert "InvalidParameter" in metric_names(output)
    assert parameter in output
    assert value not in output and PHONE not in output


@pytest.mark.parametrize("value", HOSTILE.values(), ids=HOSTILE.keys())
def test_score_handler_stores_no_digits_but_a_score(
    load_event: Any, score_handler: Any, results_table: Any, value: str
) -> None:
    # GIVEN hostile digits
    # WHEN scored
    answer = score_handler(load_event(ALL, parameters={**VALID_ANSWER, "digits": value}))

    # THEN the answer is invalid for its own reason, and nothing is stored
    assert answer["valid"] == "false"
    assert answer["reason"] in {"not_a_number", "out_of_range"}
    assert results_table.scan()["Items"] == []


@pytest.mark.parametrize("value", HOSTILE.values(), ids=HOSTILE.keys())
@pytest.mark.parametrize("parameter", [PARAM_MODE, PARAM_LANGUAGE, PARAM_VERIFICATION])
def test_finish_handler_stores_no_parameter_not_of_its_form(
    load_event: Any,
    finish_handler: Any,
    results_table: Any,
    captured_output: Any,
    parameter: str,
    value: str,
) -> None:
    # GIVEN a low score in the attributes, and one hostile parameter
    parameters = {PARAM_MODE: "escalation", parameter: value}
    event = load_event(ALL, parameters=parameters, attributes={"EffortScore": "1"})

    # WHEN the survey finishes
    answer = finish_handler(event)

    # THEN no summary is written: the flow keeps its own status, as for a malformed event
    assert answer == {
        "escalate": "false",
        "lowest": "",
        "answered": "0",
        "status": "offered",
        "reason": "invalid_parameter",
    }
    assert results_table.scan()["Items"] == []
    output = captured_output()
    assert "InvalidParameter" in metric_names(output)
    assert value not in output and PHONE not in output


@pytest.mark.parametrize("value", HOSTILE.values(), ids=HOSTILE.keys())
def test_eligibility_handler_reads_nothing_for_a_verification_flag_not_of_its_form(
    monkeypatch: pytest.MonkeyPatch, captured_output: Any, value: str
) -> None:
    # GIVEN onError skip, and a hostile verification flag
    environment = sampling.sampling_environment(
        policy=SamplingPolicy(cooldown_days=30, on_error="skip"), cooldown_table=COOLDOWN
    )
    for name, setting in environment.items():
        monkeypatch.setenv(name, setting)
    data = {"ContactId": "contact-1", "CustomerEndpoint": {"Address": "+15555550111"}}
    event = {"Details": {"ContactData": data, "Parameters": {PARAM_VERIFICATION: value}}}

    # WHEN eligibility runs
    answer = eligibility.handler(event, None)

    # THEN it is undecided with the reason, as onError says, and counted
    assert answer == {
        "eligible": "false",
        "decision": "undecided",
        "callerKey": "",
        "numberWithheld": "false",
        "reason": "invalid_parameter",
    }
    output = captured_output()
    assert "InvalidParameter" in metric_names(output)
    assert value not in output


@pytest.mark.parametrize(
    "caller_key",
    [
        PHONE,
        "AB" * 32,  # upper case: not what the eligibility handler produces
        "ab" * 31,
        "ab" * 33,
        "ab" * 5_120,
        '{"callerKey": "' + "ab" * 32 + '"}',
        "ab" * 31 + "a\x00",
        "ab" * 16 + "\n" + "ab" * 16,
    ],
    ids=["phone", "upper", "short", "long", "10 KB", "JSON", "NUL", "newline"],
)
def test_score_handler_never_stores_a_caller_key_not_of_its_form(
    load_event: Any,
    score_handler: Any,
    results_table: Any,
    captured_output: Any,
    monkeypatch: pytest.MonkeyPatch,
    caller_key: str,
) -> None:
    # GIVEN a 30-day cooldown, and a SurveyCallerKey attribute that no eligibility check made
    environment = sampling.sampling_environment(
        policy=SamplingPolicy(cooldown_days=30), cooldown_table=COOLDOWN
    )
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    dynamodb = boto3.client("dynamodb", region_name="us-east-1")
    COOLDOWN_TABLE.create(dynamodb, COOLDOWN)
    event = load_event(
        ALL, parameters=VALID_ANSWER, attributes={sampling.CALLER_KEY_ATTRIBUTE: caller_key}
    )

    # WHEN the caller answers
    answer = score_handler(event)

    # THEN the answer is kept, but the key becomes no record, no marker, and no log line
    assert answer["stored"] == "true"
    assert dynamodb.scan(TableName=COOLDOWN)["Items"] == []
    [item] = results_table.scan()["Items"]
    assert "pendingCallerKey" not in item and "pendingWork" not in item
    output = captured_output()
    assert "InvalidParameter" in metric_names(output)
    assert caller_key.strip() not in output


def test_valid_parameters_are_stored_as_sent(
    load_event: Any, score_handler: Any, results_table: Any
) -> None:
    # GIVEN a Korean answer in opt-in mode, verification explicitly off
    parameters = {**VALID_ANSWER, PARAM_MODE: "opt-in", PARAM_LANGUAGE: "ko-KR",
                  PARAM_VERIFICATION: "false"}  # fmt: skip

    # WHEN scored
    assert score_handler(load_event(ALL, parameters=parameters))["stored"] == "true"

    # THEN the mode and language are on the answer
    [item] = results_table.scan()["Items"]
    assert (item["mode"], item["language"]) == ("opt-in", "ko-KR")


@pytest.mark.parametrize("code", ["en-US", "ko-KR", "arb", "cmn-CN", "zh-Hant-TW", "es-419"])
def test_language_codes_of_connects_form_are_allowed(code: str) -> None:
    assert LANGUAGE_CODE.fullmatch(code)


@pytest.mark.parametrize("code", ["english", "EN-us", "en_US", "en-US-x-private", "", "e"])
def test_other_language_texts_are_not_codes(code: str) -> None:
    assert not LANGUAGE_CODE.fullmatch(code)


def test_invalid_parameters_names_only_what_is_present_and_wrong() -> None:
    # GIVEN parameters some of which are missing, empty or padded
    parameters = {PARAM_MODE: " on-demand ", PARAM_LANGUAGE: "", "digits": PHONE, "other": PHONE}

    # WHEN checked
    # THEN none is of a wrong form: digits and unknown names are not parameters with a form here
    assert invalid_parameters(parameters) == []
    assert invalid_parameters({PARAM_QUESTION: "Effort"}) == [PARAM_QUESTION]
