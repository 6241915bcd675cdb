"""The tables' items as typed models: each shape is built and parsed here alone.

The results table holds three shapes under one key schema (contact, sort key): an `Answer` per
question, the contact's `Summary` and its `OutboxItem` (the alert function's state); the cooldown
table holds one `CooldownRecord` per caller key. `to_item()` gives DynamoDB's attribute-value form
(what PutItem takes and a stream image carries), built with boto3's TypeSerializer; `from_item()`
reads it back with its TypeDeserializer and raises MalformedItemError naming the attribute at
fault, so a caller can skip the item and say why. Numbers are whole numbers throughout.

Pending-work markers (the sweeper's input; names in contract.py). When the caller's path cannot
make a side write in time, it marks the item it did write; only marked items carry `pendingWork`,
so an index on (`pendingWork`, `pendingSince`) is sparse. All values are strings (S):
  - cooldown, on an answer item, key {contactId: <ContactId>, question: <question key>}:
      pendingWork = "cooldown"; pendingSince = answeredAt (ISO-8601 UTC with milliseconds);
      pendingCallerKey = the caller key, 64 lowercase hex characters (never the number).
    Complete: put `CooldownRecord.started(pendingCallerKey, answeredAt, cooldown days)` into the
    cooldown table, leaving a record started within the hour alone (exactly what
    `eligibility.remember_caller(pendingCallerKey, answeredAt)` does), then REMOVE the three
    attributes on condition that pendingSince is unchanged.
  - summary, on the summary item, key {contactId: <ContactId>, question: "#summary"}:
      pendingWork = "summary"; pendingSince = when it was written from the contact attributes
      alone (the answers could not be read in time).
    Complete: read the contact's answer items, let each stored score replace the summary's for
    its attribute, rewrite scores, answered, lowest and status (`finish.survey_status`), then
    REMOVE pendingWork and pendingSince on the same condition.
A later handler invocation that completes the work itself clears the marker (a retried score
rewrites the answer item unmarked; a finish that read the answers REMOVEs the summary's). A
marker younger than the function timeout may belong to an invocation still running; every
completion is idempotent, so racing it is harmless.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Final, TypeVar

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer

from .contract import (
    ALERT_CLAIM_PREFIX,
    ALERT_SENT_PREFIX,
    CLAIM_EXPIRES_AT,
    CLAIM_TOKEN,
    COOLDOWN_PARTITION_KEY,
    COOLDOWN_SURVEYED_AT,
    COOLDOWN_TTL_ATTRIBUTE,
    ITEM_ATTRIBUTE,
    ITEM_CHANNEL,
    ITEM_INITIAL_CONTACT_ID,
    ITEM_INITIATION_METHOD,
    ITEM_LANGUAGE,
    ITEM_MODE,
    ITEM_QUEUE,
    ITEM_SCORE,
    OUTBOX_SORT_KEY,
    OUTBOX_VERSION,
    PENDING_CALLER_KEY,
    PENDING_SINCE,
    PENDING_WORK,
    SUMMARY_ANSWERED,
    SUMMARY_COMPLETED_AT,
    SUMMARY_LOWEST,
    SUMMARY_MODE,
    SUMMARY_SCORES,
    SUMMARY_SORT_KEY,
    SUMMARY_STATUS,
    TABLE_PARTITION_KEY,
    TABLE_QUESTION_INDEX_SORT_KEY,
    TABLE_SORT_KEY,
    TABLE_TTL_ATTRIBUTE,
    PendingWork,
)
from .exceptions import MalformedItemError
from .sampling import cooldown_expiry

if TYPE_CHECKING:
    from datetime import datetime

Item = dict[str, Any]  # attribute-value form: {"contactId": {"S": "..."}, "score": {"N": "4"}}
T = TypeVar("T")
M = TypeVar("M", bound="ItemModel")

_serializer: Final = TypeSerializer()
_deserializer: Final = TypeDeserializer()


def serialize(value: object) -> dict[str, Any]:
    """One value in attribute-value form ({"S": ...}, {"N": ...}, {"M": ...})."""
    serialized: dict[str, Any] = _serializer.serialize(value)
    return serialized


def to_item(values: Mapping[str, object]) -> Item:
    """The attribute-value form of `values`; a None value leaves its attribute out."""
    return {name: serialize(value) for name, value in values.items() if value is not None}


def result_key(contact_id: str, sort_key: str) -> Item:
    """The key of one results-table item: an answer (sort key = question), summary or outbox."""
    return to_item({TABLE_PARTITION_KEY: contact_id, TABLE_SORT_KEY: sort_key})


def contact_of(item: Mapping[str, Any]) -> str:
    """The contact a results-table item or key belongs to."""
    values = _values({TABLE_PARTITION_KEY: item.get(TABLE_PARTITION_KEY)})
    return _present(_text(values, TABLE_PARTITION_KEY), TABLE_PARTITION_KEY)


def claim_attribute(channel: str) -> str:
    """The outbox item's attribute holding the live claim on `channel`."""
    return f"{ALERT_CLAIM_PREFIX}{channel}"


def sent_attribute(channel: str) -> str:
    """The outbox item's attribute holding when `channel` was sent."""
    return f"{ALERT_SENT_PREFIX}{channel}"


class ItemModel:
    """A shape of item: written with `to_item()`, read back with `from_item()`."""

    def to_item(self) -> Item:
        raise NotImplementedError

    @classmethod
    def from_item(cls: type[M], item: Mapping[str, Any]) -> M:
        """The model of `item`; MalformedItemError naming the attribute when it is not one."""
        return cls._from_values(_values(item))

    @classmethod
    def _from_values(cls: type[M], values: Mapping[str, Any]) -> M:
        raise NotImplementedError


@dataclass(frozen=True)
class Answer(ItemModel):
    """One caller's score for one question, written by the score handler the moment it is given."""

    contact_id: str
    question: str  # the question key (the sort key)
    score: int
    attribute: str | None = None  # the contact attribute the question fills
    answered_at: str | None = None  # ISO-8601 UTC with milliseconds (the question index's key)
    expires_at: int | None = None  # epoch seconds, for DynamoDB's TTL
    # The contact's details, each only when Connect sent it.
    initial_contact_id: str | None = None
    channel: str | None = None
    initiation_method: str | None = None
    queue: str | None = None
    mode: str | None = None  # the survey mode the flow sent
    language: str | None = None  # BCP-47: the language the question was asked in
    # The caller key whose cooldown record could not be confirmed, for the sweeper (PendingWork).
    pending_cooldown: str | None = None
    pending_since: str | None = None  # ISO-8601 UTC with milliseconds

    def to_item(self) -> Item:
        pending_since = self.pending_since if self.pending_cooldown else None
        return to_item(
            {
                **_pending(PendingWork.COOLDOWN, pending_since),
                PENDING_CALLER_KEY: self.pending_cooldown,
                TABLE_PARTITION_KEY: self.contact_id,
                TABLE_SORT_KEY: self.question,
                ITEM_ATTRIBUTE: self.attribute,
                ITEM_SCORE: self.score,
                TABLE_QUESTION_INDEX_SORT_KEY: self.answered_at,
                TABLE_TTL_ATTRIBUTE: self.expires_at,
                ITEM_INITIAL_CONTACT_ID: self.initial_contact_id,
                ITEM_CHANNEL: self.channel,
                ITEM_INITIATION_METHOD: self.initiation_method,
                ITEM_QUEUE: self.queue,
                ITEM_MODE: self.mode,
                ITEM_LANGUAGE: self.language,
            }
        )

    @classmethod
    def _from_values(cls, values: Mapping[str, Any]) -> Answer:
        return cls(
            contact_id=_present(_text(values, TABLE_PARTITION_KEY), TABLE_PARTITION_KEY),
            question=_present(_text(values, TABLE_SORT_KEY), TABLE_SORT_KEY),
            score=_present(_number(values, ITEM_SCORE), ITEM_SCORE),
            attribute=_text(values, ITEM_ATTRIBUTE),
            answered_at=_text(values, TABLE_QUESTION_INDEX_SORT_KEY),
            expires_at=_number(values, TABLE_TTL_ATTRIBUTE),
            initial_contact_id=_text(values, ITEM_INITIAL_CONTACT_ID),
            channel=_text(values, ITEM_CHANNEL),
            initiation_method=_text(values, ITEM_INITIATION_METHOD),
            queue=_text(values, ITEM_QUEUE),
            mode=_text(values, ITEM_MODE),
            language=_text(values, ITEM_LANGUAGE),
            pending_cooldown=_text(values, PENDING_CALLER_KEY),
            pending_since=_pending_since(values, PendingWork.COOLDOWN),
        )


@dataclass(frozen=True)
class Summary(ItemModel):
    """The contact's finished survey, written by the finish handler (sort key SUMMARY_SORT_KEY)."""

    contact_id: str
    status: str | None = None  # complete, partial, unanswered
    mode: str | None = None
    answered: int | None = None
    scores: Mapping[str, int] = field(default_factory=dict)  # contact attribute → score
    lowest: int | None = None  # absent when nothing was answered
    completed_at: str | None = None  # ISO-8601 UTC with milliseconds: the first completion
    expires_at: int | None = None
    initial_contact_id: str | None = None
    # Channel → when it was sent, as tables written before the outbox item existed kept it.
    sent: Mapping[str, str] = field(default_factory=dict)
    # Set while the summary holds the contact attributes alone: to be completed from the answers.
    pending_since: str | None = None

    @staticmethod
    def key(contact_id: str) -> Item:
        return result_key(contact_id, SUMMARY_SORT_KEY)

    def to_item(self) -> Item:
        return to_item(
            {
                **_pending(PendingWork.SUMMARY, self.pending_since),
                TABLE_PARTITION_KEY: self.contact_id,
                TABLE_SORT_KEY: SUMMARY_SORT_KEY,
                SUMMARY_STATUS: self.status,
                SUMMARY_MODE: self.mode,
                SUMMARY_ANSWERED: self.answered,
                SUMMARY_SCORES: dict(self.scores),
                TABLE_TTL_ATTRIBUTE: self.expires_at,
                SUMMARY_LOWEST: self.lowest,
                ITEM_INITIAL_CONTACT_ID: self.initial_contact_id,
                SUMMARY_COMPLETED_AT: self.completed_at,
                **{sent_attribute(channel): at for channel, at in self.sent.items()},
            }
        )

    @classmethod
    def _from_values(cls, values: Mapping[str, Any]) -> Summary:
        _expect_sort_key(values, SUMMARY_SORT_KEY)
        scores = values.get(SUMMARY_SCORES, {})
        if not isinstance(scores, Mapping):
            raise MalformedItemError(f"{SUMMARY_SCORES}: not a map")
        return cls(
            contact_id=_present(_text(values, TABLE_PARTITION_KEY), TABLE_PARTITION_KEY),
            status=_text(values, SUMMARY_STATUS),
            mode=_text(values, SUMMARY_MODE),
            answered=_number(values, SUMMARY_ANSWERED),
            scores={
                name: _present(_number(scores, name, f"{SUMMARY_SCORES}."), name) for name in scores
            },
            lowest=_number(values, SUMMARY_LOWEST),
            completed_at=_text(values, SUMMARY_COMPLETED_AT),
            expires_at=_number(values, TABLE_TTL_ATTRIBUTE),
            initial_contact_id=_text(values, ITEM_INITIAL_CONTACT_ID),
            sent=_sent(values),
            pending_since=_pending_since(values, PendingWork.SUMMARY),
        )


@dataclass(frozen=True)
class Claim:
    """One invocation's hold on sending one channel: its token, and when the hold lapses."""

    token: str | None
    expires_ms: int | None  # epoch milliseconds

    def value(self) -> dict[str, Any]:
        """The claim as the outbox item stores it: a map."""
        return serialize({k: v for k, v in self._fields().items() if v is not None})

    def _fields(self) -> dict[str, object]:
        return {CLAIM_TOKEN: self.token, CLAIM_EXPIRES_AT: self.expires_ms}

    @classmethod
    def from_value(cls, value: object, name: str) -> Claim:
        """The claim stored under attribute `name` (as a Python map)."""
        if not isinstance(value, Mapping):
            raise MalformedItemError(f"{name}: not a map")
        where = f"{name}."
        return cls(
            token=_text(value, CLAIM_TOKEN, where=where),
            expires_ms=_number(value, CLAIM_EXPIRES_AT, where=where),
        )


@dataclass(frozen=True)
class OutboxItem(ItemModel):
    """The alert function's state for one contact (sort key OUTBOX_SORT_KEY): per channel a claim
    while one invocation sends it, then when it was sent; a version every write raises; while a
    channel is unsent, the sweeper's marker (PendingWork.ALERT) since the first claim."""

    contact_id: str
    claims: Mapping[str, Claim] = field(default_factory=dict)  # channel → its live claim
    sent: Mapping[str, str] = field(default_factory=dict)  # channel → when it was sent
    version: int | None = None  # None: never written
    expires_at: int | None = None
    pending_since: str | None = None  # ISO-8601 UTC: the first claim; None once all are sent
    # Attributes this model gives no meaning to, kept as stored so a rewrite loses nothing.
    others: Mapping[str, Any] = field(default_factory=dict)

    @staticmethod
    def key(contact_id: str) -> Item:
        return result_key(contact_id, OUTBOX_SORT_KEY)

    def to_item(self) -> Item:
        item = to_item(
            {
                TABLE_PARTITION_KEY: self.contact_id,
                TABLE_SORT_KEY: OUTBOX_SORT_KEY,
                **{sent_attribute(channel): at for channel, at in self.sent.items()},
                TABLE_TTL_ATTRIBUTE: self.expires_at,
                OUTBOX_VERSION: self.version,
                **_pending(PendingWork.ALERT, self.pending_since),
            }
        )
        item.update({claim_attribute(c): claim.value() for c, claim in self.claims.items()})
        return {**self.others, **item}

    @classmethod
    def _from_values(cls, values: Mapping[str, Any]) -> OutboxItem:
        _expect_sort_key(values, OUTBOX_SORT_KEY)
        known = {TABLE_PARTITION_KEY, TABLE_SORT_KEY, TABLE_TTL_ATTRIBUTE, OUTBOX_VERSION,
                 PENDING_WORK, PENDING_SINCE}  # fmt: skip
        others = to_item(
            {
                name: value
                for name, value in values.items()
                if name not in known
                and not name.startswith((ALERT_CLAIM_PREFIX, ALERT_SENT_PREFIX))
            }
        )
        return cls(
            contact_id=_present(_text(values, TABLE_PARTITION_KEY), TABLE_PARTITION_KEY),
            claims=_claims(values),
            sent=_sent(values),
            version=_number(values, OUTBOX_VERSION),
            expires_at=_number(values, TABLE_TTL_ATTRIBUTE),
            pending_since=_pending_since(values, PendingWork.ALERT),
            others=others,
        )


def claims_of(attributes: Mapping[str, Any]) -> dict[str, Claim]:
    """Channel → claim, from outbox attributes in attribute-value form (an item, or the old
    values an UpdateItem returns: only the attributes it changed)."""
    return _claims(_values(attributes))


ResultItem = Answer | Summary | OutboxItem


def result_item(item: Mapping[str, Any]) -> ResultItem:
    """Whichever shape a results-table item (as read, or a stream image) has, by its sort key."""
    values = _values(item)
    sort_key = _present(_text(values, TABLE_SORT_KEY), TABLE_SORT_KEY)
    if sort_key == SUMMARY_SORT_KEY:
        return Summary._from_values(values)
    if sort_key == OUTBOX_SORT_KEY:
        return OutboxItem._from_values(values)
    return Answer._from_values(values)


@dataclass(frozen=True)
class CooldownRecord(ItemModel):
    """A caller surveyed lately, known only by their caller key; TTL drops it when the cooldown
    ends."""

    caller_key: str
    surveyed_at: int  # epoch seconds of the first answer
    expires_at: int  # epoch seconds: the end of the cooldown

    @classmethod
    def started(cls, caller_key: str, now: datetime, cooldown_days: int) -> CooldownRecord:
        """The record of a caller whose first answer is stored `now`."""
        return cls(caller_key, int(now.timestamp()), cooldown_expiry(now, cooldown_days))

    @staticmethod
    def key(caller_key: str) -> Item:
        return to_item({COOLDOWN_PARTITION_KEY: caller_key})

    def to_item(self) -> Item:
        return to_item(
            {
                COOLDOWN_PARTITION_KEY: self.caller_key,
                COOLDOWN_SURVEYED_AT: self.surveyed_at,
                COOLDOWN_TTL_ATTRIBUTE: self.expires_at,
            }
        )

    @classmethod
    def _from_values(cls, values: Mapping[str, Any]) -> CooldownRecord:
        return cls(
            caller_key=_present(_text(values, COOLDOWN_PARTITION_KEY), COOLDOWN_PARTITION_KEY),
            surveyed_at=_present(_number(values, COOLDOWN_SURVEYED_AT), COOLDOWN_SURVEYED_AT),
            expires_at=_present(_number(values, COOLDOWN_TTL_ATTRIBUTE), COOLDOWN_TTL_ATTRIBUTE),
        )


def _values(item: object) -> dict[str, Any]:
    """The item's attributes as Python values (numbers as Decimal)."""
    if not isinstance(item, Mapping):
        raise MalformedItemError(f"not an item but {type(item).__name__}")
    values = {}
    for name, value in item.items():
        try:
            values[name] = _deserializer.deserialize(value)
        except (TypeError, ValueError, ArithmeticError, AttributeError) as error:
            raise MalformedItemError(f"{name}: not an attribute value: {error}") from None
    return values


def _text(values: Mapping[str, Any], name: str, where: str = "") -> str | None:
    value = values.get(name)
    if value is not None and not isinstance(value, str):
        raise MalformedItemError(f"{where}{name}: not a string")
    return value


def _number(values: Mapping[str, Any], name: str, where: str = "") -> int | None:
    value = values.get(name)
    if value is None:
        return None
    if not isinstance(value, Decimal) or not value.is_finite():
        raise MalformedItemError(f"{where}{name}: not a number")
    return int(value)  # whole numbers only: a stored 4.0 is 4


def _present(value: T | None, name: str) -> T:
    if value is None:
        raise MalformedItemError(f"{name}: missing")
    return value


def _pending(work: PendingWork, since: str | None) -> dict[str, object]:
    """The sparse marker of `work` left on an item since `since`; nothing when None."""
    return {} if since is None else {PENDING_WORK: work.value, PENDING_SINCE: since}


def _pending_since(values: Mapping[str, Any], work: PendingWork) -> str | None:
    """When `work` was left on the item, or None when the item carries no such marker."""
    return _text(values, PENDING_SINCE) if _text(values, PENDING_WORK) == work else None


def _sent(values: Mapping[str, Any]) -> dict[str, str]:
    """Channel → when it was sent, from the attributes that record it."""
    return {
        name.removeprefix(ALERT_SENT_PREFIX): _present(_text(values, name), name)
        for name in values
        if name.startswith(ALERT_SENT_PREFIX)
    }


def _claims(values: Mapping[str, Any]) -> dict[str, Claim]:
    return {
        name.removeprefix(ALERT_CLAIM_PREFIX): Claim.from_value(value, name)
        for name, value in values.items()
        if name.startswith(ALERT_CLAIM_PREFIX)
    }


def _expect_sort_key(values: Mapping[str, Any], sort_key: str) -> None:
    found = _present(_text(values, TABLE_SORT_KEY), TABLE_SORT_KEY)
    if found != sort_key:
        raise MalformedItemError(f"{TABLE_SORT_KEY}: {found!r}, not {sort_key!r}")
