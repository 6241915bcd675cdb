"""CTR files as Firehose writes them: JSON (one record per line, or records back to back,
optionally gzip) and Parquet (Hive-style `contact_date=YYYY-MM-DD/` folders). Reading never
stops at a bad record: each problem becomes a `Problem` naming the file and line, and is skipped.
"""

from __future__ import annotations

import gzip
import json
import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final

import pyarrow as pa
import pyarrow.parquet as pq

from connect_survey.lambda_asset.survey import contract
from connect_survey.lambda_asset.survey.sampling import DECISION_ATTRIBUTE, ELIGIBLE_ATTRIBUTE
from connect_survey.reports.queries import CTR_COLUMNS, PARTITION_COLUMN

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator, Sequence
    from pathlib import Path

    from connect_survey.lambda_asset.survey.definition import SurveyDefinition

PARQUET_MAGIC: Final = b"PAR1"
GZIP_MAGIC: Final = b"\x1f\x8b"
PARTITION_FOLDER: Final = re.compile(rf"(?:^|/){PARTITION_COLUMN}=(\d{{4}}-\d{{2}}-\d{{2}})(?:/|$)")
_STRUCT: Final = re.compile(r"^struct<(.*)>$")


def _arrow_type(hive: str) -> pa.DataType:
    if hive == "string":
        return pa.string()
    if hive == "map<string,string>":
        return pa.map_(pa.string(), pa.string())
    match = _STRUCT.match(hive)
    if match:
        fields = [item.split(":") for item in match[1].split(",")]
        return pa.struct([(name, _arrow_type(kind)) for name, kind in fields])
    raise ValueError(f"no Arrow type for {hive}")


# The table as Glue declares it (and Firehose writes it), plus the partition column.
ARROW_SCHEMA: Final = pa.schema(
    [(name, _arrow_type(kind)) for name, kind in CTR_COLUMNS] + [(PARTITION_COLUMN, pa.string())]
)
_STRUCT_FIELDS: Final = frozenset({"agent", "queue", "attributes"})
_PLAIN_FIELDS: Final = tuple(name for name, _ in CTR_COLUMNS if name not in _STRUCT_FIELDS)


@dataclass(frozen=True)
class Problem:
    """A record or file that was skipped, and why."""

    path: str
    line: int | None
    message: str

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line is not None else self.path
        return f"{where}: {self.message}"


@dataclass
class Sources:
    """What the report reads: JSON records as one Arrow table, Parquet files by path."""

    json_records: pa.Table
    parquet_files: list[Path] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def find_files(paths: Sequence[Path]) -> tuple[list[Path], list[Problem]]:
    """Every regular, non-hidden file under `paths` (files or folders), in a stable order."""
    found: list[Path] = []
    problems: list[Problem] = []
    for path in paths:
        if path.is_file():
            found.append(path)
        elif path.is_dir():
            inside = sorted(
                p for p in path.rglob("*") if p.is_file() and not _hidden(p.relative_to(path))
            )
            if not inside:
                problems.append(Problem(str(path), None, "folder holds no files"))
            found.extend(inside)
        else:
            problems.append(Problem(str(path), None, "no such file or folder"))
    return found, problems


def _hidden(relative: Path) -> bool:
    return any(part.startswith(".") for part in relative.parts)


def read_sources(paths: Sequence[Path], survey: SurveyDefinition) -> Sources:
    """Sort files by content (not name: Firehose objects have no extension) and read JSON."""
    files, problems = find_files(paths)
    rows: dict[str, list[Any]] = defaultdict(list)
    parquet: list[Path] = []
    survey_attributes = _survey_attributes(survey)
    for path in files:
        try:
            with path.open("rb") as handle:
                magic = handle.read(4)
        except OSError as error:
            problems.append(Problem(str(path), None, f"cannot read: {error.strerror}"))
            continue
        if magic == PARQUET_MAGIC:
            problem = _check_parquet(path)
            if problem:
                problems.append(problem)
            else:
                parquet.append(path)
            continue
        try:
            lines = _lines(path, gzipped=magic[:2] == GZIP_MAGIC)
            for number, record in _records(path, lines, problems):
                row = _row(record, survey_attributes)
                if isinstance(row, str):
                    problems.append(Problem(str(path), number, row))
                    continue
                for name, value in row.items():
                    rows[name].append(value)
        except (OSError, EOFError, UnicodeDecodeError) as error:
            problems.append(Problem(str(path), None, f"cannot read: {error}"))
    table = pa.table({name: rows.get(name, []) for name in ARROW_SCHEMA.names}, schema=ARROW_SCHEMA)
    return Sources(json_records=table, parquet_files=parquet, problems=problems)


def _survey_attributes(survey: SurveyDefinition) -> frozenset[str]:
    return frozenset(
        [
            contract.SURVEY_STATUS_ATTRIBUTE,
            contract.SURVEY_MODE_ATTRIBUTE,
            contract.OPT_IN_ATTRIBUTE,
            contract.LANGUAGE_ATTRIBUTE,
            ELIGIBLE_ATTRIBUTE,
            DECISION_ATTRIBUTE,
        ]
        + [q.attribute for q in survey.questions]
    )


def _lines(path: Path, *, gzipped: bool) -> Iterator[str]:
    opener = gzip.open if gzipped else open
    with opener(path, "rt", encoding="utf-8") as handle:
        yield from handle


def _records(
    path: Path, lines: Iterable[str], problems: list[Problem]
) -> Iterator[tuple[int, Any]]:
    """Objects one per line, or several back to back on a line (Firehose adds no delimiter)."""
    decoder = json.JSONDecoder()
    for number, line in enumerate(lines, start=1):
        text = line.strip()
        position = 0
        while position < len(text):
            try:
                record, end = decoder.raw_decode(text, position)
            except json.JSONDecodeError as error:
                problems.append(Problem(str(path), number, f"not valid JSON ({error.msg})"))
                break
            yield number, record
            position = end
            while position < len(text) and text[position] in " \t,":
                position += 1


def _row(record: Any, survey_attributes: frozenset[str]) -> dict[str, Any] | str:
    """The record as a table row, or why it is skipped."""
    if not isinstance(record, dict):
        return "not a contact record (expected a JSON object)"
    fields = {key.lower(): value for key, value in record.items()}
    for required in ("contactid", "initiationtimestamp"):
        if not isinstance(fields.get(required), str):
            return f"not a contact record (no {_pascal(required)})"
    started = fields["initiationtimestamp"]
    if not re.match(r"^\d{4}-\d{2}-\d{2}T", started):
        return f"InitiationTimestamp {started!r} is not an ISO 8601 time"
    attributes = fields.get("attributes")
    if not isinstance(attributes, dict):
        attributes = {}
    if not survey_attributes.intersection(attributes):
        return "contact record without survey attributes (not a survey contact)"
    row: dict[str, Any] = {}
    for name in _PLAIN_FIELDS:
        value = fields.get(name)
        row[name] = value if value is None or type(value) is str else str(value)
    row["agent"] = _struct(fields.get("agent"), ("username", "arn"))
    row["queue"] = _struct(fields.get("queue"), ("name", "arn"))
    row["attributes"] = [
        (str(k), v if v is None or type(v) is str else str(v)) for k, v in attributes.items()
    ]
    row[PARTITION_COLUMN] = started[:10]
    return row


def _struct(value: Any, names: tuple[str, ...]) -> dict[str, str | None] | None:
    if not isinstance(value, dict):
        return None
    lower = {key.lower(): item for key, item in value.items() if isinstance(key, str)}
    return {name: None if lower.get(name) is None else str(lower[name]) for name in names}


def _pascal(lower: str) -> str:
    return {"contactid": "ContactId", "initiationtimestamp": "InitiationTimestamp"}[lower]


def _check_parquet(path: Path) -> Problem | None:
    try:
        schema = pq.read_schema(path)
    except (pa.ArrowException, OSError) as error:
        return Problem(str(path), None, f"not a readable Parquet file ({error})")
    missing = sorted(
        name for name in ARROW_SCHEMA.names if name not in schema.names and name != PARTITION_COLUMN
    )
    if missing:
        return Problem(
            str(path), None, f"not a contact record table (missing columns: {', '.join(missing)})"
        )
    return None


def partition_date(path: Path) -> str | None:
    """The contact date of a Parquet file in a `contact_date=YYYY-MM-DD/` folder."""
    match = PARTITION_FOLDER.search(path.as_posix())
    return match[1] if match else None


def write_json_lines(records: Iterable[dict[str, Any]], path: Path, *, gzipped: bool) -> int:
    """Records one per line, as Firehose delivers them (with gzip if asked)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    opener = gzip.open if gzipped else open
    count = 0
    dumps = json.JSONEncoder(separators=(",", ":")).encode
    with opener(path, "wt", encoding="utf-8") as handle:
        for record in records:
            handle.write(dumps(record))
            handle.write("\n")
            count += 1
    return count


def write_parquet(records: Iterable[dict[str, Any]], folder: Path, survey: SurveyDefinition) -> int:
    """Records as Firehose's Parquet conversion writes them: one folder per contact date."""
    attributes = _survey_attributes(survey)
    by_day: dict[str, dict[str, list[Any]]] = defaultdict(lambda: defaultdict(list))
    count = 0
    for record in records:
        row = _row(record, attributes)
        if isinstance(row, str):
            continue
        columns = by_day[row.pop(PARTITION_COLUMN)]
        for name, value in row.items():
            columns[name].append(value)
        count += 1
    schema = pa.schema([f for f in ARROW_SCHEMA if f.name != PARTITION_COLUMN])
    for day, columns in sorted(by_day.items()):
        target = folder / f"{PARTITION_COLUMN}={day}"
        target.mkdir(parents=True, exist_ok=True)
        table = pa.table({name: columns[name] for name in schema.names}, schema=schema)
        pq.write_table(table, target / "ctr-0.parquet", compression="snappy")
    return count
