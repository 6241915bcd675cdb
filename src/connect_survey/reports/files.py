"""CTR files as Firehose writes them: JSON (one record per line, or records back to back,
optionally gzip) and Parquet (Hive-style `contact_date=YYYY-MM-DD/` folders). Reading never
stops at a bad record: each problem becomes a `Problem` naming the file and line, and is skipped.
"""

from __future__ import annotations

import functools
import gzip
import json
import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final

import pyarrow as pa
import pyarrow.parquet as pq

from connect_survey.lambda_asset.survey import contract
from connect_survey.reports.queries import (
    ATTRIBUTES_COLUMN,
    PARTITION_COLUMN,
    TASK_CHANNEL,
    attribute_field,
    ctr_columns,
    survey_contact_attributes,
)

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
    match = _STRUCT.match(hive)
    if match:
        fields = [item.split(":") for item in match[1].split(",")]
        return pa.struct([(name, _arrow_type(kind)) for name, kind in fields])
    raise ValueError(f"no Arrow type for {hive}")


@functools.cache
def _schema(columns: tuple[tuple[str, str], ...]) -> pa.Schema:
    return pa.schema(
        [(name, _arrow_type(kind)) for name, kind in columns] + [(PARTITION_COLUMN, pa.string())]
    )


def arrow_schema(survey: SurveyDefinition) -> pa.Schema:
    """The table as Glue declares it for `survey` (and Firehose writes it), plus the partition
    column."""
    return _schema(ctr_columns(survey))


@dataclass(frozen=True)
class RecordShape:
    """How a contact record becomes a row, as Firehose's conversion makes it: the plain fields,
    the struct fields, and the attributes the table keeps (keys compared in lower case)."""

    plain: tuple[str, ...]
    structs: tuple[tuple[str, tuple[str, ...]], ...]
    attributes: tuple[str, ...]
    survey_marks: frozenset[str]
    follow_up_for: str

    @classmethod
    def of(cls, survey: SurveyDefinition) -> RecordShape:
        schema = arrow_schema(survey)
        structs = tuple(
            (f.name, tuple(child.name for child in f.type))
            for f in schema
            if pa.types.is_struct(f.type) and f.name != ATTRIBUTES_COLUMN
        )
        nested = {name for name, _ in structs} | {ATTRIBUTES_COLUMN, PARTITION_COLUMN}
        return cls(
            plain=tuple(f.name for f in schema if f.name not in nested),
            structs=structs,
            attributes=tuple(f.name for f in schema.field(ATTRIBUTES_COLUMN).type),
            survey_marks=frozenset(attribute_field(a) for a in survey_contact_attributes(survey)),
            follow_up_for=attribute_field(contract.FOLLOW_UP_FOR_ATTRIBUTE),
        )


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
    shape = RecordShape.of(survey)
    for path in files:
        try:
            with path.open("rb") as handle:
                magic = handle.read(4)
        except OSError as error:
            problems.append(Problem(str(path), None, f"cannot read: {error.strerror}"))
            continue
        if magic == PARQUET_MAGIC:
            problem = _check_parquet(path, survey)
            if problem:
                problems.append(problem)
            else:
                parquet.append(path)
            continue
        try:
            lines = _lines(path, gzipped=magic[:2] == GZIP_MAGIC)
            for number, record in _records(path, lines, problems):
                row = _row(record, shape)
                if isinstance(row, str):
                    problems.append(Problem(str(path), number, row))
                    continue
                for name, value in row.items():
                    rows[name].append(value)
        except (OSError, EOFError, UnicodeDecodeError) as error:
            problems.append(Problem(str(path), None, f"cannot read: {error}"))
    schema = arrow_schema(survey)
    table = pa.table({name: rows.get(name, []) for name in schema.names}, schema=schema)
    return Sources(json_records=table, parquet_files=parquet, problems=problems)


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


def _row(record: Any, shape: RecordShape) -> dict[str, Any] | str:
    """The record as a table row, or why it is skipped. Keys match in any case, and only the
    attributes the table names are kept, as Firehose's conversion does."""
    if not isinstance(record, dict):
        return "not a contact record (expected a JSON object)"
    fields = {key.lower(): value for key, value in record.items()}
    for required in ("contactid", "initiationtimestamp"):
        if not isinstance(fields.get(required), str):
            return f"not a contact record (no {_pascal(required)})"
    started = fields["initiationtimestamp"]
    if not re.match(r"^\d{4}-\d{2}-\d{2}T", started):
        return f"InitiationTimestamp {started!r} is not an ISO 8601 time"
    given = fields.get(ATTRIBUTES_COLUMN)
    attributes = (
        {str(k).lower(): v for k, v in given.items() if v is not None}
        if isinstance(given, dict)
        else {}
    )
    if fields.get("channel") == TASK_CHANNEL:
        if shape.follow_up_for not in attributes:
            return (
                f"task without {contract.FOLLOW_UP_FOR_ATTRIBUTE} (not a survey's follow-up task)"
            )
    elif shape.survey_marks.isdisjoint(attributes):
        return "contact record without survey attributes (not a survey contact)"
    row: dict[str, Any] = {}
    for name in shape.plain:
        value = fields.get(name)
        row[name] = value if value is None or type(value) is str else str(value)
    for name, names in shape.structs:
        row[name] = _struct(fields.get(name), names)
    row[ATTRIBUTES_COLUMN] = {name: _text(attributes.get(name)) for name in shape.attributes}
    row[PARTITION_COLUMN] = started[:10]
    return row


def _text(value: Any) -> str | None:
    return value if value is None or type(value) is str else str(value)


def _struct(value: Any, names: tuple[str, ...]) -> dict[str, str | None] | None:
    if not isinstance(value, dict):
        return None
    lower = {key.lower(): item for key, item in value.items() if isinstance(key, str)}
    return {name: _text(lower.get(name)) for name in names}


def _pascal(lower: str) -> str:
    return {"contactid": "ContactId", "initiationtimestamp": "InitiationTimestamp"}[lower]


def _check_parquet(path: Path, survey: SurveyDefinition) -> Problem | None:
    try:
        schema = pq.read_schema(path)
    except (pa.ArrowException, OSError) as error:
        return Problem(str(path), None, f"not a readable Parquet file ({error})")
    expected = arrow_schema(survey)
    missing = sorted(
        name for name in expected.names if name not in schema.names and name != PARTITION_COLUMN
    )
    if missing:
        return Problem(
            str(path), None, f"not a contact record table (missing columns: {', '.join(missing)})"
        )
    for column in expected:
        if not pa.types.is_struct(column.type):
            continue
        found = schema.field(column.name).type
        if not pa.types.is_struct(found):
            return Problem(
                str(path), None, f"{column.name} is not a struct: written by an older version "
                "(the table keeps only the attributes reports read); write it again",
            )  # fmt: skip
        lacking = sorted({f.name for f in column.type} - {f.name for f in found})
        if lacking:
            return Problem(
                str(path), None, f"{column.name} has no {', '.join(lacking)}: written by an "
                "older version or for another survey; write it again, or report with its stage",
            )  # fmt: skip
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
    shape = RecordShape.of(survey)
    by_day: dict[str, dict[str, list[Any]]] = defaultdict(lambda: defaultdict(list))
    count = 0
    for record in records:
        row = _row(record, shape)
        if isinstance(row, str):
            continue
        columns = by_day[row.pop(PARTITION_COLUMN)]
        for name, value in row.items():
            columns[name].append(value)
        count += 1
    schema = pa.schema([f for f in arrow_schema(survey) if f.name != PARTITION_COLUMN])
    for day, columns in sorted(by_day.items()):
        target = folder / f"{PARTITION_COLUMN}={day}"
        target.mkdir(parents=True, exist_ok=True)
        table = pa.table({name: columns[name] for name in schema.names}, schema=schema)
        pq.write_table(table, target / "ctr-0.parquet", compression="snappy")
    return count
