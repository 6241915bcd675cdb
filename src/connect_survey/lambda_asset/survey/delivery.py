"""Sending the alerts of one stream batch, ten contacts at a time: claim, send, settle.

For each group of ALERT_GROUP_CONTACTS contacts: claim each contact's due channels with one write
(its outbox item replaced as read; from what is stored when it changed since), then hand every
registered channel (`channels.CHANNELS`, in order) the alerts claimed on it (SNS PublishBatch,
EventBridge PutEvents: one call of one SDK attempt for the group). A group's sends follow its
claims within seconds, and a channel sends only while its claims outlive its sends. Every two
groups, the contacts sent are settled: sentAt for what was sent, claims given back for what
certainly was not, and claims kept (to expire) for what may have left; with one BatchWriteItem for
the contacts our live claims make us the only writer of, else with one conditional write each.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from . import outbox
from .budget import ALERT_GROUP_CONTACTS
from .channels import CHANNELS, Outcome
from .exceptions import StorageError
from .outbox import CLAIMED, ClaimResult, Claims
from .telemetry import Metric, count, logger

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping, Sequence
    from datetime import datetime

    from .alerts import LowScoreAlert
    from .channels import Channel


@dataclass
class Pending:
    """One contact's alert on its way: what is due, what we claimed, what each send gave."""

    alert: LowScoreAlert
    stored: Mapping[str, object]  # its outbox item as read ({} when none)
    due: Sequence[str]  # channels not recorded as sent when read
    claims: Claims | None = None
    claimed_at_ms: int = 0
    outcomes: dict[str, Outcome] = field(default_factory=dict)

    @property
    def contact_id(self) -> str:
        return self.alert.contact_id

    def holds(self, channel: str) -> bool:
        return self.claims is not None and self.claims.results.get(channel) in CLAIMED

    def sent(self) -> list[str]:
        return [c for c, outcome in self.outcomes.items() if outcome is Outcome.SENT]

    def released(self) -> list[str]:
        """Channels certainly not sent: their claims go back, so a retry sends at once.

        Not a claim we took over: its previous sender may have sent, and only the claim tells the
        next sender so (it expires, and the resend that takes it over is counted).
        """
        return [
            c
            for c, outcome in self.outcomes.items()
            if outcome is Outcome.FAILED
            and self.claims is not None
            and self.claims.results.get(c) is not ClaimResult.TAKEN_OVER
        ]


@dataclass
class Delivery:
    """One invocation's sending: its claim token, clock, table and time check."""

    table: str
    retention_days: int
    token: str
    now: Callable[[], datetime]
    has_time_left: Callable[[], bool]

    def deliver(self, pending: Sequence[Pending]) -> set[str]:
        """Send every pending alert; the contacts with nothing left to retry."""
        done: set[str] = set()
        sent: list[Pending] = []  # sent, not yet settled: settled together, up to one batch write
        for first in range(0, len(pending), ALERT_GROUP_CONTACTS):
            group = [p for p in pending[first : first + ALERT_GROUP_CONTACTS] if self._claim(p)]
            for channel in CHANNELS:
                self._send(channel, [p for p in group if p.holds(channel.name)])
            sent.extend(group)
            last = first + ALERT_GROUP_CONTACTS >= len(pending)
            if last or len(sent) + ALERT_GROUP_CONTACTS > outbox.BATCH_WRITE_ITEMS:
                recorded = self._record_leased(sent)
                done.update(p.contact_id for p in sent if self._settle(p, recorded))
                sent = []
        return done

    def _record_leased(self, group: Sequence[Pending]) -> set[str]:
        """Settle with one BatchWriteItem the contacts whose item only we can write now: every
        channel sent or claimed by us, each claim with LEASE_SPARE_SECONDS still to live."""
        now = self.now()
        spare_until = outbox.epoch_ms(now) + outbox.LEASE_SPARE_SECONDS * 1000
        items = {
            p.contact_id: outbox.settled_item(
                p.claims, sent=p.sent(), released=p.released(), token=self.token, now=now
            )
            for p in group
            if p.claims is not None
            and p.claims.item
            and (p.sent() or p.released())
            and all(result is not ClaimResult.BUSY for result in p.claims.results.values())
            and p.claimed_at_ms + outbox.CLAIM_SECONDS * 1000 >= spare_until
        }
        if not items:
            return set()
        try:
            unprocessed = outbox.put_leased(self.table, list(items.values()))
        except StorageError as error:  # whatever it wrote, the conditional settle finds out
            logger.warning("Alert outcomes not written together", extra={"error": str(error)})
            return set()
        return set(items) - set(unprocessed)

    def _claim(self, pending: Pending) -> bool:
        """Claim the contact's due channels; False when it must be retried without sending."""
        if not self.has_time_left():
            return False
        now = self.now()
        try:
            claims = outbox.claim_as_read(
                self.table, pending.stored, pending.contact_id, pending.due, token=self.token,
                now=now, retention_days=self.retention_days,
            )  # fmt: skip
            if claims is None:  # the item changed since it was read: claim from what is stored
                # (a claim it showed as another's is taken over when won, even if the write's
                # old image shows ours: our claim whose reply was lost took it over)
                results = outbox.claim_channels(
                    self.table, pending.contact_id, pending.due, token=self.token, now=now,
                    retention_days=self.retention_days, read=pending.stored,
                )  # fmt: skip
                claims = Claims(results, {})
        except StorageError as error:
            logger.error("Alert not claimed", extra={"contactId": pending.contact_id,
                                                     "error": str(error)})  # fmt: skip
            count(Metric.STORAGE_ERROR)
            return False
        pending.claims, pending.claimed_at_ms = claims, outbox.epoch_ms(now)
        return True

    def _send(self, channel: Channel, group: Sequence[Pending]) -> None:
        """The group's claims on `channel` that outlive its sends, sent; the others never are."""
        deadline = outbox.epoch_ms(self.now()) + round(channel.send_seconds(len(group)) * 1000)
        live = [p for p in group if p.claimed_at_ms + outbox.CLAIM_SECONDS * 1000 > deadline]
        for stale in (p for p in group if p not in live):  # never attempted: certainly not sent
            stale.outcomes[channel.name] = Outcome.FAILED
        if not live:
            return
        outcomes = channel.send([p.alert for p in live])
        for p in live:
            outcome = outcomes.get(p.contact_id, Outcome.MAYBE_SENT)
            p.outcomes[channel.name] = outcome
            if outcome is Outcome.SENT:
                count(Metric.ALERT_PUBLISHED)
                if p.claims and p.claims.results[channel.name] is ClaimResult.TAKEN_OVER:
                    count(Metric.ALERT_POSSIBLE_DUPLICATE)  # its previous sender may have sent it
                continue
            count(Metric.ALERT_ERROR)
            # Maybe sent: the claim stays until it expires, then a retry sends again (a duplicate
            # if this one did leave); sending again at once would duplicate without waiting.
            logger.error("Alert not sent", extra={"channel": channel.name, "outcome": outcome,
                                                  "contactId": p.contact_id})  # fmt: skip

    def _settle(self, pending: Pending, recorded: set[str]) -> bool:
        """Record what was sent and give back what certainly was not (unless `recorded` already
        holds the contact); True when every channel is sent."""
        claims = pending.claims
        if claims is None:
            return False
        sent, released = pending.sent(), pending.released()
        try:
            if (sent or released) and pending.contact_id not in recorded:
                self._record(pending, claims, sent, released)
        except StorageError as error:
            logger.error("Alert outcome not recorded", extra={"contactId": pending.contact_id,
                                                              "error": str(error)})  # fmt: skip
            count(Metric.STORAGE_ERROR)
            return False
        if sent:
            logger.info("Alert sent", extra={"contactId": pending.contact_id, "channels": sent,
                                             "alertId": pending.alert.alert_id})  # fmt: skip
        busy = [c for c, result in claims.results.items() if result is ClaimResult.BUSY]
        if busy:
            logger.info("Alert claimed by another sender", extra={"channels": busy})
        return all(
            result is ClaimResult.SENT or pending.outcomes.get(channel) is Outcome.SENT
            for channel, result in claims.results.items()
        )

    def _record(
        self, pending: Pending, claims: Claims, sent: Sequence[str], released: Sequence[str]
    ) -> None:
        now = self.now()
        if claims.item and outbox.settle_as_claimed(
            claims, self.table, sent=sent, released=released, token=self.token, now=now
        ):
            return
        # Claimed from what was stored, or the item changed since our claim (taken over).
        if sent:
            outbox.mark_channels_sent(self.table, pending.contact_id, sent, token=self.token,
                                      now=now)  # fmt: skip
        for channel in released:
            try:
                outbox.release(self.table, pending.contact_id, channel, token=self.token)
            except StorageError as error:
                # The claim expires by itself; the retry then sends (counted as a duplicate).
                logger.error("Alert claim kept", extra={"channel": channel, "error": str(error)})
