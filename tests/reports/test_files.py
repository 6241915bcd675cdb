"""Reading and writing CTR files as Firehose writes them, whatever their name: only the fields
and attributes the reports read."""

from __future__ import annotations

import gzip
import json
from typing import TYPE_CHECKING, Any

import pyarrow as pa
import pyarrow.parquet as pq

from connect_survey.lambda_asset.survey.definition import Question, SurveyDefinition
from connect_survey.lambda_asset.survey.sampling import CALLER_KEY_ATTRIBUTE
from connect_survey.reports.files import read_sources, write_parquet
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


PHONE = "+12065550142"
CALLER_KEY = "9f" * 32


def caller_record() -> dict[str, Any]:
    """A survey contact's record as Connect streams it: the caller's and the system's numbers,
    the caller key and an attribute of the instance's own beside the survey's."""
    record = edge_records()[0]
    record["CustomerEndpoint"] = {"Address": PHONE, "Type": "TELEPHONE_NUMBER"}
    record["SystemEndpoint"] = {"Address": "+18005550199", "Type": "TELEPHONE_NUMBER"}
    record["Attributes"] |= {CALLER_KEY_ATTRIBUTE: CALLER_KEY, "CallbackNumber": PHONE}
    return record


def test_parquet_keeps_only_the_attributes_reports_read_and_no_endpoint(tmp_path: Path) -> None:
    # GIVEN a record with phone numbers, the caller key and another attribute of the instance
    survey = SurveyDefinition()

    # WHEN it is written as Firehose's conversion writes it
    assert write_parquet([caller_record()], tmp_path, survey) == 1

    # THEN the table has no endpoint column, its attributes are a struct of the report's own,
    # and neither number nor the caller key is anywhere in the file
    (path,) = tmp_path.rglob("*.parquet")
    schema = pq.read_schema(path)
    assert not {"customerendpoint", "systemendpoint"} & set(schema.names)
    attributes = schema.field("attributes").type
    assert pa.types.is_struct(attributes)
    assert [f.name for f in attributes] == [
        "surveystatus", "surveymode", "surveylanguage", "surveyeligible", "surveyeligibility",
        "effortscore", "promoterscore", "satisfactionscore", "surveyfollowupfor",
    ]  # fmt: skip
    data = path.read_bytes()
    assert PHONE.encode() not in data and CALLER_KEY.encode() not in data
    assert b"1" in data  # the answers are there


def test_json_records_keep_only_the_attributes_reports_read(tmp_path: Path) -> None:
    (tmp_path / "ctr.jsonl").write_text(json.dumps(caller_record()) + "\n")
    sources = read_sources([tmp_path], SurveyDefinition())
    (attributes,) = sources.json_records.column("attributes").to_pylist()
    assert CALLER_KEY not in attributes.values() and PHONE not in attributes.values()
    assert attributes["satisfactionscore"] == "1"


def test_a_task_without_its_survey_link_is_named_and_skipped(tmp_path: Path) -> None:
    # GIVEN a task related to a survey contact (so it carries its attributes) but not ours
    task = {**edge_records()[0], "Channel": "TASK", "ContactId": "other-task"}
    (tmp_path / "ctr.jsonl").write_text(json.dumps(task) + "\n")

    # WHEN it is read THEN it is no survey contact and no follow-up: skipped, and why
    sources = read_sources([tmp_path], SurveyDefinition())
    assert sources.json_records.num_rows == 0
    assert [str(p) for p in sources.problems] == [
        f"{tmp_path / 'ctr.jsonl'}:1: task without SurveyFollowUpFor "
        "(not a survey's follow-up task)"
    ]


def test_parquet_with_attributes_as_a_map_is_named_and_skipped(tmp_path: Path) -> None:
    # GIVEN a file written before the table held a struct of the report's attributes
    survey = SurveyDefinition()
    write_parquet(edge_records(), tmp_path / "new", survey)
    (path,) = (tmp_path / "new").rglob("*.parquet")
    table = pq.read_table(path)
    old = table.set_column(
        table.schema.get_field_index("attributes"),
        "attributes",
        pa.array(
            [[("SurveyStatus", "complete")]] * table.num_rows, pa.map_(pa.string(), pa.string())
        ),
    )
    pq.write_table(old, tmp_path / "old.parquet")

    # WHEN the folder is read THEN that file is named with the fix, the new one is read
    sources = read_sources([tmp_path], survey)
    assert [str(p) for p in sources.problems] == [
        f"{tmp_path / 'old.parquet'}: attributes is not a struct: written by an older version "
        "(the table keeps only the attributes reports read); write it again"
    ]
    assert sources.parquet_files == [path]


def test_parquet_written_for_another_survey_is_named_with_the_fields_it_lacks(
    tmp_path: Path,
) -> None:
    # GIVEN a file written for a survey of one question, read for the default three
    one = SurveyDefinition(questions=(Question("overall", "OverallScore", prompt="?"),))
    write_parquet(edge_records(), tmp_path, one)
    (path,) = tmp_path.rglob("*.parquet")

    # WHEN it is read for the default survey THEN the missing attributes are named
    sources = read_sources([tmp_path], SurveyDefinition())
    assert [str(p) for p in sources.problems] == [
        f"{path}: attributes has no effortscore, promoterscore, satisfactionscore: written by "
        "an older version or for another survey; write it again, or report with its stage"
    ]
