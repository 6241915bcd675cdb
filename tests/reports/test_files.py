"""Reading CTR files as Firehose writes them, whatever their name."""

from __future__ import annotations

import gzip
import json
from typing import TYPE_CHECKING

from connect_survey.lambda_asset.survey.definition import SurveyDefinition
from connect_survey.reports.files import read_sources
from tests.reports.conftest import edge_records

if TYPE_CHECKING:
    from pathlib import Path


def test_back_to_back_records_in_an_extensionless_gzip_object_are_all_read(
    tmp_path: Path,
) -> None:
    # GIVEN a Firehose object: no extension, gzip, records with no delimiter between them
    body = "".join(json.dumps(record) for record in edge_records())
    (tmp_path / "survey-ctr-1-2026-03-10-00-05-00-abcd").write_bytes(gzip.compress(body.encode()))

    # WHEN it is read
    sources = read_sources([tmp_path], SurveyDefinition())

    # THEN every record is a row, with its contact date from the initiation time
    assert sources.problems == []
    assert sources.json_records.column("contactid").to_pylist() == [
        "edge-1", "edge-1", "edge-2", "edge-3", "edge-4", "edge-5",
    ]  # fmt: skip
    assert set(sources.json_records.column("contact_date").to_pylist()) == {"2026-03-09"}


def test_a_file_that_is_not_json_or_parquet_is_named_and_skipped(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("hello\n")
    sources = read_sources([tmp_path / "notes.txt", tmp_path / "missing"], SurveyDefinition())
    assert [str(p) for p in sources.problems] == [
        f"{tmp_path / 'missing'}: no such file or folder",
        f"{tmp_path / 'notes.txt'}:1: not valid JSON (Expecting value)",
    ]
