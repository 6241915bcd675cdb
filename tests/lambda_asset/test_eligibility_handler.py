"""The eligibility handler: flat answers, onError when it cannot decide, never the number."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import pytest

from connect_survey.lambda_asset.survey import eligibility, sampling
from connect_survey.lambda_asset.survey.contract import COOLDOWN_TABLE
from connect_survey.lambda_asset.survey.items import CooldownRecord
from connect_survey.lambda_asset.survey.sampling import Decision, SamplingPolicy
from tests.lambda_asset.conftest import assert_flat_string_map

if TYPE_CHECKING:
    from collections.abc import Callable

NUMBER = "+821012345678"


def event(number: str | None = NUMBER, contact_id: str | None = "contact-1") -> dict[str, Any]:
    data: dict[str, Any] = {}
    if contact_id is not None:
        data["ContactId"] = contact_id
    if number is not None:
        data["CustomerEndpoint"] = {"Address": number, "Type": "TELEPHONE_NUMBER"}
    return {"Name": "ContactFlowEvent", "Details": {"ContactData": data, "Parameters": {}}}


@pytest.fixture
def policy(monkeypatch: pytest.MonkeyPatch) -> Callable[..., None]:
    """Set the sampling environment the stack gives the eligibility function."""

    def set_policy(**settings: Any) -> None:
        environment = sampling.sampling_environment(
            policy=SamplingPolicy(**settings),
            cooldown_table="cooldown-test",
            secret_arn="arn:aws:secretsmanager:us-east-1:123456789012:secret:caller-key",
        )
        for name, value in environment.items():
            monkeypatch.setenv(name, value)
        sampling.caller_secrets.clear()

    return set_policy


@pytest.mark.parametrize(("on_error", "eligible"), [("offer", "true"), ("skip", "false")])
def test_eligibility_handler_answers_per_on_error_when_the_secret_is_unreadable(
    policy: Callable[..., None], on_error: str, eligible: str
) -> None:
    # GIVEN a cooldown, and no secret in the (mocked) account
    policy(cooldown_days=30, on_error=on_error)

    # WHEN a caller is decided
    answer = assert_flat_string_map(eligibility.handler(event(), None))

    # THEN it answers "undecided" with the reason, eligible as onError says
    assert answer == {
        "eligible": eligible,
        "decision": Decision.UNDECIDED,
        "callerKey": "",
        "numberWithheld": "false",
        "reason": "storage_error",
    }


def test_eligibility_handler_answers_a_malformed_event_without_raising(
    policy: Callable[..., None],
) -> None:
    # GIVEN onError skip
    policy(on_error="skip")
    # WHEN the event has no contact id
    answer = eligibility.handler(event(contact_id=None), None)
    # THEN the answer says so, and follows onError
    assert answer["reason"] == "malformed_event"
    assert answer["eligible"] == "false"


@pytest.mark.parametrize(
    "number",
    [
        None,
        "",
        "anonymous",
        "Restricted",
        "+ANONYMOUS",
        "+١٢٣٤٥٦٧٨٩",  # digits, but not ones a phone network dials
        # the carriers' keypad spellings: ANONYMOUS, RESTRICTED, BLOCKED, UNKNOWN, UNAVAILABLE
        "+266696687",
        "+7378742833",
        "+2562533",
        "+8656696",
        "+86282452253",
        "266696687",
        # too short to be real: fewer than 7 digits after "+"
        "+1",
        "+123456",
        # longer than any number, never handed to a pattern
        "+" + "1" * 40,
    ],
)
def test_withheld_number_is_recognised(number: str | None) -> None:
    assert sampling.is_withheld(number)


@pytest.mark.parametrize(
    "number",
    [
        "+15555550100",
        "821012345678",
        " +442071838750 ",
        "+6834002",  # Niue: 7 digits, among the shortest real numbers
        "+6903010",  # Tokelau
        "+266696688",  # one digit from a placeholder
    ],
)
def test_real_number_is_not_withheld(number: str) -> None:
    assert not sampling.is_withheld(number)


def test_a_stages_own_patterns_replace_the_built_in_ones() -> None:
    # GIVEN a stage that knows its carrier's placeholder, and keeps no other pattern
    patterns = (r"\+?999000999",)
    # THEN only its placeholder (and what is no number at all) counts as withheld
    assert sampling.is_withheld("+999000999", patterns)
    assert sampling.is_withheld("anonymous", patterns)
    assert not sampling.is_withheld("+266696687", patterns)


def test_a_policy_with_a_broken_pattern_is_refused_from_the_environment() -> None:
    text = SamplingPolicy(withheld_patterns=("+(1",)).to_env()
    with pytest.raises(ValueError, match="withheld_patterns"):
        SamplingPolicy.from_env(text)


@pytest.mark.parametrize(
    ("number", "withheld"), [("+266696687", "true"), ("+15555550100", "false"), (None, "true")]
)
def test_eligibility_answer_says_whether_the_number_is_withheld(
    policy: Callable[..., None], number: str | None, withheld: str
) -> None:
    # GIVEN a stage that offers withheld callers a survey, and samples nobody
    policy(percent=0)
    # WHEN a caller is decided
    answer = assert_flat_string_map(eligibility.handler(event(number), None))
    # THEN the flow learns whether the number can be called back, by the stage's one test
    assert answer["numberWithheld"] == withheld
    assert answer["decision"] == Decision.SAMPLING


def test_eligibility_answer_judges_the_number_with_the_stages_patterns(
    policy: Callable[..., None],
) -> None:
    # GIVEN a stage whose own pattern names a placeholder, and withheldNumbers skip
    policy(withheld_numbers="skip", withheld_patterns=(r"\+?999000999",))
    # WHEN that placeholder calls
    answer = eligibility.handler(event("+999000999"), None)
    # THEN it is withheld: no survey, no cooldown key
    assert answer["decision"] == Decision.WITHHELD
    assert answer["numberWithheld"] == "true"
    assert answer["callerKey"] == ""


def test_malformed_event_still_says_whether_the_number_is_withheld(
    policy: Callable[..., None],
) -> None:
    policy()
    answer = eligibility.handler(event("+266696687", contact_id=None), None)
    assert answer["reason"] == "malformed_event"
    assert answer["numberWithheld"] == "true"


def test_caller_key_is_a_keyed_hash_that_hides_the_number() -> None:
    key = sampling.caller_key(NUMBER, b"secret-one")
    assert key == sampling.caller_key(NUMBER, b"secret-one")
    assert key != sampling.caller_key(NUMBER, b"secret-two")
    assert len(key) == 64 and NUMBER.removeprefix("+") not in key


def test_cooldown_counts_whole_days_and_zero_turns_it_off() -> None:
    now = datetime(2026, 1, 31, tzinfo=UTC)
    assert sampling.in_cooldown(now - timedelta(days=29, hours=23), now, 30)
    assert not sampling.in_cooldown(now - timedelta(days=30), now, 30)
    assert not sampling.in_cooldown(now - timedelta(days=1), now, 0)
    assert not sampling.in_cooldown(None, now, 30)


def test_sampling_policy_survives_the_environment_round_trip() -> None:
    policy = SamplingPolicy(
        percent=30,
        cooldown_days=90,
        withheld_numbers="skip",
        on_error="skip",
        withheld_patterns=(r"\+?999000999",),
    )
    assert SamplingPolicy.from_env(policy.to_env()) == policy
    with pytest.raises(ValueError, match="percent"):
        SamplingPolicy.from_env(SamplingPolicy(percent=101).to_env())


def test_decision_metrics_are_named_for_the_dashboard() -> None:
    assert Decision.OFFER.metric == "SurveyOffered"
    assert Decision.SAMPLING.metric == "SurveySkippedBySampling"
    assert Decision.COOLDOWN.metric == "SurveySkippedByCooldown"


def test_score_handler_keeps_the_answer_when_the_cooldown_table_is_unreachable(
    load_event: Any, score_handler: Any, results_table: Any, policy: Callable[..., None]
) -> None:
    # GIVEN a 30-day cooldown whose table does not exist, and a caller key from the inbound flow
    policy(cooldown_days=30)
    event = load_event(
        "connectContactFlowEventAll",
        parameters={"question": "effort", "digits": "4"},
        attributes={sampling.CALLER_KEY_ATTRIBUTE: "ab" * 32},
    )

    # WHEN the caller answers
    answer = score_handler(event)

    # THEN the answer is valid and stored all the same
    assert answer["stored"] == "true"
    assert len(results_table.scan()["Items"]) == 1


def test_score_handler_starts_the_cooldown_keyed_by_the_caller_key_alone(
    load_event: Any, score_handler: Any, results_table: Any, policy: Callable[..., None]
) -> None:
    # GIVEN a 30-day cooldown table, and a caller key from the inbound flow
    policy(cooldown_days=30)
    import boto3

    dynamodb = boto3.client("dynamodb")
    COOLDOWN_TABLE.create(dynamodb, "cooldown-test")
    key = "cd" * 32

    # WHEN the caller answers two questions
    for question in ("effort", "recommend"):
        score_handler(
            load_event(
                "connectContactFlowEventAll",
                parameters={"question": question, "digits": "4"},
                attributes={sampling.CALLER_KEY_ATTRIBUTE: key},
            )
        )

    # THEN one record, keyed by the caller key alone, expires when the cooldown ends
    [record] = dynamodb.scan(TableName="cooldown-test")["Items"]
    assert set(record) == {"callerKey", "surveyedAt", "expiresAt"}
    stored = CooldownRecord.from_item(record)
    assert stored.caller_key == key
    assert stored.expires_at - stored.surveyed_at == 30 * sampling.SECONDS_PER_DAY
