"""CTR test data: generated contacts plus hand-made edge cases, and a plain-Python reference."""

from __future__ import annotations

import statistics
from collections import defaultdict
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

import pytest

from connect_survey.lambda_asset.survey import contract
from connect_survey.lambda_asset.survey.definition import SurveyDefinition
from connect_survey.lambda_asset.survey.sampling import DECISION_ATTRIBUTE, ELIGIBLE_ATTRIBUTE
from connect_survey.reports.files import write_json_lines, write_parquet
from connect_survey.reports.records import contact_record, generate

if TYPE_CHECKING:
    from pathlib import Path

LAST_DAY = date(2026, 3, 10)


def edge_records() -> list[dict[str, Any]]:
    """Records the generator does not make: junk scores, a later copy that changes an answer."""
    started = datetime(2026, 3, 9, 23, 59, 30, tzinfo=UTC)
    ended = datetime(2026, 3, 10, 0, 5, tzinfo=UTC)
    base = {"contact_id": "edge-1", "initiated": started, "disconnected": ended}
    return [
        contact_record(
            **base,
            agent="zoe.edge",
            queue="support",
            attributes={
                contract.SURVEY_STATUS_ATTRIBUTE: "complete",
                "EffortScore": "abc",
                "PromoterScore": "9",
                "SatisfactionScore": "1",
            },
        ),
        # The same contact delivered again later: the later copy counts.
        contact_record(
            **base,
            agent="zoe.edge",
            queue="support",
            last_update=datetime(2026, 3, 10, 1, 0, tzinfo=UTC),
            attributes={
                contract.SURVEY_STATUS_ATTRIBUTE: "complete",
                "EffortScore": "2",
                "PromoterScore": "5",
                "SatisfactionScore": "",
            },
        ),
        # Scores but no SurveyStatus (flows before the status existed): still offered.
        contact_record(
            contact_id="edge-2",
            initiated=started,
            disconnected=ended,
            agent=None,
            queue=None,
            attributes={"SatisfactionScore": "4", contract.SURVEY_MODE_ATTRIBUTE: "opt-in"},
        ),
        # Skipped as records written before the flows stored the reason: the outcome only.
        contact_record(
            contact_id="edge-3",
            initiated=started,
            disconnected=ended,
            agent="zoe.edge",
            queue="sales",
            attributes={
                contract.SURVEY_MODE_ATTRIBUTE: "opt-in",
                contract.LANGUAGE_ATTRIBUTE: "ko-KR",
                ELIGIBLE_ATTRIBUTE: "false",
            },
        ),
        # Undecided (the check failed) and offered anyway; an unknown reason is no reason.
        contact_record(
            contact_id="edge-4",
            initiated=started,
            disconnected=ended,
            agent="zoe.edge",
            queue="sales",
            attributes={
                contract.SURVEY_MODE_ATTRIBUTE: "on-demand",
                contract.LANGUAGE_ATTRIBUTE: "en-US",
                ELIGIBLE_ATTRIBUTE: "true",
                DECISION_ATTRIBUTE: "undecided",
                contract.SURVEY_STATUS_ATTRIBUTE: "offered",
            },
        ),
        contact_record(
            contact_id="edge-5",
            initiated=started,
            disconnected=ended,
            agent="zoe.edge",
            queue="sales",
            attributes={
                contract.SURVEY_MODE_ATTRIBUTE: "on-demand",
                ELIGIBLE_ATTRIBUTE: "false",
                DECISION_ATTRIBUTE: "skipped_because_bored",
            },
        ),
    ]


def follow_up_task(
    surveyed: dict[str, Any],
    task_id: str,
    *,
    accepted: datetime | None,
    closed: datetime,
    reason: str = "AGENT_DISCONNECT",
    last_update: datetime | None = None,
) -> dict[str, Any]:
    """A follow-up task for `surveyed`, as Connect records it: the surveyed contact's attributes
    (RelatedContactId copies them), the link, a supervisor when one accepted it."""
    return contact_record(
        contact_id=task_id,
        initiated=datetime(2026, 3, 10, 0, 4, 50, tzinfo=UTC),
        disconnected=closed,
        last_update=last_update,
        attributes={
            **surveyed["Attributes"],
            contract.FOLLOW_UP_FOR_ATTRIBUTE: surveyed["ContactId"],
            contract.ALERT_ID_ATTRIBUTE: f"alert-{task_id}",
        },
        agent=None if accepted is None else "sam.supervisor",
        queue="supervisor",
        disconnect_reason=reason,
        channel="TASK",
        initiation_method="API",
        connected_to_agent=accepted,
        related_contact_id=surveyed["ContactId"],
    )


def follow_up_edge_records() -> list[dict[str, Any]]:
    """Low scores and their tasks in the cases the generator makes rarely or never: two tasks
    (the earlier accepted counts) and a task's record delivered twice, an expired task, a task
    ended unaccepted, no task, and a task for a contact whose answers are not low."""
    ended = datetime(2026, 3, 10, 0, 5, tzinfo=UTC)
    edge = edge_records()
    two_tasks, not_low = edge[1], edge[2]  # edge-1's latest copy has a 2; edge-2 answered 4

    def low_contact(contact_id: str) -> dict[str, Any]:
        return contact_record(
            contact_id=contact_id,
            initiated=datetime(2026, 3, 9, 23, 50, tzinfo=UTC),
            disconnected=ended,
            agent="zoe.edge",
            queue="billing",
            attributes={
                contract.SURVEY_STATUS_ATTRIBUTE: "partial",
                contract.SURVEY_MODE_ATTRIBUTE: "escalation",
                "SatisfactionScore": "1",
            },
        )

    expired, unaccepted, untasked = (low_contact(f"edge-{n}") for n in (6, 7, 8))
    late = follow_up_task(
        two_tasks,
        "task-1a",
        accepted=datetime(2026, 3, 10, 2, 0, tzinfo=UTC),
        closed=datetime(2026, 3, 10, 2, 20, tzinfo=UTC),
    )
    return [
        expired,
        unaccepted,
        untasked,
        late,
        {**late, "LastUpdateTimestamp": "2026-03-10T03:00:00Z"},
        follow_up_task(
            two_tasks,
            "task-1b",
            accepted=datetime(2026, 3, 10, 1, 5, 30, tzinfo=UTC),
            closed=datetime(2026, 3, 10, 1, 30, tzinfo=UTC),
        ),
        follow_up_task(
            expired,
            "task-6",
            accepted=None,
            closed=datetime(2026, 3, 17, 0, 5, tzinfo=UTC),
            reason="EXPIRED",
        ),
        follow_up_task(
            unaccepted,
            "task-7",
            accepted=None,
            closed=datetime(2026, 3, 10, 0, 6, tzinfo=UTC),
            reason="CONTACT_FLOW_DISCONNECT",
        ),
        follow_up_task(
            not_low,
            "task-2",
            accepted=datetime(2026, 3, 10, 0, 30, tzinfo=UTC),
            closed=datetime(2026, 3, 10, 0, 40, tzinfo=UTC),
        ),
    ]


def records() -> list[dict[str, Any]]:
    return [
        *generate(3000, days=12, last_day=LAST_DAY, seed=7),
        *edge_records(),
        *follow_up_edge_records(),
    ]


@pytest.fixture(scope="session")
def survey() -> SurveyDefinition:
    return SurveyDefinition()


@pytest.fixture(scope="session")
def ctr_folders(
    tmp_path_factory: pytest.TempPathFactory, survey: SurveyDefinition
) -> dict[str, Path]:
    """The same records as JSON lines (gzip) and as partitioned Parquet."""
    root = tmp_path_factory.mktemp("ctr")
    write_json_lines(records(), root / "json" / "part-1.gz", gzipped=True)
    write_parquet(records(), root / "parquet", survey)
    return {"json": root / "json", "parquet": root / "parquet"}


def _score(value: Any, survey: SurveyDefinition) -> int | None:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if survey.scale_min <= number <= survey.scale_max else None


def _epoch(text: Any) -> float | None:
    try:
        return datetime.fromisoformat(str(text).replace("Z", "+00:00")).timestamp()
    except ValueError:
        return None


def _follow_up(record: dict[str, Any], tasks: list[dict[str, Any]]) -> tuple[str, float | None]:
    """What became of a low-score contact's follow-up, and its minutes: the README's
    definitions (the earliest accepted of its tasks, from the end of the call)."""
    accepted = [
        moment
        for task in tasks
        if (moment := (task["Agent"] or {}).get("ConnectedToAgentTimestamp"))
    ]
    if accepted:
        earliest = min(filter(None, map(_epoch, accepted)), default=None)
        ended = _epoch(record["DisconnectTimestamp"])
        minutes = None if earliest is None or ended is None else (earliest - ended) / 60
        return "accepted", minutes
    if any(task["DisconnectReason"] == "EXPIRED" for task in tasks):
        return "expired", None
    return ("ended" if tasks else "open"), None


def _percentile(values: list[float], percent: int) -> float | None:
    """Linear between the nearest ranks (`statistics.quantiles`, method "inclusive")."""
    if not values:
        return None
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[percent - 1]


def reference(
    all_records: list[dict[str, Any]], survey: SurveyDefinition
) -> dict[str, dict[str, dict[str, Any]]]:
    """The figures by plain Python, written from the README's definitions, not from the SQL."""
    tasks: dict[str, list[dict[str, Any]]] = defaultdict(list)
    latest: dict[tuple[str, str], dict[str, Any]] = {}
    for record in all_records:
        if record["Channel"] == "TASK":  # a follow-up, never a survey contact itself
            surveyed = record["Attributes"].get(contract.FOLLOW_UP_FOR_ATTRIBUTE)
            if surveyed:
                tasks[surveyed].append(record)
            continue
        key = (record["InitiationTimestamp"][:10], record["ContactId"])
        if key not in latest or record["LastUpdateTimestamp"] > latest[key]["LastUpdateTimestamp"]:
            latest[key] = record
    bands = survey.bands
    assert bands is not None
    groups: dict[str, dict[str, list[dict[str, Any]]]] = defaultdict(lambda: defaultdict(list))
    for (day, contact_id), record in latest.items():
        attributes = record["Attributes"]
        scores = {q.metric: _score(attributes.get(q.attribute), survey) for q in survey.questions}
        low = any(s is not None and s < survey.low_score_threshold for s in scores.values())
        follow_up, minutes = _follow_up(record, tasks[contact_id]) if low else (None, None)
        contact = {
            "scores": scores,
            "status": attributes.get(contract.SURVEY_STATUS_ATTRIBUTE),
            "eligible": attributes.get(ELIGIBLE_ATTRIBUTE),
            "decision": attributes.get(DECISION_ATTRIBUTE),
            "low": low,
            "follow_up": follow_up,
            "minutes": minutes,
        }
        agent = (record["Agent"] or {}).get("Username", "(none)")
        queue = (record["Queue"] or {}).get("Name", "(none)")
        mode = attributes.get(contract.SURVEY_MODE_ATTRIBUTE, "(none)")
        language = attributes.get(contract.LANGUAGE_ATTRIBUTE, "(none)")
        for grouping, name in (
            ("overall", "all"), ("byDay", day), ("byQueue", queue), ("byAgent", agent),
            ("byMode", mode), ("byLanguage", language),
        ):  # fmt: skip
            groups[grouping][name].append(contact)
    result: dict[str, dict[str, dict[str, Any]]] = {}
    for grouping, by_name in groups.items():
        result[grouping] = {}
        for name, contacts in by_name.items():
            answered = sum(1 for c in contacts if any(v is not None for v in c["scores"].values()))
            was_offered = [
                c["status"] in contract.SURVEY_STATUSES
                or any(v is not None for v in c["scores"].values())
                for c in contacts
            ]
            offered = sum(was_offered)
            # Not offered, and the check said no (with or without a recorded reason).
            skipped = [
                c
                for c, shown in zip(contacts, was_offered, strict=True)
                if not shown
                and (
                    c["eligible"] == "false"
                    or c["decision"]
                    in ("skipped_by_sampling", "skipped_by_cooldown", "skipped_withheld_number")
                )
            ]
            csat = [c["scores"]["csat"] for c in contacts if c["scores"]["csat"] is not None]
            nps = [c["scores"]["nps"] for c in contacts if c["scores"]["nps"] is not None]
            ces = [c["scores"]["ces"] for c in contacts if c["scores"]["ces"] is not None]
            low = sum(c["low"] for c in contacts)
            followed = sum(c["follow_up"] == "accepted" for c in contacts)
            minutes = sorted(c["minutes"] for c in contacts if c["minutes"] is not None)
            result[grouping][name] = {
                "contacts": len(contacts),
                "offered": offered,
                "answered": answered,
                "response_rate": 100 * answered / offered if offered else None,
                "skipped": len(skipped),
                "skipped_sampling": sum(c["decision"] == "skipped_by_sampling" for c in skipped),
                "skipped_cooldown": sum(c["decision"] == "skipped_by_cooldown" for c in skipped),
                "skipped_withheld": sum(
                    c["decision"] == "skipped_withheld_number" for c in skipped
                ),
                "undecided": sum(c["decision"] == "undecided" for c in contacts),
                "csat": 100 * sum(s >= 4 for s in csat) / len(csat) if csat else None,
                "nps": 100 * (sum(s == 5 for s in nps) - sum(s <= 3 for s in nps)) / len(nps)
                if nps
                else None,
                "ces": sum(ces) / len(ces) if ces else None,
                "ces_share": 100 * sum(s >= 4 for s in ces) / len(ces) if ces else None,
                "low_score_contacts": low,
                "followed_up": followed,
                "follow_up_rate": 100 * followed / low if low else None,
                "not_followed_up": low - followed,
                "follow_up_minutes_median": _percentile(minutes, 50),
                "follow_up_minutes_p90": _percentile(minutes, 90),
            }
    return result


def follow_ups(all_records: list[dict[str, Any]], survey: SurveyDefinition) -> dict[str, str]:
    """Each low-score contact's follow-up (accepted, expired, ended, open), by contact id."""
    tasks: dict[str, list[dict[str, Any]]] = defaultdict(list)
    latest: dict[tuple[str, str], dict[str, Any]] = {}
    for record in all_records:
        if record["Channel"] == "TASK":
            tasks[record["Attributes"][contract.FOLLOW_UP_FOR_ATTRIBUTE]].append(record)
        else:
            key = (record["InitiationTimestamp"][:10], record["ContactId"])
            if (
                key not in latest
                or record["LastUpdateTimestamp"] > latest[key]["LastUpdateTimestamp"]
            ):
                latest[key] = record
    result = {}
    for (_, contact_id), record in latest.items():
        scores = [_score(record["Attributes"].get(q.attribute), survey) for q in survey.questions]
        if any(s is not None and s < survey.low_score_threshold for s in scores):
            result[contact_id] = _follow_up(record, tasks[contact_id])[0]
    return result
