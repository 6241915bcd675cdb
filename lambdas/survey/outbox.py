"""The outbox's state on the contact's summary item: who is sending each alert channel, and when
it was sent.

A channel is sent by whoever holds its claim. A claim carries a token unique to one invocation,
so the SDK's retry of our own claim write (whose first reply was lost) is recognised as ours, and
an expiry, so the claim of an invocation that crashed mid-send passes to the next one. `sentAt`
per channel ends the story: a sent channel is never claimed again.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Final

from .contract import (
    CLAIM_EXPIRES_AT,
    CLAIM_TOKEN,
    SUMMARY_ALERT_CLAIM_PREFIX,
    SUMMARY_ALERT_SENT_PREFIX,
    SUMMARY_SORT_KEY,
    TABLE_PARTITION_KEY,
    TABLE_SORT_KEY,
    TABLE_TTL_ATTRIBUTE,
)
from .results import CONDITION_FAILED, call, expires_at, iso

if TYPE_CHECKING:
    from datetime import datetime

# A claim outlives the longest send (one publish attempt) several times over, and is short enough
# that the stream's next retry finds a crashed sender's claim expired.
CLAIM_SECONDS: Final = 20


class ClaimResult(StrEnum):
    """What a claim attempt found."""

    WON = "won"  # ours now: send it
    TAKEN_OVER = "taken_over"  # ours now, from a sender that may have sent it already
    SENT = "sent"  # already sent: nothing to do
    BUSY = "busy"  # another sender holds a live claim: try again later


@dataclass(frozen=True)
class ChannelState:
    """One channel's outbox state as stored: when it was sent, and who claims it until when."""

    sent_at: str | None
    claim_token: str | None
    claim_expires_ms: int | None


def claim_attribute(channel: str) -> str:
    return f"{SUMMARY_ALERT_CLAIM_PREFIX}{channel}"


def sent_attribute(channel: str) -> str:
    return f"{SUMMARY_ALERT_SENT_PREFIX}{channel}"


def summary_key(contact_id: str) -> dict[str, Any]:
    return {TABLE_PARTITION_KEY: {"S": contact_id}, TABLE_SORT_KEY: {"S": SUMMARY_SORT_KEY}}


def claim(
    table: str,
    contact_id: str,
    channel: str,
    *,
    token: str,
    now: datetime,
    retention_days: int,
) -> ClaimResult:
    """Claim `channel` for the invocation holding `token`, unless it is sent or claimed live."""
    now_ms = _epoch_ms(now)
    response = call(
        "update_item",
        TableName=table,
        Key=summary_key(contact_id),
        UpdateExpression="SET #claim = :claim, #ttl = if_not_exists(#ttl, :ttl)",
        ConditionExpression=(
            "attribute_not_exists(#sent) AND (attribute_not_exists(#claim)"
            " OR #claim.#token = :token OR #claim.#expires < :now)"
        ),
        ExpressionAttributeNames={
            "#claim": claim_attribute(channel),
            "#sent": sent_attribute(channel),
            "#token": CLAIM_TOKEN,
            "#expires": CLAIM_EXPIRES_AT,
            "#ttl": TABLE_TTL_ATTRIBUTE,
        },
        ExpressionAttributeValues={
            ":claim": {
                "M": {
                    CLAIM_TOKEN: {"S": token},
                    CLAIM_EXPIRES_AT: {"N": str(now_ms + CLAIM_SECONDS * 1000)},
                }
            },
            ":token": {"S": token},
            ":now": {"N": str(now_ms)},
            ":ttl": {"N": str(expires_at(now, retention_days))},
        },
        ReturnValues="UPDATED_OLD",
        tolerate=CONDITION_FAILED,
    )
    if response is None:
        state = read_state(table, contact_id, channel)
        return ClaimResult.SENT if state.sent_at else ClaimResult.BUSY
    old = response.get("Attributes", {}).get(claim_attribute(channel), {}).get("M", {})
    old_token = old.get(CLAIM_TOKEN, {}).get("S")
    return ClaimResult.TAKEN_OVER if old_token and old_token != token else ClaimResult.WON


def mark_sent(table: str, contact_id: str, channel: str, *, token: str, now: datetime) -> None:
    """Record that `channel` was sent and drop our claim (someone who took it over keeps theirs)."""
    call(
        "update_item",
        TableName=table,
        Key=summary_key(contact_id),
        UpdateExpression="SET #sent = if_not_exists(#sent, :now) REMOVE #claim",
        ConditionExpression="#claim.#token = :token",
        ExpressionAttributeNames={
            "#sent": sent_attribute(channel),
            "#claim": claim_attribute(channel),
            "#token": CLAIM_TOKEN,
        },
        ExpressionAttributeValues={":now": {"S": iso(now)}, ":token": {"S": token}},
        tolerate=CONDITION_FAILED,
    )


def release(table: str, contact_id: str, channel: str, *, token: str) -> None:
    """Give our claim back after a send that certainly failed, so a retry sends at once."""
    call(
        "update_item",
        TableName=table,
        Key=summary_key(contact_id),
        UpdateExpression="REMOVE #claim",
        ConditionExpression="#claim.#token = :token",
        ExpressionAttributeNames={"#claim": claim_attribute(channel), "#token": CLAIM_TOKEN},
        ExpressionAttributeValues={":token": {"S": token}},
        tolerate=CONDITION_FAILED,
    )


def read_state(table: str, contact_id: str, channel: str) -> ChannelState:
    item = call("get_item", TableName=table, Key=summary_key(contact_id), ConsistentRead=True).get(
        "Item", {}
    )
    held = item.get(claim_attribute(channel), {}).get("M", {})
    expires = held.get(CLAIM_EXPIRES_AT, {}).get("N")
    return ChannelState(
        sent_at=item.get(sent_attribute(channel), {}).get("S"),
        claim_token=held.get(CLAIM_TOKEN, {}).get("S"),
        claim_expires_ms=int(expires) if expires else None,
    )


def _epoch_ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)
