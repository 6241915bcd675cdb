"""Decide once, in the inbound flow, whether this caller is offered a survey.

The flow sends no parameters (the caller's number arrives in Details.ContactData.CustomerEndpoint)
and gets back a flat string map, read as $.External.<key>:
    {"eligible": "true|false", "decision": "<Decision>", "callerKey": "<hex HMAC or empty>",
     "numberWithheld": "true|false"}
`numberWithheld` is the stage's one test of a withheld number (`sampling.withheldPatterns`); the
flow keeps it on the contact, and the escalation flow promises a callback only when it is "false".
When it cannot decide (a storage error, a malformed event) it answers as the stage's
`sampling.onError` says, with decision "undecided" and a reason; when it fails outright or times
out, the flow applies the same setting. It never raises, and never logs or returns the number:
only its keyed hash and whether it is withheld leave this module.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from aws_lambda_powertools.metrics import MetricUnit
from botocore.exceptions import BotoCoreError, ClientError

from . import aws, sampling
from .aws import has_time_left
from .contract import (
    COOLDOWN_PARTITION_KEY,
    COOLDOWN_SURVEYED_AT,
    FALSE,
    REASON,
    REASON_INTERNAL_ERROR,
    REASON_MALFORMED_EVENT,
    REASON_STORAGE_ERROR,
    TRUE,
)
from .exceptions import EnvironmentVariableError, MalformedItemError, StorageError
from .items import CooldownRecord, serialize
from .sampling import Decision, SamplingPolicy
from .telemetry import begin, logger, metrics

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.typing import LambdaContext


@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext | None) -> dict[str, str]:
    """Answer the flow with a flat string map, whatever arrives."""
    withheld = True  # until the number is read: no callback is promised to an unknown number
    try:
        data = _mapping(_mapping(event, "Details"), "ContactData")
        address = _mapping(data, "CustomerEndpoint").get("Address")
        number = address if isinstance(address, str) else None
        withheld = sampling.is_withheld(number, _policy_or_default().withheld_patterns)
        contact_id = data.get("ContactId")
        if not isinstance(contact_id, str) or not contact_id:
            begin(None, context)
            logger.warning("Malformed event: no ContactId")
            return _undecided(REASON_MALFORMED_EVENT, withheld=withheld)
        begin(contact_id, context)
        return _decide(None if withheld else number, context)
    except (StorageError, EnvironmentVariableError) as error:
        logger.error("Eligibility not decided", extra={"error": str(error)})
        return _undecided(REASON_STORAGE_ERROR, withheld=withheld)
    except Exception:
        logger.exception("Eligibility failed unexpectedly")
        return _undecided(REASON_INTERNAL_ERROR, withheld=withheld)


def _decide(number: str | None, context: object) -> dict[str, str]:
    """`number` is None when withheld (the stage's test decided that already)."""
    policy = policy_from_environment()
    key = ""
    if number is None and policy.withheld_numbers != sampling.OFFER:
        decision = Decision.WITHHELD
    elif not sampling.sampled(policy.percent, sampling.sampler.random()):
        decision = Decision.SAMPLING
    elif number is None:
        decision = Decision.OFFER  # withheld and offered: no cooldown can be kept for them
    else:
        key = sampling.caller_key(number, _secret(context))
        surveyed_at = _surveyed_at(key, context) if policy.cooldown_days > 0 else None
        cooling = sampling.in_cooldown(surveyed_at, datetime.now(UTC), policy.cooldown_days)
        decision = Decision.COOLDOWN if cooling else Decision.OFFER
    eligible = decision is Decision.OFFER
    return _answer(decision, eligible=eligible, caller_key=key, withheld=number is None)


def _undecided(reason: str, *, withheld: bool) -> dict[str, str]:
    eligible = _policy_or_default().on_error == sampling.OFFER
    answer = _answer(Decision.UNDECIDED, eligible=eligible, caller_key="", withheld=withheld)
    return {**answer, REASON: reason}


def _answer(
    decision: Decision, *, eligible: bool, caller_key: str, withheld: bool
) -> dict[str, str]:
    metrics.add_metric(name=decision.metric, unit=MetricUnit.Count, value=1)
    logger.info("Eligibility decided", extra={"decision": decision.value, "eligible": eligible})
    return {
        sampling.ELIGIBLE: TRUE if eligible else FALSE,
        sampling.DECISION: decision.value,
        sampling.CALLER_KEY: caller_key if eligible else "",
        sampling.NUMBER_WITHHELD: TRUE if withheld else FALSE,
    }


def _policy_or_default() -> SamplingPolicy:
    """The stage's policy, or the defaults (onError offer, the built-in withheld patterns) when
    the environment does not hold one: an answer is still owed to the flow."""
    try:
        return policy_from_environment()
    except EnvironmentVariableError:
        return SamplingPolicy()


def policy_from_environment() -> SamplingPolicy:
    text = _required(sampling.ENV_SAMPLING)
    try:
        return SamplingPolicy.from_env(text)
    except (ValueError, KeyError, TypeError) as error:
        raise EnvironmentVariableError(sampling.ENV_SAMPLING, f"is not a policy: {error}") from None


def remember_caller(attributes: Mapping[str, str], now: datetime, context: object) -> bool:
    """Start the caller's cooldown (score handler, on an answer); False when nothing to write."""

    key = attributes.get(sampling.CALLER_KEY_ATTRIBUTE, "").strip()
    table = os.environ.get(sampling.ENV_COOLDOWN_TABLE, "").strip()
    text = os.environ.get(sampling.ENV_SAMPLING, "").strip()
    if not key or not table or not text:
        return False
    policy = SamplingPolicy.from_env(text)
    if policy.cooldown_days <= 0 or not has_time_left(context):
        return False
    record = CooldownRecord.started(key, now, policy.cooldown_days)
    try:
        # Only the first answer of a survey writes: later answers find a record a moment old.
        aws.client("dynamodb").put_item(
            TableName=table,
            Item=record.to_item(),
            ConditionExpression="attribute_not_exists(#k) OR #at < :recent",
            ExpressionAttributeNames={"#k": COOLDOWN_PARTITION_KEY, "#at": COOLDOWN_SURVEYED_AT},
            ExpressionAttributeValues={":recent": serialize(record.surveyed_at - 3600)},
        )
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException":
            return False
        raise StorageError(f"cooldown record not written: {error}") from error
    except BotoCoreError as error:
        raise StorageError(f"cooldown record not written: {type(error).__name__}") from error
    return True


def _secret(context: object) -> bytes:
    arn = _required(sampling.ENV_CALLER_SECRET)
    if arn not in sampling.caller_secrets:
        if not has_time_left(context):
            raise StorageError("too little time left to read the caller-key secret")
        try:
            reply = aws.client("secretsmanager").get_secret_value(SecretId=arn)
        except (ClientError, BotoCoreError) as error:
            raise StorageError(f"caller-key secret unreadable: {type(error).__name__}") from None
        sampling.caller_secrets[arn] = str(reply["SecretString"]).encode("utf-8")
    return sampling.caller_secrets[arn]


def _surveyed_at(key: str, context: object) -> datetime | None:
    if not has_time_left(context):
        raise StorageError("too little time left to read the cooldown record")
    try:
        reply = aws.client("dynamodb").get_item(
            TableName=_required(sampling.ENV_COOLDOWN_TABLE),
            Key=CooldownRecord.key(key),
        )
    except (ClientError, BotoCoreError) as error:
        raise StorageError(f"cooldown record unreadable: {type(error).__name__}") from None
    item = reply.get("Item")
    if not item:
        return None
    try:
        record = CooldownRecord.from_item(item)
    except MalformedItemError as error:
        logger.warning("Cooldown record skipped", extra={"error": str(error)})
        return None
    # TTL deletion lags expiry by up to days: an expired record no longer counts.
    if record.expires_at <= int(datetime.now(UTC).timestamp()):
        return None
    return datetime.fromtimestamp(record.surveyed_at, UTC)


def _required(variable: str) -> str:

    value = os.environ.get(variable, "").strip()
    if not value:
        raise EnvironmentVariableError(variable, "is not set; the stack must provide it")
    return value


def _mapping(parent: object, key: str) -> Mapping[str, Any]:
    value = parent.get(key) if isinstance(parent, Mapping) else None
    return value if isinstance(value, Mapping) else {}
