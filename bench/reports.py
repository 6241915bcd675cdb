"""Report benchmarks: DuckDB report vs a plain-Python pass over 1,000,000 CTRs (Parquet); bytes
a one-day report reads from 30 days of partitioned Parquet vs unpartitioned JSON lines; the
generator's rate. `python -m bench.reports` runs these alone."""

from __future__ import annotations

import tempfile
import time
from collections import defaultdict
from datetime import date
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq

from lambdas.survey import contract
from lambdas.survey.definition import SurveyDefinition
from lambdas.survey.sampling import ELIGIBLE_ATTRIBUTE
from reports.engine import Filters, ReportDatabase
from reports.files import write_json_lines, write_parquet
from reports.queries import DECISION_ATTRIBUTE, SKIPPED
from reports.records import generate

Row = tuple[str, str, str, str, str]
LAST_DAY = date(2026, 3, 31)


def _read_bytes() -> int:
    """Bytes this process has read through read()/pread() so far (Linux /proc/self/io)."""
    for line in Path("/proc/self/io").read_text().splitlines():
        if line.startswith("rchar:"):
            return int(line.split()[1])
    raise RuntimeError("no rchar in /proc/self/io")


def python_report(folder: Path, survey: SurveyDefinition) -> dict[str, dict[str, list[int]]]:
    """The baseline: the same figures in plain Python over rows read with pyarrow."""
    latest: dict[tuple[str, str], dict[str, Any]] = {}
    for path in sorted(folder.rglob("*.parquet")):
        day = path.parent.name.split("=", 1)[1]
        for row in pq.read_table(path).to_pylist():
            key = (day, row["contactid"])
            if key not in latest or row["lastupdatetimestamp"] > latest[key]["lastupdatetimestamp"]:
                latest[key] = row
    bands = survey.bands
    assert bands is not None
    # per grouping, per group: contacts, offered, answered, csat n/ok, nps n/promoters/detractors,
    # skipped, and skipped by sampling / cooldown / withheld number
    groups: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0] * 12))
    skip_reasons = {reason.value: 9 + i for i, reason in enumerate(SKIPPED)}
    for (day, _), row in latest.items():
        attributes = dict(row["attributes"] or [])
        scores: dict[str | None, int] = {}
        for q in survey.questions:
            value = attributes.get(q.attribute)
            if value and value.isdigit() and survey.scale_min <= int(value) <= survey.scale_max:
                scores[q.metric] = int(value)
        status = attributes.get(contract.SURVEY_STATUS_ATTRIBUTE)
        offered = status in contract.SURVEY_STATUSES or bool(scores)
        reason = attributes.get(DECISION_ATTRIBUTE)
        skipped = not offered and (
            attributes.get(ELIGIBLE_ATTRIBUTE) == contract.FALSE or reason in skip_reasons
        )
        names = (
            ("overall", "all"),
            ("byDay", day),
            ("byQueue", (row["queue"] or {}).get("name") or "(none)"),
            ("byAgent", (row["agent"] or {}).get("username") or "(none)"),
            ("byMode", attributes.get(contract.SURVEY_MODE_ATTRIBUTE, "(none)")),
            ("byLanguage", attributes.get(contract.LANGUAGE_ATTRIBUTE, "(none)")),
        )
        for grouping, name in names:
            figures = groups[grouping][name]
            figures[0] += 1
            figures[1] += offered
            figures[2] += bool(scores)
            if "csat" in scores:
                figures[3] += 1
                figures[4] += scores["csat"] >= bands.satisfied_min
            if "nps" in scores:
                figures[5] += 1
                figures[6] += scores["nps"] >= bands.promoter_min
                figures[7] += scores["nps"] <= bands.detractor_max
            if skipped:
                figures[8] += 1
                if reason in skip_reasons:
                    figures[skip_reasons[reason]] += 1
    return groups


def report_speed(folder: Path, survey: SurveyDefinition) -> tuple[float, float]:
    start = time.perf_counter()
    report = ReportDatabase([folder], survey).report()
    ours = time.perf_counter() - start
    start = time.perf_counter()
    baseline = python_report(folder, survey)
    plain = time.perf_counter() - start
    assert report.overall["contacts"] == baseline["overall"]["all"][0]
    assert report.overall["skipped"] == baseline["overall"]["all"][8]
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
