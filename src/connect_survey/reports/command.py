"""`connect-survey report` and `connect-survey generate-ctrs`: argument parsing and output.

cli.py only registers these (`register(commands, stage_options, load_survey)`), so the report's
options live here beside the code they drive.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Callable

    from connect_survey.lambda_asset.survey.definition import SurveyDefinition

    SurveyLoader = Callable[[argparse.Namespace], SurveyDefinition]

DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
FORMATS = ("parquet", "jsonl", "jsonl.gz")


def _day(text: str) -> str:
    try:
        if not DATE.match(text):
            raise ValueError
        date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date; write YYYY-MM-DD") from None
    return text


def _count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r} must be a whole number of records, 1 or more")
    return value


def register(
    commands: Any,
    stage_options: Callable[[argparse.ArgumentParser], None],
    load_survey: SurveyLoader,
) -> None:
    """Add the two sub-commands to the CLI's sub-parsers."""
    report = commands.add_parser(
        "report", help="CSAT, NPS, CES and response rate from CTR files (JSON lines or Parquet)"
    )
    report.add_argument("paths", nargs="+", type=Path, metavar="PATH", help="files or folders")
    stage_options(report)
    report.add_argument("--from", dest="first_day", type=_day, help="first contact date")
    report.add_argument("--to", dest="last_day", type=_day, help="last contact date")
    report.add_argument("--queue", action="append", default=[], help="only this queue (repeat)")
    report.add_argument("--agent", action="append", default=[], help="only this agent (repeat)")
    report.add_argument("--mode", action="append", default=[], help="only this survey mode")
    report.add_argument("--json", action="store_true", help="one JSON object instead of tables")
    report.add_argument("--html", type=Path, metavar="FILE", help="also write a page with charts")
    report.set_defaults(command=lambda args: report_command(args, load_survey(args)))

    generate = commands.add_parser(
        "generate-ctrs", help="write realistic demo CTRs (as Firehose writes them) for reports"
    )
    generate.add_argument("out", type=Path, metavar="DIR", help="folder to write the records to")
    stage_options(generate)
    generate.add_argument("--count", type=_count, default=10_000, help="how many records")
    generate.add_argument("--days", type=_count, default=30, help="days the contacts spread over")
    generate.add_argument("--last-day", type=_day, help="last contact date (default: today, UTC)")
    generate.add_argument(
        "--format", choices=FORMATS, default="parquet",
        help="parquet (partitioned by contact date, as Firehose converts) or JSON lines",
    )  # fmt: skip
    generate.add_argument("--seed", type=int, default=0, help="same seed, same records")
    generate.set_defaults(command=lambda args: generate_command(args, load_survey(args)))


def report_command(args: argparse.Namespace, survey: SurveyDefinition) -> int:
    from connect_survey.reports.engine import Filters, ReportDatabase

    if args.first_day and args.last_day and args.first_day > args.last_day:
        print("connect-survey: --from is after --to", file=sys.stderr)
        return 2
    missing = [str(path) for path in args.paths if not Path(path).exists()]
    if len(missing) == len(args.paths):
        print(
            f"connect-survey: no such file or folder: {', '.join(missing)}; give the CTR files "
            "or folders to report on (e.g. from generate-ctrs or simulate --ctr-out)",
            file=sys.stderr,
        )
        return 2
    filters = Filters(
        first_day=args.first_day,
        last_day=args.last_day,
        queues=tuple(args.queue),
        agents=tuple(args.agent),
        modes=tuple(args.mode),
    )
    report = ReportDatabase(args.paths, survey, filters).report()
    if report.overall["contacts"] == 0 and len(report.problems) <= 1:
        # Nothing to show (an empty folder): one line, not empty tables.
        why = f"; skipped {report.problems[0]}" if report.problems else " in the input"
        print(f"connect-survey: no survey contacts{why}", file=sys.stderr)
        return 1
    for problem in report.problems[:50]:
        print(f"skipped {problem}", file=sys.stderr)
    if len(report.problems) > 50:
        print(f"skipped {len(report.problems) - 50} more", file=sys.stderr)
    if args.html:
        from connect_survey.reports.output import html_page

        args.html.write_text(html_page(report), encoding="utf-8")
        print(f"wrote {args.html}", file=sys.stderr)  # stderr: --json's stdout stays JSON
    if args.json:
        print(json.dumps(report.to_json(), indent=2))
    else:
        from connect_survey.reports.output import text_tables

        print(text_tables(report))
    if report.overall["contacts"] == 0:
        print("connect-survey: no survey contacts in the input", file=sys.stderr)
        return 1
    return 0


def generate_command(args: argparse.Namespace, survey: SurveyDefinition) -> int:
    from connect_survey.reports.files import write_json_lines, write_parquet
    from connect_survey.reports.records import generate

    last_day = date.fromisoformat(args.last_day) if args.last_day else None
    records = generate(args.count, days=args.days, last_day=last_day, seed=args.seed, survey=survey)
    start = time.perf_counter()
    if args.format == "parquet":
        written = write_parquet(records, args.out, survey)
    else:
        gzipped = args.format == "jsonl.gz"
        name = "ctr.jsonl.gz" if gzipped else "ctr.jsonl"
        written = write_json_lines(records, args.out / name, gzipped=gzipped)
    seconds = time.perf_counter() - start
    print(f"wrote {written} contact records to {args.out} in {seconds:.1f} s")
    return 0
