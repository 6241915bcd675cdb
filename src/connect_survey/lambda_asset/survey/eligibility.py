"""Decide once, in the inbound flow, whether this caller is offered a survey.

The flow sends no parameters (the caller's number arrives in Details.ContactData.CustomerEndpoint)
and gets back a flat string map, read as $.External.<key>:
    {"eligible": "true|false", "decision": "<Decision>", "callerKey": "<hex HMAC or empty>",
     "numberWithheld": "true|false"}
`numberWithheld` is the stage's one test of a withheld number (`sampling.withheldPatterns`); the
flow keeps it on the contact, and the escalation flow promises a callback only when it is "false".
When it cannot decide (a storage error, a malformed event, a parameter not of its allowed form)
it answers as the stage's `sampling.onError` says, with decision "undecided" and a reason; when
it fails outright or times out, the flow applies the same setting. A verification event
(parameter "verification": "true", sent by `connect-survey verify`) is answered with reason
"verification" without reading or writing anything. Every AWS call is under the invocation's
absolute deadline (`deadline.py`). It never raises, and never logs or returns the number: only
its keyed hash and whether it is withheld leave this module.

The caller-key secret is cached for `sampling.SECRET_CACHE_SECONDS`. A rotation (a new AWSCURRENT
version) must not end every cooldown: while the current version is younger than the cooldown, a
caller is looked up under the current key, then under the AWSPREVIOUS one. The flow gets the
current key, so the score handler writes new records under it.
"""

from __future__ import annotations

import os
import time
from collections.abc import Mapping
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from aws_lambda_powertools.metrics import MetricUnit
from botocore.exceptions import BotoCoreError, ClientError

from . import aws, deadline, sampling
from .contact import flow_parameters
from .contract import (
    COOLDOWN_PARTITION_KEY,
    COOLDOWN_SURVEYED_AT,
    FALSE,
    PARAM_VERIFICATION,
    REASON,
    REASON_INTERNAL_ERROR,
    REASON_INVALID_PARAMETER,
    REASON_MALFORMED_EVENT,
    REASON_STORAGE_ERROR,
    REASON_VERIFICATION,
    TRUE,
)
from .exceptions import EnvironmentVariableError, MalformedItemError, StorageError
from .flow_handler import refused
from .items import CooldownRecord, serialize
from .sampling import CallerSecret, Decision, SamplingPolicy
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
        parameters = flow_parameters(event)
        if refused(parameters):
            return _undecided(REASON_INVALID_PARAMETER, withheld=withheld)
        if parameters.get(PARAM_VERIFICATION, "").strip() == TRUE:
            return _verification()
        with deadline.invocation(context):
            return _decide(None if withheld else number)
    except (StorageError, EnvironmentVariableError) as error:
        logger.error("Eligibility not decided", extra={"error": str(error)})
        return _undecided(REASON_STORAGE_ERROR, withheld=withheld)
    except Exception:
        logger.exception("Eligibility failed unexpectedly")
        return _undecided(REASON_INTERNAL_ERROR, withheld=withheld)


def _decide(number: str | None) -> dict[str, str]:
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
        secret = _secret(policy.cooldown_days)
        key = sampling.caller_key(number, secret.current)
        cooling = policy.cooldown_days > 0 and _in_cooldown(number, secret, policy.cooldown_days)
        decision = Decision.COOLDOWN if cooling else Decision.OFFER
    eligible = decision is Decision.OFFER
    return _answer(decision, eligible=eligible, caller_key=key, withheld=number is None)


def _undecided(reason: str, *, withheld: bool) -> dict[str, str]:
    eligible = _policy_or_default().on_error == sampling.OFFER
    answer = _answer(Decision.UNDECIDED, eligible=eligible, caller_key="", withheld=withheld)
    return {**answer, REASON: reason}


def _verification() -> dict[str, str]:
    """A deploy check's answer, the same whatever number it names: nothing read (it learns
    nothing about any caller), no decision counted (it is no caller), no callback promised."""
    logger.info("Verification event answered")
    return {
        sampling.ELIGIBLE: FALSE,
        sampling.DECISION: Decision.UNDECIDED.value,
        sampling.CALLER_KEY: "",
        sampling.NUMBER_WITHHELD: TRUE,
        REASON: REASON_VERIFICATION,
    }


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


def remember_caller(key: str, now: datetime) -> bool:
    """Start the cooldown of the caller known by `key` (of the form sampling.is_caller_key) at
    `now` (the score handler on an answer; a sweeper completing one); False when there is nothing
    to write (no cooldown, or a record started within the hour), StorageError when not written."""
    table = os.environ.get(sampling.ENV_COOLDOWN_TABLE, "").strip()
    text = os.environ.get(sampling.ENV_SAMPLING, "").strip()
    if not table or not text:
        return False
    policy = SamplingPolicy.from_env(text)
    if policy.cooldown_days <= 0:
        return False
    record = CooldownRecord.started(key, now, policy.cooldown_days)
    try:
        # Only the first answer of a survey writes: later answers find a record a moment old.
        deadline.call(
            aws.client("dynamodb").put_item,
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
    except (BotoCoreError, StorageError) as error:
        raise StorageError(f"cooldown record not written: {type(error).__name__}") from error
    return True


def _secret(cooldown_days: int) -> CallerSecret:
    """The caller-key secret, read at most every SECRET_CACHE_SECONDS per process. When Secrets
    Manager cannot be read, the secret read before serves another period."""
    arn = _required(sampling.ENV_CALLER_SECRET)
    cached = sampling.caller_secrets.get(arn)
    now = time.monotonic()
    if cached is not None and now - cached.read_at < sampling.SECRET_CACHE_SECONDS:
        return cached
    try:
        secret = _read_secret(arn, cooldown_days, now)
    except StorageError:
        if cached is None:
            raise
        logger.warning("Caller-key secret unreadable; keeping the one read before")
        secret = replace(cached, read_at=now)
    sampling.caller_secrets[arn] = secret
    return secret


def _read_secret(arn: str, cooldown_days: int, now: float) -> CallerSecret:
    """The current version, and the previous one while the current is younger than the cooldown
    (a record keyed by the previous one may still be in its cooldown)."""
    current = _secret_version(arn, "AWSCURRENT")
    if current is None:
        raise StorageError("caller-key secret has no AWSCURRENT version")
    text, created = current
    previous = None
    if datetime.now(UTC) - created < timedelta(days=cooldown_days):
        found = _secret_version(arn, "AWSPREVIOUS")
        previous = None if found is None else found[0].encode("utf-8")
    return CallerSecret(text.encode("utf-8"), previous, read_at=now)


def _secret_version(arn: str, stage: str) -> tuple[str, datetime] | None:
    """The secret's text and creation time under version `stage`; None when no version has it."""
    try:
        reply = deadline.call(
            aws.client("secretsmanager").get_secret_value, SecretId=arn, VersionStage=stage
        )
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") == "ResourceNotFoundException":
            return None
        raise StorageError(f"caller-key secret unreadable: {type(error).__name__}") from None
    except (BotoCoreError, StorageError) as error:
        raise StorageError(f"caller-key secret unreadable: {type(error).__name__}") from None
    created = reply.get("CreatedDate")
    if not isinstance(created, datetime):
        created = datetime.now(UTC)  # unknown: treat the version as new, so previous counts
    return str(reply["SecretString"]), created


def _in_cooldown(number: str, secret: CallerSecret, cooldown_days: int) -> bool:
    """Whether the caller answered within the cooldown, under the current key or, during a
    rotation, the previous one."""
    now = datetime.now(UTC)
    for key_secret in (secret.current, secret.previous):
        if key_secret is None:
            continue
        surveyed_at = _surveyed_at(sampling.caller_key(number, key_secret))
        if sampling.in_cooldown(surveyed_at, now, cooldown_days):
            return True
    return False


def _surveyed_at(key: str) -> datetime | None:
    try:
        reply = deadline.call(
            aws.client("dynamodb").get_item,
            TableName=_required(sampling.ENV_COOLDOWN_TABLE),
            Key=CooldownRecord.key(key),
        )
    except (ClientError, BotoCoreError, StorageError) as error:
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
