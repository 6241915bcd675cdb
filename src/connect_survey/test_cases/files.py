"""A test-case file: CreateTestCase's keys, read and checked once for every runtime.

`InitializationData` and `Content` may be written as JSON objects (readable, diffable) or as the
JSON strings the API takes; they are held as objects and serialized for the API.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from connect_survey.flow_language.spec import E164

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

CASE_KEYS: Final = ("Name", "Description", "EntryPoint", "InitializationData", "Content")
REQUIRED_KEYS: Final = ("Name", "EntryPoint", "Content")
VOICE_CALL: Final = "VOICE_CALL"
VOICE_PARAMETERS: Final = "VoiceCallEntryPointParameters"
FLOW_ID: Final = "FlowId"
SOURCE_PHONE_NUMBER: Final = "SourcePhoneNumber"
ENTRY_POINT_KEYS: Final = (FLOW_ID, SOURCE_PHONE_NUMBER)
# CloudFormation's limits on AWS::Connect::TestCase.
MAX_NAME: Final = 127
MAX_DESCRIPTION: Final = 500
MAX_CONTENT: Final = 256_000
# The project's cases, one per file, in this folder beside cdk.json.
CASES_FOLDER: Final = "testcases"


class CaseError(ValueError):
    """Base of every refused test case; the one-line message names the file and the fix."""


class CaseFileError(CaseError):
    """Raised when a case file is not a JSON object with CreateTestCase's keys in their shapes."""

    def __init__(self, path: Path | str, message: str) -> None:
        super().__init__(f"{path}: {message}")
        self.path = Path(path)


@dataclass(frozen=True)
class CaseFile:
    """One test case as written, its JSON-string members parsed into objects."""

    path: Path
    name: str
    description: str
    entry_point: Mapping[str, Any]
    initialization_data: Mapping[str, Any]
    content: Mapping[str, Any]

    @property
    def stem(self) -> str:
        """The file's name without `.json`: the deployed case is `{namePrefix}-{stem}`."""
        return self.path.stem

    @property
    def flow_id(self) -> str:
        return str(self.entry_point[VOICE_PARAMETERS][FLOW_ID])

    @property
    def source_phone_number(self) -> str | None:
        number = self.entry_point[VOICE_PARAMETERS].get(SOURCE_PHONE_NUMBER)
        return str(number) if number is not None else None

    @property
    def attributes(self) -> dict[str, str]:
        """The contact attributes the test starts with (`InitializationData.Attributes`)."""
        return dict(self.initialization_data.get("Attributes", {}))

    def with_values(self, **changes: Any) -> CaseFile:
        return replace(self, **changes)

    def api_arguments(self) -> dict[str, Any]:
        """CreateTestCase's arguments (without the instance and status): JSON strings where the
        API takes strings."""
        arguments: dict[str, Any] = {
            "Name": self.name,
            "EntryPoint": _plain(self.entry_point),
            "Content": to_json(self.content),
        }
        if self.description:
            arguments["Description"] = self.description
        if self.initialization_data:
            # Reported live (UNCONFIRMED by AWS): attributes are readable only with
            # SegmentAttributes beside them; an empty map is harmless either way.
            data = {"SegmentAttributes": {}, **self.initialization_data}
            arguments["InitializationData"] = to_json(data)
        return arguments


def to_json(value: Any) -> str:
    """Compact, key-ordered JSON: the same case always deploys the same string."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def case_paths(paths: Iterable[Path | str]) -> list[Path]:
    """Each PATH as given: a case file, or a folder whose `*.json` files are cases (sorted)."""
    found: list[Path] = []
    for given in paths:
        path = Path(given)
        if path.is_dir():
            found.extend(sorted(path.glob("*.json")))
        elif path.is_file():
            found.append(path)
        else:
            raise CaseFileError(path, "no such file or folder; give case files or folders")
    return found


def load_cases(paths: Iterable[Path | str]) -> list[CaseFile]:
    """Every case under `paths`; the first malformed one raises `CaseFileError`."""
    return [load_case(path) for path in case_paths(paths)]


def load_case(path: Path | str) -> CaseFile:
    path = Path(path)
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as error:
        raise CaseFileError(path, f"cannot be read ({error})") from None
    except ValueError as error:
        raise CaseFileError(path, f"not valid JSON ({error})") from None
    if not isinstance(document, dict):
        raise CaseFileError(path, f"must be a JSON object with the keys {', '.join(CASE_KEYS)}")
    unknown = sorted(set(document) - set(CASE_KEYS))
    if unknown:
        raise CaseFileError(
            path, f"unknown key {unknown[0]!r}; a case has the keys {', '.join(CASE_KEYS)}"
        )
    for key in REQUIRED_KEYS:
        if key not in document:
            raise CaseFileError(path, f"{key} is missing")
    name = document["Name"]
    if not isinstance(name, str) or not 1 <= len(name) <= MAX_NAME:
        raise CaseFileError(path, f"Name must be text of 1 to {MAX_NAME} characters")
    description = document.get("Description", "")
    if not isinstance(description, str) or len(description) > MAX_DESCRIPTION:
        raise CaseFileError(
            path, f"Description must be text of at most {MAX_DESCRIPTION} characters"
        )
    content = _object(path, "Content", document["Content"])
    if len(to_json(content)) > MAX_CONTENT:
        raise CaseFileError(path, f"Content is longer than {MAX_CONTENT} characters")
    return CaseFile(
        path=path,
        name=name,
        description=description,
        entry_point=_entry_point(path, document["EntryPoint"]),
        initialization_data=_initialization_data(path, document.get("InitializationData", {})),
        content=content,
    )


def _object(path: Path, key: str, value: Any) -> dict[str, Any]:
    """A member written as a JSON object or as a string holding one."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError as error:
            raise CaseFileError(path, f"{key} is a string but not valid JSON ({error})") from None
    if not isinstance(value, dict):
        raise CaseFileError(path, f"{key} must be a JSON object (or a string holding one)")
    return value


def _entry_point(path: Path, value: Any) -> dict[str, Any]:
    if not isinstance(value, dict) or value.get("Type") != VOICE_CALL:
        raise CaseFileError(
            path,
            f'EntryPoint must be {{"Type": "{VOICE_CALL}", "{VOICE_PARAMETERS}": '
            f'{{"{FLOW_ID}": …}}}}',
        )
    unknown = sorted(set(value) - {"Type", VOICE_PARAMETERS})
    if unknown:
        raise CaseFileError(path, f"EntryPoint: unknown key {unknown[0]!r}")
    parameters = value.get(VOICE_PARAMETERS)
    if not isinstance(parameters, dict) or not isinstance(parameters.get(FLOW_ID), str):
        raise CaseFileError(
            path, f"EntryPoint.{VOICE_PARAMETERS}.{FLOW_ID} is missing: name the flow to start at"
        )
    unknown = sorted(set(parameters) - set(ENTRY_POINT_KEYS))
    if unknown:
        raise CaseFileError(
            path,
            f"EntryPoint.{VOICE_PARAMETERS}: unknown key {unknown[0]!r}; a case starts at a flow "
            f"({', '.join(ENTRY_POINT_KEYS)})",
        )
    number = parameters.get(SOURCE_PHONE_NUMBER)
    if number is not None and not (isinstance(number, str) and E164.match(number)):
        raise CaseFileError(
            path,
            f"EntryPoint.{VOICE_PARAMETERS}.{SOURCE_PHONE_NUMBER} must be an E.164 number "
            "(+15555550100)",
        )
    return value


def _initialization_data(path: Path, value: Any) -> dict[str, Any]:
    data = _object(path, "InitializationData", value) if value != {} else {}
    unknown = sorted(set(data) - {"Attributes", "SegmentAttributes"})
    if unknown:
        raise CaseFileError(
            path, f'InitializationData: unknown key {unknown[0]!r}; write {{"Attributes": {{…}}}}'
        )
    attributes = data.get("Attributes", {})
    if not isinstance(attributes, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in attributes.items()
    ):
        raise CaseFileError(
            path, "InitializationData.Attributes must map attribute names to text values"
        )
    return data


def _plain(value: Mapping[str, Any]) -> dict[str, Any]:
    plain: dict[str, Any] = json.loads(json.dumps(value))
    return plain
