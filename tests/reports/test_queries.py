"""Every Athena named query, translated for DuckDB, against a plain-Python computation."""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING, Any

import pytest

from connect_survey.reports import queries
from connect_survey.reports.engine import Filters, ReportDatabase
from tests.reports.conftest import follow_ups, records, reference

if TYPE_CHECKING:
    from pathlib import Path

    from connect_survey.lambda_asset.survey.definition import SurveyDefinition

FIGURES = (
    "contacts", "offered", "answered", "response_rate", "skipped", "skipped_sampling",
    "skipped_cooldown", "skipped_withheld", "undecided", "csat", "nps", "ces", "ces_share",
    "low_score_contacts", "followed_up", "follow_up_rate", "not_followed_up",
    "follow_up_minutes_median", "follow_up_minutes_p90",
)  # fmt: skip


def assert_same_figures(row: dict[str, Any], expected: dict[str, Any]) -> None:
    for name in FIGURES:
        assert row[name] == pytest.approx(expected[name], abs=1e-9), name


@pytest.mark.parametrize("layout", ["json", "parquet"])
@pytest.mark.parametrize(("grouping", "column"), [("overall", None), *queries.GROUPINGS.items()])
def test_metrics_named_query_equals_python_for_every_group(
    ctr_folders: dict[str, Path],
    survey: SurveyDefinition,
    layout: str,
    grouping: str,
    column: str | None,
) -> None:
    # GIVEN the same CTRs as JSON lines and as partitioned Parquet
    database = ReportDatabase([ctr_folders[layout]], survey)
    expected = reference(records(), survey)[grouping]

    # WHEN the named query for this grouping runs on DuckDB
    rows = database.run(queries.metrics_query(survey, column))

    # THEN every group and every figure equals the independent computation
    assert {str(r["group_name"]) for r in rows} == set(expected)
    for row in rows:
        assert_same_figures(row, expected[str(row["group_name"])])


def test_all_metrics_query_equals_the_per_grouping_queries(
    ctr_folders: dict[str, Path], survey: SurveyDefinition
) -> None:
    database = ReportDatabase([ctr_folders["parquet"]], survey)
    expected = reference(records(), survey)
    rows = database.run(queries.all_metrics_query(survey))
    seen = Counter(r["grouping_name"] for r in rows)
    assert seen == Counter({name: len(groups) for name, groups in expected.items()})
    for row in rows:
        assert_same_figures(row, expected[row["grouping_name"]][str(row["group_name"])])


def test_response_rate_query_counts_statuses_and_skipped_contacts_per_day(
    ctr_folders: dict[str, Path], survey: SurveyDefinition
) -> None:
    database = ReportDatabase([ctr_folders["json"]], survey)
    expected = reference(records(), survey)["byDay"]
    rows = database.run(queries.response_rate_query(survey))
    assert [r["contact_date"] for r in rows] == sorted(expected)
    for row in rows:
        day = expected[row["contact_date"]]
        assert (row["offered"], row["answered"]) == (day["offered"], day["answered"])
        for figure in ("contacts", "skipped", "skipped_sampling", "skipped_cooldown",
                       "skipped_withheld", "undecided"):  # fmt: skip
            assert row[figure] == day[figure], figure
        assert row["complete"] + row["partial"] + row["unanswered"] <= row["offered"]


def test_distribution_and_low_scores_match_the_answers(
    ctr_folders: dict[str, Path], survey: SurveyDefinition
) -> None:
    # GIVEN the latest copy of each contact, scored in Python
    latest: dict[tuple[str, str], dict[str, Any]] = {}
    for record in records():
        if record["Channel"] == "TASK":
            continue
        key = (record["InitiationTimestamp"][:10], record["ContactId"])
        if key not in latest or record["LastUpdateTimestamp"] > latest[key]["LastUpdateTimestamp"]:
            latest[key] = record
    counts: Counter[tuple[str, int]] = Counter()
    low: set[str] = set()
    for record in latest.values():
        for question in survey.questions:
            value = record["Attributes"].get(question.attribute, "")
            if value.isdigit() and 1 <= int(value) <= 5:
                counts[(question.key, int(value))] += 1
                if int(value) < survey.low_score_threshold:
                    low.add(record["ContactId"])
    database = ReportDatabase([ctr_folders["parquet"]], survey)

    # WHEN the two named queries run
    distribution = database.run(queries.distribution_query(survey))
    low_rows = database.run(queries.low_scores_query(survey))

    # THEN they agree with the Python count, including the re-delivered edge contact
    assert {(r["question"], r["score"]): r["answers"] for r in distribution} == counts
    assert {r["contact_id"] for r in low_rows} == low
    assert "edge-1" in low


def test_date_filter_keeps_only_contacts_of_those_days(
    ctr_folders: dict[str, Path], survey: SurveyDefinition
) -> None:
    expected = reference(records(), survey)["byDay"]
    day = sorted(expected)[3]
    database = ReportDatabase(
        [ctr_folders["parquet"]], survey, Filters(first_day=day, last_day=day)
    )
    rows = database.run(queries.metrics_query(survey, None))
    assert rows[0]["contacts"] == expected[day]["contacts"]


def test_every_named_query_translates_and_runs(
    ctr_folders: dict[str, Path], survey: SurveyDefinition
) -> None:
    database = ReportDatabase([ctr_folders["json"]], survey)
    for query in queries.named_queries(survey):
        assert database.run(query.sql), query.name


def test_report_lists_low_score_contacts_in_date_and_contact_order_when_read(
    ctr_folders: dict[str, Path], survey: SurveyDefinition
) -> None:
    # GIVEN a report and the low-score named query run directly
    report = ReportDatabase([ctr_folders["parquet"]], survey).report()
    rows = ReportDatabase([ctr_folders["parquet"]], survey).run(queries.low_scores_query(survey))

    # WHEN the report's list is counted, sliced and indexed
    listed = report.low_scores[:]

    # THEN each view agrees with the query's rows, in its order, with every field
    assert len(report.low_scores) == len(rows) == len(listed) > 0
    assert [c["contactId"] for c in listed] == [r["contact_id"] for r in rows]
    assert report.low_scores[2:5] == listed[2:5]
    assert report.low_scores[-1] == listed[-1]
    first = rows[0]
    assert listed[0] == {
        "contactDate": first["contact_date"], "contactId": first["contact_id"],
        "agent": first["agent"], "queue": first["queue"], "mode": first["mode"],
        "language": first["language"], "lowest": first["lowest"],
        "scores": {q.key: first[queries.score_column(q.key)] for q in survey.questions},
        "followUp": first["follow_up"],
        "followUpMinutes": None if first["follow_up_minutes"] is None
        else round(first["follow_up_minutes"], 2),
    }  # fmt: skip
    assert report.to_json()["lowScores"] == listed


def test_low_scores_carry_their_follow_up_and_the_unfollowed_are_listed(
    ctr_folders: dict[str, Path], survey: SurveyDefinition
) -> None:
    # GIVEN each low-score contact's follow-up, from the README's definitions in Python
    expected = follow_ups(records(), survey)

    # WHEN the report lists the low scores and those not followed up
    report = ReportDatabase([ctr_folders["parquet"]], survey).report()

    # THEN every low score says what became of its task, and the rest are exactly the unfollowed
    assert {c["contactId"]: c["followUp"] for c in report.low_scores} == expected
    assert {c["contactId"]: c["followUp"] for c in report.not_followed_up} == {
        contact: status for contact, status in expected.items() if status != "accepted"
    }
    assert set(expected.values()) == {"accepted", "expired", "ended", "open"}
    # The earlier of edge-1's two accepted tasks counts: 00:05:00 to 01:05:30.
    edge = next(c for c in report.low_scores if c["contactId"] == "edge-1")
    assert (edge["followUp"], edge["followUpMinutes"]) == ("accepted", 60.5)
    assert [expected[f"edge-{n}"] for n in (6, 7, 8)] == ["expired", "ended", "open"]


def test_tasks_count_in_no_survey_figure(
    ctr_folders: dict[str, Path], survey: SurveyDefinition
) -> None:
    # GIVEN the records without their follow-up tasks (which carry the surveyed attributes)
    surveys_only = [r for r in records() if r["Channel"] != "TASK"]
    expected = reference(surveys_only, survey)["overall"]["all"]

    # WHEN the report reads the records with their tasks
    rows = ReportDatabase([ctr_folders["json"]], survey).run(queries.metrics_query(survey, None))

    # THEN every survey figure is the same as without the tasks; only the follow-up differs
    survey_figures = FIGURES[: FIGURES.index("low_score_contacts")]
    assert [rows[0][name] for name in survey_figures] == pytest.approx(
        [expected[name] for name in survey_figures]
    )
    assert rows[0]["followed_up"] > expected["followed_up"] == 0


def test_agent_filter_keeps_the_follow_up_tasks_of_that_agents_contacts(
    ctr_folders: dict[str, Path], survey: SurveyDefinition
) -> None:
    # GIVEN the edge agent's contacts, followed up by a supervisor on another queue
    expected = reference(records(), survey)["byAgent"]["zoe.edge"]

    # WHEN the report keeps only that agent's contacts
    database = ReportDatabase([ctr_folders["parquet"]], survey, Filters(agents=("zoe.edge",)))
    row = database.run(queries.metrics_query(survey, None))[0]

    # THEN their tasks still count: the filters choose survey contacts, never tasks
    assert_same_figures(row, expected)
    assert row["followed_up"] == 1
