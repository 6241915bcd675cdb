"""The outbox's state on the contact's outbox item: who is sending each alert channel, and when
it was sent.

A channel is sent by whoever holds its claim. A claim carries a token unique to one invocation,
so the SDK's retry of our own claim write (whose first reply was lost) is recognised as ours, and
an expiry, so the claim of an invocation that crashed mid-send passes to the next one. `sentAt`
per channel ends the story: a sent channel is never claimed again.

The usual claim replaces the item as read with one conditional PutItem (optimistic locking on
its version: `claim_as_read`). The usual settle (sentAt, claims given back) writes the items of
many contacts with one BatchWriteItem, only while our live claims make us their only possible
writer (`put_leased`); otherwise one conditional PutItem of the item as claimed
(`settle_as_claimed`). When an item changed since it was read, conditional UpdateItems work from
what is stored (`claim_channels`, `mark_channels_sent`, `release`). Every write raises the
version, so no way can overwrite another's.

The first claim also marks the item for the sweeper (PendingWork.ALERT, since when), and the
write recording its last channel as sent removes the mark: the sparse index then holds exactly
the contacts with a channel unsent (a mark left after a fallback write is cleared by the sweeper).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Final

from .contract import (
    CLAIM_EXPIRES_AT,
    CLAIM_TOKEN,
    OUTBOX_VERSION,
    PENDING_SINCE,
    PENDING_WORK,
    TABLE_TTL_ATTRIBUTE,
    PendingWork,
)
from .items import (
    Claim,
    OutboxItem,
    claim_attribute,
    claims_of,
    contact_of,
    sent_attribute,
    serialize,
)
from .results import CONDITION_FAILED, call, expires_at, iso

if TYPE_CHECKING:
    from collections.abc import Collection, Mapping, Sequence
    from datetime import datetime

# A claim outlives one claim write and the two sends after it (one attempt each) several times
# over, and is short enough that the stream's next retry finds a crashed sender's claim expired.
CLAIM_SECONDS: Final = 20
# A claim is settled with the unconditional batch write only while it has this long to live: the
# write (two attempts of the call path's bounds, 5 s at worst) lands well before anyone else may
# take the claim over.
LEASE_SPARE_SECONDS: Final = 10
# BatchWriteItem takes at most 25 put or delete requests.
BATCH_WRITE_ITEMS: Final = 25


class ClaimResult(StrEnum):
    """What a claim attempt found."""

    WON = "won"  # ours now: send it
    TAKEN_OVER = "taken_over"  # ours now, from a sender that may have sent it already
    SENT = "sent"  # already sent: nothing to do
    BUSY = "busy"  # another sender holds a live claim: try again later


CLAIMED: Final = frozenset({ClaimResult.WON, ClaimResult.TAKEN_OVER})


@dataclass(frozen=True)
class ChannelState:
    """One channel's outbox state as stored: when it was sent, and who claims it until when."""

    sent_at: str | None
    claim_token: str | None
    claim_expires_ms: int | None


@dataclass(frozen=True)
class Claims:
    """What one claim write gave: each channel's result, and the outbox item as written."""

    results: dict[str, ClaimResult]
    # {} when nothing was written (every channel sent or busy), or the claim was an UpdateItem
    item: dict[str, Any]


__all__ = ["claim_attribute", "sent_attribute"]  # the item's attribute names, for expressions


def outbox_key(contact_id: str) -> dict[str, Any]:
    return OutboxItem.key(contact_id)


def claim_as_read(
    table: str,
    item: Mapping[str, Any],
    contact_id: str,
    channels: Sequence[str],
    *,
    token: str,
    now: datetime,
    retention_days: int,
) -> Claims | None:
    """Claim the free channels with one PutItem of the item as read; None when it changed since.

    What each channel gets is decided from `item` (read consistently); the write holds only if
    nobody wrote the item in between (its version unchanged).
    """
    now_ms = epoch_ms(now)
    results: dict[str, ClaimResult] = {}
    stored = _outbox(item) or OutboxItem(contact_id)
    claims = dict(stored.claims)
    for channel in channels:
        state = channel_state(item, channel)
        if state.sent_at:
            results[channel] = ClaimResult.SENT
        elif state.claim_token in (None, token):
            results[channel] = ClaimResult.WON
        elif state.claim_expires_ms is not None and state.claim_expires_ms < now_ms:
            results[channel] = ClaimResult.TAKEN_OVER
        else:
            results[channel] = ClaimResult.BUSY
        if results[channel] in CLAIMED:
            claims[channel] = _claim(token, now_ms)
    if not any(result in CLAIMED for result in results.values()):
        return Claims(results, {})
    claimed = replace(
        stored,
        claims=claims,
        expires_at=expires_at(now, retention_days),
        pending_since=stored.pending_since or iso(now),
    )
    written = claimed.to_item()
    return Claims(results, written) if _put_as_read(table, item, written) else None


def settle_as_claimed(
    claims: Claims,
    table: str,
    *,
    sent: Sequence[str],
    released: Sequence[str],
    token: str,
    now: datetime,
    channels: Collection[str],
) -> bool:
    """Record `sent` as sent and give `released` back, with one PutItem of the item as claimed;
    False when the item changed since the claim (someone took a claim over)."""
    written = settled_item(
        claims, sent=sent, released=released, token=token, now=now, channels=channels
    )
    return _put_as_read(table, claims.item, written)


def settled_item(
    claims: Claims,
    *,
    sent: Sequence[str],
    released: Sequence[str],
    token: str,
    now: datetime,
    channels: Collection[str],
) -> dict[str, Any]:
    """The item as claimed, with `sent` recorded as sent and our claims on `sent` and `released`
    given back, one version on; unmarked for the sweeper once every one of `channels` is sent."""
    claimed = OutboxItem.from_item(claims.item)
    sent_at = {**dict.fromkeys(sent, iso(now)), **claimed.sent}
    given_back = {*sent, *released}
    kept = {
        channel: claim
        for channel, claim in claimed.claims.items()
        if channel not in given_back or claim.token != token
    }
    version = (claimed.version or 0) + 1
    pending = None if set(channels) <= set(sent_at) else claimed.pending_since
    return replace(
        claimed, sent=sent_at, claims=kept, version=version, pending_since=pending
    ).to_item()


def put_leased(table: str, items: Sequence[dict[str, Any]]) -> list[str]:
    """Write settled items with one BatchWriteItem (unconditional) per BATCH_WRITE_ITEMS; the
    contacts whose items DynamoDB left unprocessed.

    Only for items whose every unsent channel we hold by a live claim, with time to spare: every
    other write to an outbox item is conditional on its version, on a claim token or on an expired
    claim, so while those claims live nobody else can write the item.
    """
    left: list[str] = []
    for first in range(0, len(items), BATCH_WRITE_ITEMS):
        chunk = items[first : first + BATCH_WRITE_ITEMS]
        response = call(
            "batch_write_item",
            RequestItems={table: [{"PutRequest": {"Item": item}} for item in chunk]},
        )
        unprocessed = response.get("UnprocessedItems", {}).get(table, [])
        left.extend(contact_of(r["PutRequest"]["Item"]) for r in unprocessed)
    return left


def _put_as_read(table: str, read: Mapping[str, Any], item: dict[str, Any]) -> bool:
    """Write `item` in place of `read`, unless the stored item's version moved on since."""
    stored = _outbox(read)
    version = stored.version if stored else None
    item[OUTBOX_VERSION] = serialize((version or 0) + 1)
    condition: dict[str, Any] = {"ConditionExpression": "attribute_not_exists(#version)"}
    if version is not None:
        condition = {
            "ConditionExpression": "#version = :read",
            "ExpressionAttributeValues": {":read": serialize(version)},
        }
    response = call(
        "put_item",
        TableName=table,
        Item=item,
        ExpressionAttributeNames={"#version": OUTBOX_VERSION},
        tolerate=CONDITION_FAILED,
        **condition,
    )
    return response is not None


def claim_channels(
    table: str,
    contact_id: str,
    channels: Sequence[str],
    *,
    token: str,
    now: datetime,
    retention_days: int,
    read: Mapping[str, Any] | None = None,
) -> dict[str, ClaimResult]:
    """Claim every channel in `channels` with one conditional write, where that is possible.

    The write claims all of them or none: when one is sent or claimed live, the item is read
    and the channels still free are claimed again without it (at most once per channel).

    A channel won that another token claimed in `read` (the item as read before, by the caller)
    or in any read here is TAKEN_OVER: the write's old image cannot always tell, as it shows our
    own claim when an earlier write of ours (a claim whose reply was lost) took that one over.
    """
    results: dict[str, ClaimResult] = {}
    foreign = _foreign_claims(read or {}, channels, token)
    wanted = list(channels)
    while wanted:
        won = _claim_all(table, contact_id, wanted, token=token, now=now, days=retention_days)
        if won is not None:
            for channel in foreign.intersection(won):
                won[channel] = ClaimResult.TAKEN_OVER
            return {**results, **won}
        item = read_outbox(table, contact_id)
        foreign |= _foreign_claims(item, wanted, token)
        free = []
        for channel in wanted:
            state = channel_state(item, channel)
            if state.sent_at:
                results[channel] = ClaimResult.SENT
            elif state.claim_token not in (None, token) and (
                state.claim_expires_ms is None or state.claim_expires_ms >= epoch_ms(now)
            ):
                results[channel] = ClaimResult.BUSY
            else:
                free.append(channel)
        # Nothing changed since the failed write: someone else's state we cannot read as
        # sent or busy (a claim expiring between write and read); the stream retries.
        if len(free) == len(wanted):
            return {**results, **dict.fromkeys(free, ClaimResult.BUSY)}
        wanted = free
    return results


def _foreign_claims(item: Mapping[str, Any], channels: Sequence[str], token: str) -> set[str]:
    """The channels another token claims on `item` (live or expired)."""
    return {c for c in channels if channel_state(item, c).claim_token not in (None, token)}


def _claim_all(
    table: str, contact_id: str, channels: Sequence[str], *, token: str, now: datetime, days: int
) -> dict[str, ClaimResult] | None:
    """One conditional UpdateItem claiming every channel; None when any of them is not free."""
    now_ms = epoch_ms(now)
    names = {
        "#token": CLAIM_TOKEN,
        "#expires": CLAIM_EXPIRES_AT,
        "#ttl": TABLE_TTL_ATTRIBUTE,
        "#version": OUTBOX_VERSION,
        "#work": PENDING_WORK,
        "#since": PENDING_SINCE,
    }
    sets, conditions = [], []
    for i, channel in enumerate(channels):
        names[f"#claim{i}"], names[f"#sent{i}"] = claim_attribute(channel), sent_attribute(channel)
        sets.append(f"#claim{i} = :claim")
        conditions.append(
            f"attribute_not_exists(#sent{i}) AND (attribute_not_exists(#claim{i})"
            f" OR #claim{i}.#token = :token OR #claim{i}.#expires < :now)"
        )
    response = call(
        "update_item",
        TableName=table,
        Key=outbox_key(contact_id),
        UpdateExpression="SET " + ", ".join(sets) + ", #ttl = if_not_exists(#ttl, :ttl),"
        " #work = :work, #since = if_not_exists(#since, :since) ADD #version :one",
        ConditionExpression=" AND ".join(f"({condition})" for condition in conditions),
        ExpressionAttributeNames=names,
        ExpressionAttributeValues={
            ":claim": _claim(token, now_ms).value(),
            ":token": serialize(token),
            ":now": serialize(now_ms),
            ":ttl": serialize(expires_at(now, days)),
            ":one": serialize(1),
            ":work": serialize(PendingWork.ALERT.value),
            ":since": serialize(iso(now)),
        },
        ReturnValues="UPDATED_OLD",
        tolerate=CONDITION_FAILED,
    )
    if response is None:
        return None
    old = claims_of(response.get("Attributes", {}))
    won = {}
    for channel in channels:
        old_token = old[channel].token if channel in old else None
        taken = old_token and old_token != token
        won[channel] = ClaimResult.TAKEN_OVER if taken else ClaimResult.WON
    return won


def mark_channels_sent(
    table: str, contact_id: str, channels: Sequence[str], *, token: str, now: datetime
) -> None:
    """Record every channel in `channels` as sent with one write while we hold all their claims;
    when one was taken over, each channel on its own (its new holder records that one)."""
    if not _mark_sent_all(table, contact_id, channels, token=token, now=now) and len(channels) > 1:
        for channel in channels:
            _mark_sent_all(table, contact_id, [channel], token=token, now=now)


def _mark_sent_all(
    table: str, contact_id: str, channels: Sequence[str], *, token: str, now: datetime
) -> bool:
    names = {"#token": CLAIM_TOKEN, "#version": OUTBOX_VERSION}
    sets, removes, conditions = [], [], []
    for i, channel in enumerate(channels):
        names[f"#sent{i}"], names[f"#claim{i}"] = sent_attribute(channel), claim_attribute(channel)
        sets.append(f"#sent{i} = if_not_exists(#sent{i}, :now)")
        removes.append(f"#claim{i}")
        conditions.append(f"#claim{i}.#token = :token")
    response = call(
        "update_item",
        TableName=table,
        Key=outbox_key(contact_id),
        UpdateExpression="SET " + ", ".join(sets) + " REMOVE " + ", ".join(removes)
        + " ADD #version :one",
        ConditionExpression=" AND ".join(conditions),
        ExpressionAttributeNames=names,
        ExpressionAttributeValues={
            ":now": serialize(iso(now)), ":token": serialize(token), ":one": serialize(1)
        },
        tolerate=CONDITION_FAILED,
    )  # fmt: skip
    return response is not None


def unmark_sent(table: str, contact_id: str, channels: Sequence[str]) -> None:
    """Remove the sweeper's mark from the item if every one of `channels` is recorded as sent
    (a mark the fallback writes leave); otherwise leave the item as it is."""
    names = {"#work": PENDING_WORK, "#since": PENDING_SINCE, "#version": OUTBOX_VERSION}
    names.update({f"#sent{i}": sent_attribute(channel) for i, channel in enumerate(channels)})
    call(
        "update_item",
        TableName=table,
        Key=outbox_key(contact_id),
        UpdateExpression="REMOVE #work, #since ADD #version :one",
        ConditionExpression=" AND ".join(f"attribute_exists({name})" for name in names
                                         if name != "#version"),
        ExpressionAttributeNames=names,
        ExpressionAttributeValues={":one": serialize(1)},
        tolerate=CONDITION_FAILED,
    )  # fmt: skip


def release(table: str, contact_id: str, channel: str, *, token: str) -> None:
    """Give our claim back after a send that certainly failed, so a retry sends at once."""
    call(
        "update_item",
        TableName=table,
        Key=outbox_key(contact_id),
        UpdateExpression="REMOVE #claim ADD #version :one",
        ConditionExpression="#claim.#token = :token",
        ExpressionAttributeNames={
            "#claim": claim_attribute(channel), "#token": CLAIM_TOKEN, "#version": OUTBOX_VERSION
        },
        ExpressionAttributeValues={":token": serialize(token), ":one": serialize(1)},
        tolerate=CONDITION_FAILED,
    )  # fmt: skip


def read_outbox(table: str, contact_id: str) -> dict[str, Any]:
    """The contact's outbox item, consistently read ({} when there is none)."""
    response = call("get_item", TableName=table, Key=outbox_key(contact_id), ConsistentRead=True)
    item: dict[str, Any] = response.get("Item", {})
    return item


def channel_state(item: Mapping[str, Any], channel: str) -> ChannelState:
    """One channel's outbox state on an item (as read, or a stream record's new image)."""
    stored = _outbox(item)
    claim = stored.claims.get(channel) if stored else None
    return ChannelState(
        sent_at=stored.sent.get(channel) if stored else None,
        claim_token=claim.token if claim else None,
        claim_expires_ms=claim.expires_ms if claim else None,
    )


def _outbox(item: Mapping[str, Any]) -> OutboxItem | None:
    """The outbox item as read; None when there was none."""
    return OutboxItem.from_item(item) if item else None


def _claim(token: str, now_ms: int) -> Claim:
    return Claim(token=token, expires_ms=now_ms + CLAIM_SECONDS * 1000)


def epoch_ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)
