"""Contact records (CTRs) in the shape Amazon Connect streams them, and a fast demo generator.

Field names follow the documented contact record data model
(https://docs.aws.amazon.com/connect/latest/adminguide/ctr-data-model.html); only the fields
reports read and a few that make a record recognisable are filled.
"""

from __future__ import annotations

import json
import math
import random
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any, Final

from connect_survey.lambda_asset.survey import contract
from connect_survey.lambda_asset.survey.definition import SurveyDefinition
from connect_survey.lambda_asset.survey.sampling import (
    DECISION_ATTRIBUTE,
    ELIGIBLE_ATTRIBUTE,
    Decision,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Mapping
    from pathlib import Path

FORMAT_VERSION: Final = "2017-03-10"
DEMO_ACCOUNT: Final = "111122223333"
DEMO_INSTANCE: Final = (
    "arn:aws:connect:us-east-1:111122223333:instance/11111111-1111-4111-8111-111111111111"
)
TIMESTAMP_FORMAT: Final = "%Y-%m-%dT%H:%M:%SZ"
SIMULATED_AGENT: Final = "simulated-agent"  # the simulator models no agent identity


def timestamp(moment: datetime) -> str:
    """A CTR timestamp: UTC, second precision, ISO 8601 with `Z`."""
    return moment.astimezone(UTC).strftime(TIMESTAMP_FORMAT)


def contact_record(
    *,
    contact_id: str,
    initiated: datetime,
    disconnected: datetime,
    attributes: Mapping[str, str],
    agent: str | None,
    queue: str | None,
    instance_arn: str = DEMO_INSTANCE,
    account: str = DEMO_ACCOUNT,
    initial_contact_id: str | None = None,
    last_update: datetime | None = None,
    disconnect_reason: str = "CUSTOMER_DISCONNECT",
    channel: str = "VOICE",
    initiation_method: str = "INBOUND",
    connected_to_agent: datetime | None = None,
    related_contact_id: str | None = None,
) -> dict[str, Any]:
    """One CTR as Connect puts it on the Kinesis stream (JSON object, PascalCase fields); a
    follow-up task is `channel="TASK"`, `initiation_method="API"`, with the surveyed contact as
    `related_contact_id`."""
    record: dict[str, Any] = {
        "AWSAccountId": account,
        "AWSContactTraceRecordFormatVersion": FORMAT_VERSION,
        "Agent": None
        if agent is None
        else {"ARN": f"{instance_arn}/agent/{_stable_id(agent)}", "Username": agent},
        "Attributes": dict(attributes),
        "Channel": channel,
        "ContactId": contact_id,
        "InitialContactId": initial_contact_id,
        "PreviousContactId": None,
        "DisconnectReason": disconnect_reason,
        "DisconnectTimestamp": timestamp(disconnected),
        "InitiationMethod": initiation_method,
        "InitiationTimestamp": timestamp(initiated),
        "InstanceARN": instance_arn,
        "LastUpdateTimestamp": timestamp(last_update or disconnected),
        "Queue": None
        if queue is None
        else {"ARN": f"{instance_arn}/queue/{_stable_id(queue)}", "Name": queue},
    }
    if record["Agent"] is not None and connected_to_agent is not None:
        record["Agent"]["ConnectedToAgentTimestamp"] = timestamp(connected_to_agent)
    if related_contact_id is not None:
        record["RelatedContactId"] = related_contact_id
    return record


def _stable_id(name: str) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, name))


@dataclass(frozen=True)
class DemoCentre:
    """Who answers the demo calls: agents (each with a typical score), queues, modes."""

    agents: Mapping[str, float] = field(
        default_factory=lambda: {
            "amira.haddad": 4.6,
            "ben.okafor": 4.3,
            "chloe.martin": 3.9,
            "dae.kim": 4.1,
            "elena.rossi": 3.2,
            "farid.aziz": 4.4,
            "grace.lee": 2.8,
            "hugo.silva": 4.0,
        }
    )
    queues: tuple[str, ...] = ("sales", "support", "billing")
    modes: tuple[str, ...] = contract.MODES
    # The callers' languages and their shares (a Korean and English contact centre).
    languages: Mapping[str, float] = field(default_factory=lambda: {"en-US": 0.8, "ko-KR": 0.2})
    # The eligibility check, in the order the eligibility function applies it: withheld
    # numbers skipped (`withheldNumbers: skip`), a sampled share, callers surveyed within the
    # cooldown, and checks that failed (`onError: offer`).
    withheld_share: float = 0.02
    sampling_percent: int = 90
    cooldown_share: float = 0.06
    undecided_share: float = 0.003
    # Each low score's follow-up task (created at the low answer, on the follow-up queue):
    # supervisors accept it after a log-normal delay from the end of the call (median and
    # spread), or it expires unassigned after Connect's default 7 days.
    supervisors: tuple[str, ...] = ("maria.santos", "noah.fischer")
    follow_up_queue: str = "supervisor"
    follow_up_median_minutes: float = 35.0
    follow_up_spread: float = 1.1  # sigma of the log: p90 is about 4x the median
    expired_share: float = 0.08
    task_expiry_days: int = 7


@dataclass(frozen=True)
class _FollowUps:
    """What the generator needs to make follow-up tasks: the centre's supervisors and queue as
    CTR objects, and when the generated period ends (tasks still open then have no record)."""

    centre: DemoCentre
    supervisors: tuple[tuple[str, str], ...]
    queue: dict[str, str]
    end: int  # seconds from the first day's midnight

    def task(
        self,
        rng: random.Random,
        surveyed: dict[str, Any],
        ended: int,
        stamp: Callable[[int], str],
    ) -> dict[str, Any] | None:
        """The task record for `surveyed` (its call ended `ended` seconds in), or None while the
        task is still open at the end of the period. The task starts at the low answer, a few
        seconds before the caller hangs up, and carries the call's attributes (RelatedContactId
        copies them) and the link to it."""
        centre = self.centre
        created = ended - rng.randrange(5, 40)
        hexed = f"{rng.getrandbits(128):032x}"
        task_id = f"{hexed[:8]}-{hexed[8:12]}-4{hexed[13:16]}-b{hexed[17:20]}-{hexed[20:]}"
        attributes = {
            **surveyed["Attributes"],
            contract.FOLLOW_UP_FOR_ATTRIBUTE: surveyed["ContactId"],
            contract.ALERT_ID_ATTRIBUTE: str(uuid.UUID(int=rng.getrandbits(128))),
        }
        accepted: int | None = None
        if rng.random() < centre.expired_share:
            closed, reason = created + centre.task_expiry_days * 86_400, "EXPIRED"
        else:
            delay = rng.lognormvariate(
                math.log(centre.follow_up_median_minutes * 60), centre.follow_up_spread
            )
            accepted = ended + max(10, round(delay))
            closed, reason = accepted + rng.randrange(120, 1_200), "AGENT_DISCONNECT"
        if closed >= self.end:
            return None
        agent: dict[str, str] | None = None
        if accepted is not None:
            arn, name = self.supervisors[rng.randrange(len(self.supervisors))]
            agent = {"ARN": arn, "Username": name, "ConnectedToAgentTimestamp": stamp(accepted)}
        return {
            "AWSAccountId": surveyed["AWSAccountId"],
            "AWSContactTraceRecordFormatVersion": FORMAT_VERSION,
            "Agent": agent,
            "Attributes": attributes,
            "Channel": "TASK",
            "ContactId": task_id,
            "InitialContactId": task_id,
            "PreviousContactId": None,
            "RelatedContactId": surveyed["ContactId"],
            "DisconnectReason": reason,
            "DisconnectTimestamp": stamp(closed),
            "InitiationMethod": "API",
            "InitiationTimestamp": stamp(created),
            "InstanceARN": surveyed["InstanceARN"],
            "LastUpdateTimestamp": stamp(closed),
            "Queue": self.queue,
        }


def generate(
    count: int,
    *,
    days: int = 30,
    last_day: date | None = None,
    seed: int = 0,
    survey: SurveyDefinition | None = None,
    centre: DemoCentre | None = None,
    instance_arn: str = DEMO_INSTANCE,
) -> Iterator[dict[str, Any]]:
    """`count` realistic CTRs over `days` days ending `last_day`: varied agents, queues, modes,
    languages, eligibility decisions (sampling, cooldown, withheld numbers), answer patterns and
    hang-ups; each low score's follow-up task (accepted after a realistic delay, expired, or
    still open at the end: no record yet); ~1% of records come twice (Connect delivers at
    least once)."""
    survey = survey or SurveyDefinition()
    centre = centre or DemoCentre()
    rng = random.Random(seed)
    end = last_day or datetime.now(UTC).date()
    first = datetime(end.year, end.month, end.day, tzinfo=UTC) - timedelta(days=days - 1)
    day_names = [(first + timedelta(days=d)).strftime("%Y-%m-%d") for d in range(days + 1)]
    agents = [
        ({"ARN": f"{instance_arn}/agent/{_stable_id(name)}", "Username": name}, typical)
        for name, typical in centre.agents.items()
    ]
    queues = [
        {"ARN": f"{instance_arn}/queue/{_stable_id(name)}", "Name": name} for name in centre.queues
    ]
    low, high = survey.scale_min, survey.scale_max
    span = high - low
    attributes_of = [q.attribute for q in survey.questions]
    questions = len(attributes_of)
    randint, random_, gauss, bits = rng.randrange, rng.random, rng.gauss, rng.getrandbits
    status = contract.SURVEY_STATUS_ATTRIBUTE
    mode_key, opt_in_key = contract.SURVEY_MODE_ATTRIBUTE, contract.OPT_IN_ATTRIBUTE
    on_demand = contract.MODE_ON_DEMAND
    language_key = contract.LANGUAGE_ATTRIBUTE
    languages: list[tuple[float, str]] = []
    share_total = sum(centre.languages.values())
    cumulative = 0.0
    for code, share in centre.languages.items():
        cumulative += share / share_total
        languages.append((cumulative, code))
    last_language = languages[-1][1]
    sampled_share = centre.sampling_percent / 100
    threshold = survey.low_score_threshold
    follow_ups = _FollowUps(
        centre=centre,
        supervisors=tuple(
            (f"{instance_arn}/agent/{_stable_id(name)}", name) for name in centre.supervisors
        ),
        queue={
            "ARN": f"{instance_arn}/queue/{_stable_id(centre.follow_up_queue)}",
            "Name": centre.follow_up_queue,
        },
        end=days * 86_400,
    )

    def stamp(second: int) -> str:
        minute, sec = divmod(second % 86_400, 60)
        hour, minute = divmod(minute, 60)
        return f"{day_names[second // 86_400]}T{hour:02d}:{minute:02d}:{sec:02d}Z"

    produced = 0
    while produced < count:
        started = randint(days * 86_400)
        mode = centre.modes[randint(len(centre.modes))]
        hexed = f"{bits(128):032x}"
        contact_id = f"{hexed[:8]}-{hexed[8:12]}-4{hexed[13:16]}-a{hexed[17:20]}-{hexed[20:]}"
        draw = random_()
        language = next((code for limit, code in languages if draw < limit), last_language)
        if random_() < centre.withheld_share:
            decision = Decision.WITHHELD
        elif random_() >= sampled_share:
            decision = Decision.SAMPLING
        elif random_() < centre.cooldown_share:
            decision = Decision.COOLDOWN
        elif random_() < centre.undecided_share:
            decision = Decision.UNDECIDED
        else:
            decision = Decision.OFFER
        eligible = decision in (Decision.OFFER, Decision.UNDECIDED)
        low_score = False
        attributes = {
            mode_key: mode,
            language_key: language,
            ELIGIBLE_ATTRIBUTE: contract.TRUE if eligible else contract.FALSE,
            DECISION_ATTRIBUTE: decision.value,
        }
        agent: dict[str, str] | None
        if random_() < 0.05:  # abandoned in queue: no agent, never reaches a survey
            agent, reason = None, "CUSTOMER_DISCONNECT"
            if mode == on_demand and eligible:
                attributes[status] = contract.STATUS_OFFERED
        elif not eligible:  # transferred with no survey offered or set up
            agent, _ = agents[randint(len(agents))]
            reason = "AGENT_DISCONNECT"
        else:
            agent, typical = agents[randint(len(agents))]
            reason = "AGENT_DISCONNECT"
            opted_in = mode == on_demand or random_() < 0.45
            if mode != on_demand:
                attributes[opt_in_key] = contract.OPT_IN_ACCEPTED if opted_in else "false"
            if not opted_in:
                attributes[status] = contract.STATUS_OFFERED
            else:
                stays = random_()  # a caller may hang up before or during the survey
                answered = questions if stays < 0.7 else 0 if stays > 0.9 else randint(questions)
                centre_score = (typical - 1) / 4 * span + low
                for attribute in attributes_of[:answered]:
                    value = round(gauss(centre_score, span * 0.22))
                    score = high if value > high else max(low, value)
                    attributes[attribute] = str(score)
                    low_score = low_score or score < threshold
                attributes[status] = (
                    contract.STATUS_COMPLETE
                    if answered == questions
                    else contract.STATUS_PARTIAL
                    if answered
                    else contract.STATUS_UNANSWERED
                )
        ended = started + 60 + randint(900)
        disconnected = stamp(ended)
        record = {
            "AWSAccountId": DEMO_ACCOUNT,
            "AWSContactTraceRecordFormatVersion": FORMAT_VERSION,
            "Agent": agent,
            "Attributes": attributes,
            "Channel": "VOICE",
            "ContactId": contact_id,
            "InitialContactId": contact_id,
            "PreviousContactId": None,
            "DisconnectReason": reason,
            "DisconnectTimestamp": disconnected,
            "InitiationMethod": "INBOUND",
            "InitiationTimestamp": stamp(started),
            "InstanceARN": instance_arn,
            "LastUpdateTimestamp": disconnected,
            "Queue": queues[randint(len(queues))],
        }
        yield record
        produced += 1
        if produced < count and random_() < 0.01:  # re-delivered, e.g. after an update
            yield {**record, "LastUpdateTimestamp": stamp(started + 4_000)}
            produced += 1
        task = follow_ups.task(rng, record, ended, stamp) if low_score else None
        if task is not None and produced < count:
            yield task
            produced += 1
            if produced < count and random_() < 0.01:  # its record delivered twice
                yield task
                produced += 1


def write_simulated_record(
    folder: Path,
    *,
    contact_id: str,
    initial_contact_id: str,
    instance_arn: str,
    account: str,
    attributes: Mapping[str, str],
    queue: str | None,
    disconnect_reason: str,
) -> Path:
    """The CTR of one simulated call, one JSON line as Firehose delivers it: the attributes the
    flows set, the queue it was transferred to (answered by a stand-in agent), times of now."""
    ended = datetime.now(UTC)
    record = contact_record(
        contact_id=contact_id,
        initial_contact_id=initial_contact_id,
        initiated=ended - timedelta(minutes=5),
        disconnected=ended,
        attributes=attributes,
        agent=SIMULATED_AGENT if queue else None,
        queue=queue,
        instance_arn=instance_arn,
        account=account,
        disconnect_reason=disconnect_reason,
    )
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"ctr-{contact_id}.json"
    path.write_text(json.dumps(record, separators=(",", ":")) + "\n", encoding="utf-8")
    return path
