"""CTR test data: generated contacts plus hand-made edge cases, and a plain-Python reference."""

from __future__ import annotations

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


def records() -> list[dict[str, Any]]:
    return [*generate(3000, days=12, last_day=LAST_DAY, seed=7), *edge_records()]


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


def reference(
    all_records: list[dict[str, Any]], survey: SurveyDefinition
) -> dict[str, dict[str, dict[str, Any]]]:
    """The figures by plain Python, written from the README's definitions, not from the SQL."""
    latest: dict[tuple[str, str], dict[str, Any]] = {}
    for record in all_records:
        key = (record["InitiationTimestamp"][:10], record["ContactId"])
        if key not in latest or record["LastUpdateTimestamp"] > latest[key]["LastUpdateTimestamp"]:
            latest[key] = record
    bands = survey.bands
    assert bands is not None
    groups: dict[str, dict[str, list[dict[str, Any]]]] = defaultdict(lambda: defaultdict(list))
    for (day, _), record in latest.items():
        attributes = record["Attributes"]
        contact = {
            "scores": {
                q.metric: _score(attributes.get(q.attribute), survey) for q in survey.questions
            },
            "status": attributes.get(contract.SURVEY_STATUS_ATTRIBUTE),
            "eligible": attributes.get(ELIGIBLE_ATTRIBUTE),
            "decision": attributes.get(DECISION_ATTRIBUTE),
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
            }
    return result
