"""The eligibility handler on a cooldown store as the stack creates it: each decision, and the
metric counting it (offered, skipped by sampling, by cooldown, withheld number, undecided)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import boto3
import pytest

from connect_survey.lambda_asset.survey import eligibility, sampling
from connect_survey.lambda_asset.survey.contract import COOLDOWN_TABLE as COOLDOWN
from connect_survey.lambda_asset.survey.items import CooldownRecord
from connect_survey.lambda_asset.survey.sampling import Decision, SamplingPolicy
from tests.lambda_asset.conftest import REGION, assert_flat_string_map
from tests.lambda_asset.test_eligibility_handler import NUMBER, event

if TYPE_CHECKING:
    from collections.abc import Callable

COOLDOWN_TABLE = "cooldown-test"
SECRET = "caller-key-secret-value"


@pytest.fixture
def cooldown_store(monkeypatch: pytest.MonkeyPatch) -> Callable[..., None]:
    """The cooldown table and caller-key secret; call it with the stage's sampling settings."""
    COOLDOWN.create(boto3.client("dynamodb", region_name=REGION), COOLDOWN_TABLE)
    secret_arn = boto3.client("secretsmanager", region_name=REGION).create_secret(
        Name="caller-key", SecretString=SECRET
    )["ARN"]

    def configure(**policy: Any) -> None:
        environment = sampling.sampling_environment(
            policy=SamplingPolicy(**policy), cooldown_table=COOLDOWN_TABLE, secret_arn=secret_arn
        )
        for name, value in environment.items():
            monkeypatch.setenv(name, value)
        sampling.caller_secrets.clear()

    return configure


def surveyed(days_ago: int, cooldown_days: int) -> None:
    """The record the score handler writes for NUMBER's first answer, `days_ago` days ago."""
    at = datetime.now(UTC) - timedelta(days=days_ago)
    key = sampling.caller_key(NUMBER, SECRET.encode())
    record = CooldownRecord.started(key, at, cooldown_days)
    boto3.client("dynamodb", region_name=REGION).put_item(
        TableName=COOLDOWN_TABLE, Item=record.to_item()
    )


def counted_metrics(output: str) -> dict[str, float]:
    """The EMF counts the invocation wrote: metric name -> value."""
    counts: dict[str, float] = {}
    for line in output.splitlines():
        if not line.startswith("{") or '"_aws"' not in line:
            continue
        record = json.loads(line)
        for directive in record["_aws"]["CloudWatchMetrics"]:
            for metric in directive["Metrics"]:
                value = record[metric["Name"]]
                counts[metric["Name"]] = sum(value) if isinstance(value, list) else value
    return counts


@pytest.mark.parametrize(
    ("days_ago", "expected"), [(None, Decision.OFFER), (3, Decision.COOLDOWN), (40, Decision.OFFER)]
)
def test_eligibility_handler_reads_the_cooldown_record_and_counts_its_decision(
    cooldown_store: Callable[..., None],
    captured_output: Callable[[], str],
    days_ago: int | None,
    expected: Decision,
) -> None:
    # GIVEN a 30-day cooldown, and a caller never surveyed, surveyed 3 or 40 days ago
    cooldown_store(cooldown_days=30)
    if days_ago is not None:
        surveyed(days_ago, cooldown_days=30)

    # WHEN the caller is decided
    answer = assert_flat_string_map(eligibility.handler(event(), None))

    # THEN the decision follows the cooldown, is counted in its metric, and names no number
    assert answer["decision"] == expected
    assert answer["eligible"] == ("true" if expected is Decision.OFFER else "false")
    output = captured_output()
    assert counted_metrics(output) == {expected.metric: 1}
    assert NUMBER.removeprefix("+") not in output + json.dumps(answer)


@pytest.mark.parametrize(
    ("policy", "number", "expected"),
    [
        ({"percent": 0}, NUMBER, Decision.SAMPLING),
        ({"withheld_numbers": "skip"}, "anonymous", Decision.WITHHELD),
        ({"withheld_numbers": "offer"}, None, Decision.OFFER),
    ],
    ids=["sampled-out", "withheld-skip", "withheld-offer"],
)
def test_eligibility_handler_counts_sampling_and_withheld_decisions(
    cooldown_store: Callable[..., None],
    captured_output: Callable[[], str],
    policy: dict[str, Any],
    number: str | None,
    expected: Decision,
) -> None:
    cooldown_store(cooldown_days=30, **policy)
    answer = eligibility.handler(event(number), None)
    assert answer["decision"] == expected
    assert answer["callerKey"] == ""  # nobody to remember: sampled out, or no number
    assert counted_metrics(captured_output()) == {expected.metric: 1}


def test_eligibility_handler_counts_an_undecided_caller(
    cooldown_store: Callable[..., None], captured_output: Callable[[], str]
) -> None:
    # GIVEN a cooldown whose table is gone
    cooldown_store(cooldown_days=30, on_error="skip")
    boto3.client("dynamodb", region_name=REGION).delete_table(TableName=COOLDOWN_TABLE)

    # WHEN a caller is decided, THEN onError applies and the metric says undecided
    answer = eligibility.handler(event(), None)
    assert (answer["decision"], answer["eligible"]) == (Decision.UNDECIDED, "false")
    assert counted_metrics(captured_output()) == {Decision.UNDECIDED.metric: 1}
