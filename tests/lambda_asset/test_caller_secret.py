"""The caller-key secret: cached with an expiry, and a rotation keeps every caller's cooldown."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import boto3
import pytest
from botocore.stub import Stubber

from connect_survey.lambda_asset.survey import aws, eligibility, sampling
from connect_survey.lambda_asset.survey.contract import COOLDOWN_TABLE
from connect_survey.lambda_asset.survey.sampling import Decision, SamplingPolicy

if TYPE_CHECKING:
    from collections.abc import Callable

REGION = "us-east-1"
COOLDOWN = "cooldown-test"
NUMBER = "+15555550100"
OTHER_NUMBER = "+15555550199"


@pytest.fixture
def secret_arn(monkeypatch: pytest.MonkeyPatch) -> str:
    """A 30-day cooldown, its table, and the caller-key secret, as the stack provides them."""
    arn = boto3.client("secretsmanager", region_name=REGION).create_secret(
        Name="caller-key", SecretString="first-key"
    )["ARN"]
    environment = sampling.sampling_environment(
        policy=SamplingPolicy(cooldown_days=30), cooldown_table=COOLDOWN, secret_arn=arn
    )
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    COOLDOWN_TABLE.create(boto3.client("dynamodb", region_name=REGION), COOLDOWN)
    sampling.caller_secrets.clear()
    return arn


@pytest.fixture
def secret_reads() -> list[str]:
    """The version stages the handler asked Secrets Manager for, in order."""
    stages: list[str] = []

    def record(params: dict[str, Any], **_: Any) -> None:
        stages.append(params.get("VersionStage", "AWSCURRENT"))

    aws.client("secretsmanager").meta.events.register(
        "before-parameter-build.secrets-manager.GetSecretValue", record
    )
    return stages


def decide(number: str) -> dict[str, str]:
    call = {"ContactId": f"contact-{number}", "CustomerEndpoint": {"Address": number}}
    return eligibility.handler({"Details": {"ContactData": call, "Parameters": {}}}, None)


def answer(load_event: Callable[..., Any], score_handler: Any, caller_key: str) -> None:
    """The caller answers a question: the score handler starts their cooldown."""
    event = load_event(
        "connectContactFlowEventAll",
        parameters={"question": "effort", "digits": "4"},
        attributes={sampling.CALLER_KEY_ATTRIBUTE: caller_key},
    )
    assert score_handler(event)["stored"] == "true"


def rotate(arn: str, text: str) -> None:
    """A new AWSCURRENT version; the old one becomes AWSPREVIOUS."""
    boto3.client("secretsmanager", region_name=REGION).put_secret_value(
        SecretId=arn, SecretString=text
    )


def expire_cache(arn: str) -> None:
    """Age the cached secret by one cache period, as a warm function's would age."""
    cached = sampling.caller_secrets[arn]
    sampling.caller_secrets[arn] = replace(
        cached, read_at=cached.read_at - sampling.SECRET_CACHE_SECONDS
    )


def test_a_secret_rotation_keeps_a_callers_cooldown(
    secret_arn: str, load_event: Any, score_handler: Any, results_table: Any
) -> None:
    # GIVEN a caller offered a survey and answering it under the first key
    offered = decide(NUMBER)
    assert offered["decision"] == Decision.OFFER
    answer(load_event, score_handler, offered["callerKey"])

    # WHEN the secret is rotated and the cached key expires, and the caller calls again
    rotate(secret_arn, "second-key")
    expire_cache(secret_arn)
    again = decide(NUMBER)

    # THEN they are still in their cooldown (found under the previous key), and a new caller is
    # keyed with the new one: the score handler writes new records under AWSCURRENT
    assert again["decision"] == Decision.COOLDOWN
    newcomer = decide(OTHER_NUMBER)
    assert newcomer["callerKey"] == sampling.caller_key(OTHER_NUMBER, b"second-key")
    assert offered["callerKey"] == sampling.caller_key(NUMBER, b"first-key")


def test_a_caller_surveyed_after_a_rotation_is_found_under_the_current_key(
    secret_arn: str, load_event: Any, score_handler: Any, results_table: Any
) -> None:
    # GIVEN a rotation, then a caller offered and answering under the new key
    rotate(secret_arn, "second-key")
    offered = decide(NUMBER)
    answer(load_event, score_handler, offered["callerKey"])

    # WHEN they call again
    # THEN the current key alone finds them
    assert decide(NUMBER)["decision"] == Decision.COOLDOWN


def test_the_secret_is_cached_until_it_expires(secret_arn: str, secret_reads: list[str]) -> None:
    # GIVEN a first decision, which reads the secret (and, the secret being new, looks for a
    # previous version: there is none)
    first = decide(NUMBER)
    assert secret_reads == ["AWSCURRENT", "AWSPREVIOUS"]

    # WHEN the secret is rotated and more callers are decided within the cache period
    rotate(secret_arn, "second-key")
    within = [decide(NUMBER) for _ in range(3)]

    # THEN Secrets Manager was not asked again, and the keys are still the first secret's
    assert secret_reads == ["AWSCURRENT", "AWSPREVIOUS"]
    assert {answer["callerKey"] for answer in within} == {first["callerKey"]}

    # WHEN the cache period has passed
    expire_cache(secret_arn)
    after = decide(NUMBER)

    # THEN the secret is read again, and the new key is used
    assert secret_reads == ["AWSCURRENT", "AWSPREVIOUS"] * 2
    assert after["callerKey"] == sampling.caller_key(NUMBER, b"second-key")


def test_an_expired_secret_keeps_serving_when_secrets_manager_is_down(
    secret_arn: str, faults: Any
) -> None:
    # GIVEN a secret read once, then expired, and Secrets Manager failing
    first = decide(NUMBER)
    expire_cache(secret_arn)
    faults.error_reply(aws.client("secretsmanager"), "GetSecretValue", times=2)

    # WHEN a caller is decided
    again = decide(NUMBER)

    # THEN the secret read before decides, rather than onError
    assert again["decision"] == Decision.OFFER
    assert again["callerKey"] == first["callerKey"]


def test_a_rotation_older_than_the_cooldown_costs_no_second_read(secret_arn: str) -> None:
    # GIVEN a current version created 31 days ago: no record keyed by the previous one can still
    # be in a 30-day cooldown
    stubber = Stubber(aws.client("secretsmanager"))
    stubber.add_response(
        "get_secret_value",
        {
            "ARN": secret_arn,
            "Name": "caller-key",
            "SecretString": "old-enough",
            "CreatedDate": datetime.now(UTC) - timedelta(days=31),
        },
        {"SecretId": secret_arn, "VersionStage": "AWSCURRENT"},
    )

    # WHEN a caller is decided
    with stubber:
        decided = decide(NUMBER)

    # THEN the current version alone was read (a second read would have failed the stub)
    stubber.assert_no_pending_responses()
    assert decided["callerKey"] == sampling.caller_key(NUMBER, b"old-enough")
    assert sampling.caller_secrets[secret_arn].previous is None
