"""Report benchmarks: DuckDB report vs a plain-Python pass over 1,000,000 CTRs (Parquet); bytes
a one-day report reads from 30 days of partitioned Parquet vs unpartitioned JSON lines; the
generator's rate. `python -m connect_survey.bench.reports` runs these alone."""

from __future__ import annotations

import tempfile
import time
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyarrow.parquet as pq

from connect_survey.lambda_asset.survey import contract
from connect_survey.lambda_asset.survey.definition import SurveyDefinition
from connect_survey.lambda_asset.survey.sampling import (
    DECISION_ATTRIBUTE,
    ELIGIBLE_ATTRIBUTE,
    Decision,
)
from connect_survey.reports.engine import Filters, ReportDatabase
from connect_survey.reports.files import write_json_lines, write_parquet
from connect_survey.reports.output import text_tables
from connect_survey.reports.queries import SKIPPED, TASK_CHANNEL, attribute_field
from connect_survey.reports.records import generate

if TYPE_CHECKING:
    from collections.abc import Iterable

Row = tuple[str, str, str, str, str]
# A low-score contact as a list prints it: date, contact, agent, queue, mode, answers, follow-up,
# minutes to the task accepted.
LowScore = tuple[str, str, str, str, str, list[tuple[str, str | None, int]], str, float | None]
LAST_DAY = date(2026, 3, 31)


def _read_bytes() -> int:
    """Bytes this process has read through read()/pread() so far (Linux /proc/self/io)."""
    for line in Path("/proc/self/io").read_text().splitlines():
        if line.startswith("rchar:"):
            return int(line.split()[1])
    raise RuntimeError("no rchar in /proc/self/io")


# The CTR columns the report reads (the ARNs and ids it does not need stay on disk).
BASELINE_COLUMNS = [
    "contactid", "lastupdatetimestamp", "channel", "disconnecttimestamp", "disconnectreason",
    "agent", "queue", "attributes",
]  # fmt: skip
# Per group: contacts, offered, answered, skipped, by sampling, by cooldown, withheld, undecided,
# CSAT answers / satisfied, NPS answers / promoters / detractors, CES answers / sum / satisfied,
# low-score contacts / followed up.
COUNTERS = 18
LOW, FOLLOWED = 16, 17


@dataclass
class PlainReport:
    """What the baseline computes: the report's counts, each group's follow-up minutes,
    distribution and low-score contacts (date, contact, agent, queue, mode, answers: what a
    table or JSON would print)."""

    groups: dict[str, dict[str, list[int]]]
    follow_up_minutes: dict[str, dict[str, list[float]]]
    distribution: Counter[tuple[str, int]]
    low_scores: list[LowScore]
    not_followed_up: int


def _epoch(text: str | None) -> float | None:
    try:
        return datetime.fromisoformat(text).timestamp() if text else None
    except ValueError:
        return None


def _follow_up(followed: bool, tasks: Iterable[dict[str, Any]]) -> str:
    """What became of a low score's task, as the report's lists say it."""
    if followed:
        return "accepted"
    reasons = [task["disconnectreason"] for task in tasks]
    return "expired" if "EXPIRED" in reasons else "ended" if reasons else "open"


def percentile(values: list[float], percent: int) -> float | None:
    """Linear between the two nearest ranks of the sorted `values` (as the report)."""
    if not values:
        return None
    rank = (len(values) - 1) * percent / 100
    below = int(rank)
    above = min(below + 1, len(values) - 1)
    return values[below] + (rank - below) * (values[above] - values[below])


def python_report(folder: Path, survey: SurveyDefinition) -> PlainReport:
    """The baseline: the report's figures in plain Python over rows read with pyarrow (only the
    columns the report reads): latest copy per survey contact and each contact's follow-up
    tasks, then one pass over the contacts."""
    latest: dict[tuple[str, str], dict[str, Any]] = {}
    tasks: dict[str, list[dict[str, Any]]] = defaultdict(list)
    follow_up_for = attribute_field(contract.FOLLOW_UP_FOR_ATTRIBUTE)
    for path in sorted(folder.rglob("*.parquet")):
        day = path.parent.name.split("=", 1)[1]
        for row in pq.read_table(path, columns=BASELINE_COLUMNS).to_pylist():
            if row["channel"] == TASK_CHANNEL:
                surveyed = row["attributes"][follow_up_for]
                if surveyed:
                    tasks[surveyed].append(row)
                continue
            key = (day, row["contactid"])
            if key not in latest or row["lastupdatetimestamp"] > latest[key]["lastupdatetimestamp"]:
                latest[key] = row
    bands = survey.bands
    assert bands is not None
    groups: dict[str, dict[str, list[int]]] = defaultdict(
        lambda: defaultdict(lambda: [0] * COUNTERS)
    )
    follow_up_minutes: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    distribution: Counter[tuple[str, int]] = Counter()
    low_scores: list[LowScore] = []
    reasons = {reason.value: 4 + i for i, reason in enumerate(SKIPPED)}
    undecided = Decision.UNDECIDED.value
    metric_slots = {"csat": 8, "nps": 10, "ces": 13}
    field = {
        name: attribute_field(name)
        for name in (
            contract.SURVEY_STATUS_ATTRIBUTE, DECISION_ATTRIBUTE, ELIGIBLE_ATTRIBUTE,
            contract.SURVEY_MODE_ATTRIBUTE, contract.LANGUAGE_ATTRIBUTE,
            *(q.attribute for q in survey.questions),
        )
    }  # fmt: skip
    not_followed_up = 0
    for (day, contact_id), row in latest.items():
        attributes = row["attributes"]
        scores: list[tuple[str, str | None, int]] = []
        for q in survey.questions:
            value = attributes[field[q.attribute]]
            if value and value.isdigit() and survey.scale_min <= int(value) <= survey.scale_max:
                scores.append((q.key, q.metric, int(value)))
        status = attributes[field[contract.SURVEY_STATUS_ATTRIBUTE]]
        offered = status in contract.SURVEY_STATUSES or bool(scores)
        reason = attributes[field[DECISION_ATTRIBUTE]]
        skipped = not offered and (
            attributes[field[ELIGIBLE_ATTRIBUTE]] == contract.FALSE or reason in reasons
        )
        agent = (row["agent"] or {}).get("username") or "(none)"
        queue = (row["queue"] or {}).get("name") or "(none)"
        mode = attributes[field[contract.SURVEY_MODE_ATTRIBUTE]] or "(none)"
        low = any(score < survey.low_score_threshold for _, _, score in scores)
        followed, minutes, follow_up = False, None, ""
        if low:
            accepted = [
                moment
                for task in tasks.get(contact_id, ())
                if (moment := (task["agent"] or {}).get("connectedtoagenttimestamp"))
            ]
            followed = bool(accepted)
            earliest = min(filter(None, map(_epoch, accepted)), default=None)
            ended = _epoch(row["disconnecttimestamp"])
            if earliest is not None and ended is not None:
                minutes = (earliest - ended) / 60
            not_followed_up += not followed
            follow_up = _follow_up(followed, tasks.get(contact_id, ()))
        names = (
            ("overall", "all"),
            ("byDay", day),
            ("byQueue", queue),
            ("byAgent", agent),
            ("byMode", mode),
            ("byLanguage", attributes[field[contract.LANGUAGE_ATTRIBUTE]] or "(none)"),
        )
        for grouping, name in names:
            figures = groups[grouping][name]
            figures[0] += 1
            figures[1] += offered
            figures[2] += bool(scores)
            if skipped:
                figures[3] += 1
                if reason in reasons:
                    figures[reasons[reason]] += 1
            figures[7] += reason == undecided
            for _, metric, score in scores:
                if metric is None:
                    continue
                slot = metric_slots[metric]
                figures[slot] += 1
                if metric == "nps":
                    figures[slot + 1] += score >= bands.promoter_min
                    figures[slot + 2] += score <= bands.detractor_max
                else:
                    figures[slot + 1 + (metric == "ces")] += score >= bands.satisfied_min
                    if metric == "ces":
                        figures[slot + 1] += score
            figures[LOW] += low
            figures[FOLLOWED] += followed
            if minutes is not None:
                follow_up_minutes[grouping][name].append(minutes)
        for question, _, score in scores:
            distribution[(question, score)] += 1
        if low:
            low_scores.append((day, contact_id, agent, queue, mode, scores, follow_up, minutes))
    low_scores.sort(key=lambda contact: (contact[0], contact[1]))
    for by_name in follow_up_minutes.values():
        for values in by_name.values():
            values.sort()
    return PlainReport(
        groups=groups,
        follow_up_minutes=follow_up_minutes,
        distribution=distribution,
        low_scores=low_scores,
        not_followed_up=not_followed_up,
    )


def report_speed(folder: Path, survey: SurveyDefinition) -> tuple[float, float]:
    """`connect-survey report` (figures and tables) vs the plain-Python pass, same records."""
    start = time.perf_counter()
    report = ReportDatabase([folder], survey).report()
    text_tables(report)  # what `connect-survey report` prints (the low-score list's length)
    ours = time.perf_counter() - start
    start = time.perf_counter()
    baseline = python_report(folder, survey)
    plain = time.perf_counter() - start
    # Both sides made the same report: every count of every group, the distribution, the list.
    counts = ("contacts", "offered", "answered", "skipped", "skippedBySampling",
              "skippedByCooldown", "skippedWithheldNumber", "undecided")  # fmt: skip
    for grouping, groups in baseline.groups.items():
        figures = {"all": report.overall} if grouping == "overall" else report.groups[grouping]
        assert set(figures) == set(groups), grouping
        for name, plain_counts in groups.items():
            assert [figures[name][c] for c in counts] == plain_counts[: len(counts)], name
            ours_follow_up = (figures[name]["lowScoreContacts"], figures[name]["followedUp"])
            assert ours_follow_up == (plain_counts[LOW], plain_counts[FOLLOWED]), name
            minutes = baseline.follow_up_minutes[grouping][name]
            for key, percent in (("followUpMinutesMedian", 50), ("followUpMinutesP90", 90)):
                plain_minutes, printed = percentile(minutes, percent), figures[name][key]
                if plain_minutes is None or printed is None:
                    assert plain_minutes is printed is None, (name, key)
                else:  # the report prints two decimals
                    assert abs(printed - plain_minutes) <= 0.005 + 1e-9, (name, key)
    assert {
        (question, score): n
        for question, by_score in report.distribution.items()
        for score, n in by_score.items()
    } == dict(baseline.distribution)
    assert len(report.low_scores) == len(baseline.low_scores)
    assert len(report.not_followed_up) == baseline.not_followed_up
    assert Counter(c["followUp"] for c in report.low_scores) == Counter(
        contact[6] for contact in baseline.low_scores
    )
    return ours, plain


def one_day_bytes(survey: SurveyDefinition, root: Path, count: int = 300_000) -> tuple[int, int]:
    """Bytes read by a one-day report over 30 days: partitioned Parquet vs JSON lines."""
    parquet, json_lines = root / "parquet-30d", root / "json-30d"
    write_parquet(generate(count, days=30, last_day=LAST_DAY, seed=2), parquet, survey)
    write_json_lines(
        generate(count, days=30, last_day=LAST_DAY, seed=2), json_lines / "ctr.jsonl", gzipped=False
    )
    day = "2026-03-15"
    results = []
    for folder in (parquet, json_lines):
        before = _read_bytes()
        report = ReportDatabase([folder], survey, Filters(first_day=day, last_day=day)).report()
        results.append(_read_bytes() - before)
        assert list(report.groups["byDay"]) == [day]
    return results[0], results[1]


def generator_rate(
    survey: SurveyDefinition, root: Path, count: int = 200_000
) -> tuple[float, float]:
    """CTRs per second written as JSON lines and as partitioned Parquet."""
    start = time.perf_counter()
    write_json_lines(generate(count, survey=survey), root / "gen" / "ctr.jsonl", gzipped=False)
    json_rate = count / (time.perf_counter() - start)
    start = time.perf_counter()
    write_parquet(generate(count, survey=survey), root / "gen-parquet", survey)
    parquet_rate = count / (time.perf_counter() - start)
    return json_rate, parquet_rate


def reports_benchmarks(records: int = 1_000_000) -> list[Row]:
    survey = SurveyDefinition()
    rows: list[Row] = []
    with tempfile.TemporaryDirectory() as temp:
        root = Path(temp)
        json_rate, parquet_rate = generator_rate(survey, root)
        rows.append(
            ("generate-ctrs: CTRs/s written as JSON lines (Parquet in baseline column)",
             f"{json_rate:,.0f}/s", f"{parquet_rate:,.0f}/s", "", "≥ 20,000/s")
        )  # fmt: skip
        big = root / "million"
        write_parquet(generate(records, days=30, last_day=LAST_DAY, seed=1), big, survey)
        ours, plain = report_speed(big, survey)
        rows.append(
            (f"report over {records:,} CTRs (Parquet): DuckDB vs plain-Python pass",
             f"{ours:.1f} s", f"{plain:.1f} s", f"{plain / ours:.1f}x faster",
             "≤ 10 s and ≥ 10x")
        )  # fmt: skip
        parquet_bytes, json_bytes = one_day_bytes(survey, root)
        rows.append(
            ("bytes read, one-day report over 30 days: partitioned Parquet vs JSON lines",
             f"{parquet_bytes / 1e6:.1f} MB", f"{json_bytes / 1e6:.1f} MB",
             f"1/{json_bytes / parquet_bytes:.0f}", "≤ 1/20")
        )  # fmt: skip
    return rows


if __name__ == "__main__":
    for row in reports_benchmarks():
        print("| " + " | ".join(row) + " |")
