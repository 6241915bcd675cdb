"""Sending the alerts of one stream batch, ten contacts at a time: claim, send, settle.

For each group of ALERT_GROUP_CONTACTS contacts: claim each contact's due channels with one write
(its outbox item replaced as read; from what is stored when it changed since), then hand every
registered channel (`channels.CHANNELS`, in order) the alerts claimed on it (SNS PublishBatch,
EventBridge PutEvents: one call of one SDK attempt for the group). A group's sends follow its
claims within seconds, and a channel sends only while its claims outlive its sends. Every two
groups, the contacts sent are settled: sentAt for what was sent, claims given back for what
certainly was not, and claims kept (to expire) for what may have left; with one BatchWriteItem for
the contacts our live claims make us the only writer of, else with one conditional write each.

Outcomes whose write failed are written again while time allows (`_record_again`), and claims
other senders alone left live are waited out when it allows (`_wait_out`): alert.py says what
that makes the answer, the dead letters and AlertPossibleDuplicate mean.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Final

from . import outbox, results
from .budget import ALERT_GROUP_CONTACTS
from .channels import CHANNELS, Outcome
from .contract import OUTBOX_SORT_KEY
from .exceptions import StorageError
from .outbox import CLAIMED, ClaimResult, Claims
from .telemetry import Metric, count, logger

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping, Sequence
    from datetime import datetime

    from .alerts import LowScoreAlert
    from .budget import AlertBudget
    from .channels import Channel

# Outcomes whose write failed are written again after these pauses, while the invocation has time.
RECORD_AGAIN_AFTER_SECONDS: Final = (1.0, 2.0, 4.0)
# A claim is waited out until this long past its expiry (clocks of two invocations may differ).
PAST_EXPIRY_MS: Final = 100


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

    def kept(self) -> list[str]:
        """The channels others' live claims kept from us, when all else is sent."""
        if self.claims is None:
            return []
        results = self.claims.results
        busy = [c for c, result in results.items() if result is ClaimResult.BUSY]
        unsent = [
            c
            for c, result in results.items()
            if result is not ClaimResult.SENT and self.outcomes.get(c) is not Outcome.SENT
        ]
        return busy if busy and unsent == busy else []

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
    """One invocation's sending: its claim token, clock, table and time."""

    table: str
    retention_days: int
    token: str
    budget: AlertBudget
    now: Callable[[], datetime]
    sleep: Callable[[float], None]
    remaining_ms: Callable[[], float | None]  # the invocation's time left; None when unknown
    _unrecorded: list[Pending] = field(default_factory=list, init=False)

    def deliver(self, pending: Sequence[Pending]) -> set[str]:
        """Send every pending alert; the contacts with nothing left to retry: each channel's
        alert sent, whether or not writing so succeeded (retrying could only send it again)."""
        done = self._deliver_groups(pending)
        done |= self._wait_out([p for p in pending if p.contact_id not in done and p.kept()])
        self._record_again()
        return done

    def has_time(self, after_ms: float = 0) -> bool:
        """Whether a group's claim, sends and record still fit, `after_ms` from now."""
        left = self.remaining_ms()
        return left is None or left - after_ms >= self.budget.margin_ms

    def _deliver_groups(self, pending: Sequence[Pending]) -> set[str]:
        done: set[str] = set()
        sent: list[Pending] = []  # sent, not yet settled: settled together, up to one batch write
        channels = CHANNELS.active()
        for first in range(0, len(pending), ALERT_GROUP_CONTACTS):
            group = [p for p in pending[first : first + ALERT_GROUP_CONTACTS] if self._claim(p)]
            for channel in channels:
                self._send(channel, [p for p in group if p.holds(channel.name)])
            sent.extend(group)
            last = first + ALERT_GROUP_CONTACTS >= len(pending)
            if last or len(sent) + ALERT_GROUP_CONTACTS > outbox.BATCH_WRITE_ITEMS:
                recorded = self._record_leased(sent)
                done.update(p.contact_id for p in sent if self._settle(p, recorded))
                sent = []
        return done

    def _wait_out(self, kept: Sequence[Pending]) -> set[str]:
        """Send what others' live claims alone kept from us once they expire, if the invocation
        knows it has the time to wait (never without a deadline); the contacts done."""
        if not kept or self.remaining_ms() is None:
            return set()
        try:
            stored = results.read_contacts(
                self.table, [p.contact_id for p in kept], [OUTBOX_SORT_KEY]
            )
        except StorageError as error:
            logger.warning("Claims not read; the stream retries", extra={"error": str(error)})
            return set()
        done: set[str] = set()
        again: list[Pending] = []
        until_ms = 0
        for p in kept:
            if p.contact_id not in stored:
                continue
            item = next(iter(stored[p.contact_id]), {})
            due = [c for c in p.kept() if not outbox.channel_state(item, c).sent_at]
            if not due:  # its holders recorded it sent meanwhile
                done.add(p.contact_id)
                continue
            for channel in due:
                state = outbox.channel_state(item, channel)
                if state.claim_token not in (None, self.token) and state.claim_expires_ms:
                    until_ms = max(until_ms, state.claim_expires_ms + PAST_EXPIRY_MS)
            again.append(Pending(alert=p.alert, stored=item, due=due))
        wait_ms = until_ms - outbox.epoch_ms(self.now())
        if again and wait_ms > 0:
            if not self.has_time(after_ms=wait_ms):
                return done
            logger.info("Waiting out claims another sender left",
                        extra={"contacts": len(again), "waitMs": wait_ms})  # fmt: skip
            self.sleep(wait_ms / 1000)
        return done | self._deliver_groups(again)

    def _record_again(self) -> None:
        """Write again the outcomes whose write failed, after a pause, while time allows; what
        stays unwritten keeps its claims, which expire (their takeover is then counted)."""
        for pause in RECORD_AGAIN_AFTER_SECONDS:
            left = self.remaining_ms()
            if not self._unrecorded or left is None:
                break
            if left - pause * 1000 < self.budget.storage_call_seconds * 1000 * 2:
                break
            self.sleep(pause)
            failed, self._unrecorded = self._unrecorded, []
            for pending in failed:
                self._write_outcome(pending, set(), again=True)
        for pending in self._unrecorded:
            logger.error(
                "Alert outcome left unrecorded: its claims expire",
                extra={"contactId": pending.contact_id, "outcomes": dict(pending.outcomes)},
            )

    def _record_leased(self, group: Sequence[Pending]) -> set[str]:
        """Settle with one BatchWriteItem the contacts whose item only we can write now: every
        channel sent or claimed by us, each claim with LEASE_SPARE_SECONDS still to live."""
        now = self.now()
        spare_until = outbox.epoch_ms(now) + outbox.LEASE_SPARE_SECONDS * 1000
        items = {
            p.contact_id: outbox.settled_item(
                p.claims,
                sent=p.sent(),
                released=p.released(),
                token=self.token,
                now=now,
                channels=CHANNELS.active_names(),
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
        if not self.has_time():
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
            # A send after a takeover: its previous sender may have sent it already.
            taken_over = bool(p.claims and p.claims.results[channel.name] is ClaimResult.TAKEN_OVER)
            channel.record(p.alert, outcome, taken_over=taken_over)
            if outcome is Outcome.SENT:
                continue
            # Maybe sent: the claim stays until it expires, then a retry sends again (a duplicate
            # if this one did leave); sending again at once would duplicate without waiting.
            logger.error("Alert not sent", extra={"channel": channel.name, "outcome": outcome,
                                                  "contactId": p.contact_id})  # fmt: skip

    def _settle(self, pending: Pending, recorded: set[str]) -> bool:
        """Record what was sent and give back what certainly was not (unless `recorded` already
        holds the contact); True when every channel is sent, recorded or not."""
        claims = pending.claims
        if claims is None:
            return False
        self._write_outcome(pending, recorded)
        sent = pending.sent()
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

    def _write_outcome(self, pending: Pending, recorded: set[str], *, again: bool = False) -> None:
        """Write the contact's outcomes; when that fails, keep it to be written again."""
        sent, released = pending.sent(), pending.released()
        if pending.claims is None or not (sent or released) or pending.contact_id in recorded:
            return
        try:
            self._record(pending, pending.claims, sent, released)
        except StorageError as error:
            if not again:
                logger.error(
                    "Alert outcome not recorded; written again while time allows",
                    extra={"contactId": pending.contact_id, "error": str(error)},
                )
                count(Metric.STORAGE_ERROR)
            self._unrecorded.append(pending)

    def _record(
        self, pending: Pending, claims: Claims, sent: Sequence[str], released: Sequence[str]
    ) -> None:
        now = self.now()
        if claims.item and outbox.settle_as_claimed(
            claims, self.table, sent=sent, released=released, token=self.token, now=now,
            channels=CHANNELS.active_names(),
        ):  # fmt: skip
            return
        # Claimed from what was stored, or the item changed since our claim (taken over).
        if sent:
            outbox.mark_channels_sent(self.table, pending.contact_id, sent, token=self.token,
                                      now=now)  # fmt: skip
        for channel in released:
            outbox.release(self.table, pending.contact_id, channel, token=self.token)
