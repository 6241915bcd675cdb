"""Amazon Connect: a task for the supervisors per low score (StartTaskContact, one per contact).

The stage's task flow routes it to the follow-up queue; it is linked to the surveyed contact
(RelatedContactId: it shows among that contact's related contacts and copies its attributes),
named and described in the caller's language, with the scores and a link as references and the
surveyed contact and alert as attributes. Its ClientToken is the alert id: Connect answers a
token it has seen with the task it started, so a stream retry or a duplicate record never
starts a second one.
https://docs.aws.amazon.com/connect/latest/APIReference/API_StartTaskContact.html
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import TYPE_CHECKING, Any, ClassVar, Final

from ..contract import ALERT_ID_ATTRIBUTE, FOLLOW_UP_FOR_ATTRIBUTE, Metric
from ..exceptions import EnvironmentVariableError
from ..telemetry import logger
from .base import Channel, Outcome, call_failed

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from ..alerts import LowScoreAlert

# The task flow's ARN (instance/ID/contact-flow/ID: both ids the call needs), and the stage's
# follow-up settings (`TaskSettings.to_env()`), set by the stack from the flow's construct.
FLOW_ARN: Final = "FOLLOW_UP_TASK_FLOW_ARN"
SETTINGS: Final = "FOLLOW_UP_TASK_SETTINGS"

# `{name}` in a name or description template; the names it may take, and those a description
# must use (the task carries the answers and the link to the contact).
PLACEHOLDER: Final = re.compile(r"\{([A-Za-z]*)\}")
PLACEHOLDERS: Final = ("queue", "lowest", "threshold", "mode", "time", "answers", "link")
DESCRIPTION_PLACEHOLDERS: Final = ("answers", "link")
# StartTaskContact's limits: Name and Description lengths, ScheduledTime at most 6 days ahead.
NAME_CHARACTERS: Final = 1024
DESCRIPTION_CHARACTERS: Final = 4096
SCHEDULE_MAX_MINUTES: Final = 6 * 24 * 60
# A scheduled time closer than this is left out (the task starts at once): it must not be in the
# past when Connect reads it.
SCHEDULE_LEAD_SECONDS: Final = 60
# Connect's own expiry of a task (7 days), the longest `connect:ContactExpiry` we set.
EXPIRY_MAX_MINUTES: Final = 7 * 24 * 60
CONTACT_REFERENCE: Final = "Contact"  # the URL reference to the surveyed contact
# How long Connect answers a ClientToken with the task it already started is documented only
# for its sibling APIs (7 days, e.g. StartOutboundChatContact); we count on one hour after the
# answer, far beyond a stream retry (seconds to minutes). A resend later than that is counted
# as a possible duplicate.
DEDUPE_WINDOW: Final = timedelta(hours=1)


@dataclass(frozen=True)
class TaskSettings:
    """The stage's follow-up task: per language (the default first) the name and description
    templates, the task's expiry, and how long after the low answer it is scheduled."""

    texts: Mapping[str, tuple[str, str]]  # BCP-47 -> (name, description)
    expiry_minutes: int | None = None  # None: Connect's default (7 days)
    schedule_delay_minutes: int = 0  # 0: the task is routed at once

    def to_env(self) -> str:
        """Compact JSON for the alert function's environment (Korean kept as UTF-8: Lambda
        counts the 4 KB of its environment in bytes)."""
        return json.dumps(
            {
                "texts": {code: list(pair) for code, pair in self.texts.items()},
                "expiryMinutes": self.expiry_minutes,
                "scheduleDelayMinutes": self.schedule_delay_minutes,
            },
            ensure_ascii=False,
            separators=(",", ":"),
        )

    @classmethod
    def from_env(cls, text: str) -> TaskSettings:
        data = json.loads(text)
        texts = {str(code): (str(n), str(d)) for code, (n, d) in data["texts"].items()}
        if not texts:
            raise ValueError("texts: at least one language")
        expiry = data.get("expiryMinutes")
        return cls(texts, int(expiry) if expiry else None, int(data["scheduleDelayMinutes"]))

    def texts_for(self, language: str | None) -> tuple[str, str]:
        """The templates in `language`, else in the stage's default language."""
        return self.texts.get(language or "") or next(iter(self.texts.values()))


def fill(template: str, values: Mapping[str, str]) -> str:
    """`template` with each known `{name}` replaced (plain substitution, no format language)."""
    return PLACEHOLDER.sub(lambda found: values.get(found[1], found[0]), template)


def task_request(
    alert: LowScoreAlert, settings: TaskSettings, flow_arn: str, now: datetime
) -> dict[str, Any]:
    """The StartTaskContact request for `alert`: the same for every send of the same alert, but
    for a scheduled time left out once it is (nearly) past."""
    instance_id, flow_id = flow_ids(flow_arn)
    name, description = settings.texts_for(alert.language)
    answered = _moment(alert.answered_at)
    values = {
        "queue": alert.queue or "-",
        "lowest": str(alert.lowest),
        "threshold": str(alert.threshold),
        "mode": alert.mode,
        "time": f"{answered:%Y-%m-%d %H:%M} UTC" if answered else "-",
        "answers": "\n".join(f"{attribute} = {s}" for attribute, s in alert.scores.items()),
        "link": alert.console_url or alert.contact_id,
    }
    references = {a: {"Type": "STRING", "Value": str(s)} for a, s in alert.scores.items()}
    if alert.console_url:
        references[CONTACT_REFERENCE] = {"Type": "URL", "Value": alert.console_url}
    request: dict[str, Any] = {
        "InstanceId": instance_id,
        "ContactFlowId": flow_id,
        "Name": fill(name, values)[:NAME_CHARACTERS],
        "Description": fill(description, values)[:DESCRIPTION_CHARACTERS],
        "References": references,
        "Attributes": {
            FOLLOW_UP_FOR_ATTRIBUTE: alert.contact_id,
            ALERT_ID_ATTRIBUTE: alert.alert_id,
        },
        "RelatedContactId": alert.contact_id,
        "ClientToken": alert.alert_id,
    }
    delay = min(settings.schedule_delay_minutes, SCHEDULE_MAX_MINUTES)
    if delay and answered:
        scheduled = answered + timedelta(minutes=delay)
        if scheduled - now >= timedelta(seconds=SCHEDULE_LEAD_SECONDS):
            request["ScheduledTime"] = int(scheduled.timestamp())
    if settings.expiry_minutes:
        minutes = min(settings.expiry_minutes, EXPIRY_MAX_MINUTES)
        request["SegmentAttributes"] = {
            "connect:ContactExpiry": {"ValueMap": {"ExpiryDuration": {"ValueInteger": minutes}}}
        }
    return request


def flow_ids(flow_arn: str) -> tuple[str, str]:
    """The instance id and flow id in a flow's ARN; EnvironmentVariableError when it is none."""
    parts = flow_arn.rpartition(":")[2].split("/")
    if len(parts) != 4 or parts[0] != "instance" or parts[2] != "contact-flow":
        raise EnvironmentVariableError(FLOW_ARN, "is not ...:instance/ID/contact-flow/ID")
    return parts[1], parts[3]


class TaskChannel(Channel):
    """One StartTaskContact per contact, ten in flight: one attempt's time for a group. A
    throttled or refused call (an error reply) started no task: failed, the stream retries it. A
    lost reply may have started one: maybe sent, and the resend after the claim expires carries
    the same ClientToken, so Connect answers it with that task instead of starting another."""

    name: ClassVar[str] = "task"
    batch_entries: ClassVar[int] = 1  # StartTaskContact starts one task
    concurrent_calls: ClassVar[int] = 10
    variables: ClassVar[tuple[str, ...]] = (FLOW_ARN, SETTINGS)
    optional: ClassVar[bool] = True  # on where the stage has followUp with task on
    sent_metric: ClassVar[Metric | None] = Metric.TASK_CREATED
    failed_metric: ClassVar[Metric | None] = Metric.TASK_FAILED
    duplicate_metric: ClassVar[Metric | None] = Metric.TASK_POSSIBLE_DUPLICATE

    def send(self, alerts: Sequence[LowScoreAlert]) -> dict[str, Outcome]:
        self.client("connect")  # built once, before the calls in flight share it
        return super().send(alerts)

    def send_batch(self, alerts: Sequence[LowScoreAlert]) -> dict[str, Outcome]:
        flow_arn = self.setting(FLOW_ARN)
        settings = _settings(self.setting(SETTINGS))
        outcomes: dict[str, Outcome] = {}
        for alert in alerts:
            try:
                request = task_request(alert, settings, flow_arn, datetime.now(UTC))
                reply = self.client("connect").start_task_contact(**request)
            except EnvironmentVariableError:
                raise
            except Exception as error:
                outcomes.update(call_failed(self.name, "start_task_contact", error, [alert]))
                continue
            task_id = reply.get("ContactId")
            outcomes[alert.contact_id] = Outcome.SENT if task_id else Outcome.MAYBE_SENT
            started = {"contactId": alert.contact_id, "taskContactId": task_id}
            logger.info("Follow-up task started", extra=started)
        return outcomes

    def resend_is_harmless(self, alert: LowScoreAlert) -> bool:
        answered = _moment(alert.answered_at)
        return answered is not None and datetime.now(UTC) - answered < DEDUPE_WINDOW


@lru_cache(maxsize=4)  # parsed once per distinct text
def _settings(text: str) -> TaskSettings:
    try:
        return TaskSettings.from_env(text)
    except (ValueError, KeyError, TypeError, AttributeError) as error:
        raise EnvironmentVariableError(SETTINGS, f"is not TaskSettings.to_env(): {error}") from None


def _moment(text: str | None) -> datetime | None:
    """An ISO-8601 time as stored (…Z), in UTC; None when absent or unreadable."""
    try:
        moment = datetime.fromisoformat(text) if text else None
    except ValueError:
        return None
    return moment.astimezone(UTC) if moment and moment.tzinfo else None
