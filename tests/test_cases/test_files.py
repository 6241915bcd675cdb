"""Test-case files: CreateTestCase's keys, read once for every runtime, and their references."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import pytest

from connect_survey.config.stage import load_stage
from connect_survey.flows.catalog import CALLBACK_QUEUE, ON_DEMAND_SURVEY, SUPERVISOR_QUEUE
from connect_survey.test_cases.files import CaseFileError, case_paths, load_case, load_cases
from connect_survey.test_cases.references import (
    UnknownReferenceError,
    offline_resources,
    references,
    resolve_case,
)

if TYPE_CHECKING:
    from pathlib import Path

CONTENT = {
    "Version": "2019-10-30",
    "Metadata": {},
    "Observations": [
        {
            "Identifier": "start",
            "Event": {"Identifier": "e", "Type": "TestInitiated", "Actor": "System",
                      "Properties": {}},
            "Actions": [],
        }
    ],
}  # fmt: skip


def case(**changes: Any) -> dict[str, Any]:
    document: dict[str, Any] = {
        "Name": "On-demand survey, all fives",
        "Description": "answers 5, 5, 5",
        "EntryPoint": {
            "Type": "VOICE_CALL",
            "VoiceCallEntryPointParameters": {"FlowId": "{{flow:on-demand-survey}}"},
        },
        "InitializationData": {"Attributes": {"Survey_Opt_in": "true"}},
        "Content": CONTENT,
    }
    document.update(changes)
    return {key: value for key, value in document.items() if value is not None}


def write(folder: Path, name: str, document: Any) -> Path:
    path = folder / f"{name}.json"
    path.write_text(document if isinstance(document, str) else json.dumps(document))
    return path


def test_members_written_as_objects_or_as_json_strings_read_the_same(tmp_path: Path) -> None:
    as_objects = load_case(write(tmp_path, "a", case()))
    as_strings = load_case(
        write(
            tmp_path,
            "b",
            case(
                InitializationData=json.dumps(case()["InitializationData"]),
                Content=json.dumps(CONTENT),
            ),
        )
    )
    assert as_objects.content == as_strings.content == CONTENT
    assert as_objects.attributes == as_strings.attributes == {"Survey_Opt_in": "true"}
    assert as_objects.stem == "a"
    # THEN the API gets strings, with the SegmentAttributes a live instance wants beside them
    arguments = as_objects.api_arguments()
    assert json.loads(arguments["Content"]) == CONTENT
    assert json.loads(arguments["InitializationData"]) == {
        "SegmentAttributes": {},
        "Attributes": {"Survey_Opt_in": "true"},
    }


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ("{not json", "not valid JSON"),
        ("[]", "must be a JSON object with the keys Name"),
        (case(Usage="x"), "unknown key 'Usage'"),
        (case(Content=None), "Content is missing"),
        (case(Content="[1]"), "Content must be a JSON object"),
        (case(EntryPoint={"Type": "CHAT"}), 'EntryPoint must be {"Type": "VOICE_CALL"'),
        (
            case(EntryPoint={"Type": "VOICE_CALL", "VoiceCallEntryPointParameters": {}}),
            "FlowId is missing",
        ),
        (
            case(
                EntryPoint={
                    "Type": "VOICE_CALL",
                    "VoiceCallEntryPointParameters": {"FlowId": "x", "SourcePhoneNumber": "555"},
                }
            ),
            "SourcePhoneNumber must be an E.164 number",
        ),
        (case(InitializationData={"Attributes": {"a": 1}}), "must map attribute names to text"),
        (case(InitializationData={"a": "b"}), "InitializationData: unknown key 'a'"),
        (case(Name=""), "Name must be text of 1 to 127 characters"),
    ],
)
def test_a_malformed_case_is_refused_in_one_line_naming_the_file(
    tmp_path: Path, document: Any, message: str
) -> None:
    path = write(tmp_path, "bad", document)
    with pytest.raises(CaseFileError, match=message) as raised:
        load_case(path)
    assert str(raised.value).startswith(f"{path}: ")
    assert "\n" not in str(raised.value)


def test_paths_are_case_files_or_folders_of_them(tmp_path: Path) -> None:
    write(tmp_path, "b", case())
    write(tmp_path, "a", case())
    (tmp_path / "notes.txt").write_text("not a case")
    assert [p.name for p in case_paths([tmp_path])] == ["a.json", "b.json"]
    assert len(load_cases([tmp_path, tmp_path / "a.json"])) == 3
    with pytest.raises(CaseFileError, match="no such file or folder"):
        case_paths([tmp_path / "missing"])


def test_offline_references_resolve_to_the_stages_stand_in_arns(
    tmp_path: Path, context: dict[str, Any]
) -> None:
    # GIVEN a stage and a case naming a flow, a function and the supervisor queue
    stage = load_stage(context, "dev").offline
    content = {**CONTENT, "Metadata": {"score": "{{function:score}}", "q": "{{queue:supervisor}}"}}
    loaded = load_case(write(tmp_path, "c", case(Content=content)))
    assert list(references(loaded.content)) == [("function", "score"), ("queue", "supervisor")]
    # WHEN resolved offline / THEN each names the stage's ARN
    resolved = resolve_case(loaded, offline_resources(stage))
    assert resolved.flow_id == stage.flow_arn(ON_DEMAND_SURVEY)
    assert resolved.content["Metadata"] == {
        "score": stage.function_arn("score"),
        "q": stage.queues[SUPERVISOR_QUEUE],
    }
    assert CALLBACK_QUEUE in offline_resources(stage).queues


@pytest.mark.parametrize(
    ("reference", "known"),
    [
        ("{{flow:no-such-flow}}", "{{flow:on-demand-survey}}"),
        ("{{function:alert}}", "{{function:score}}"),
        ("{{queue:billing}}", "{{queue:supervisor}}"),
        ("{{table:results}}", "{{flow:"),
    ],
)
def test_an_unknown_reference_is_named_with_what_the_stage_has(
    tmp_path: Path, context: dict[str, Any], reference: str, known: str
) -> None:
    stage = load_stage(context, "dev").offline
    loaded = load_case(write(tmp_path, "c", case(Description=f"uses {reference}")))
    with pytest.raises(UnknownReferenceError, match="unknown reference") as raised:
        resolve_case(loaded.with_values(content={"x": reference}), offline_resources(stage))
    assert reference in str(raised.value)
    assert known in str(raised.value)
