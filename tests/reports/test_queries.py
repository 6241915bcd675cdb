"""Every Athena named query, translated for DuckDB, against a plain-Python computation."""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING, Any

import pytest

from connect_survey.reports import queries
from connect_survey.reports.engine import Filters, ReportDatabase
from tests.reports.conftest import records, reference

if TYPE_CHECKING:
    from pathlib import Path

    from connect_survey.lambda_asset.survey.definition import SurveyDefinition

FIGURES = (
    "contacts", "offered", "answered", "response_rate", "skipped", "skipped_sampling",
    "skipped_cooldown", "skipped_withheld", "undecided", "csat", "nps", "ces", "ces_share",
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
    }  # fmt: skip
    assert report.to_json()["lowScores"] == listed
