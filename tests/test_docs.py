"""The front door and the reference pages: links resolve, the examples they show are real."""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, get_args

import pytest
from pydantic import BaseModel

from connect_survey import PROJECT_ROOT
from connect_survey.cli import main
from connect_survey.config.settings import StageSettings
from connect_survey.config.stage import load_stage

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

README = PROJECT_ROOT / "README.md"
PAGES = (README, *sorted((PROJECT_ROOT / "docs").glob("*.md")))
README_MAX_LINES = 250
FENCE = re.compile(r"^```.*?^```", re.DOTALL | re.MULTILINE)
LINK = re.compile(r"\]\(([^)\s]+)\)")
HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*$", re.MULTILINE)
# The README's placeholders, and ids of the right form to check the stage as synth would.
PLACEHOLDERS = {
    "INSTANCE_ID": "12345678-1234-4123-8123-123456789012",
    "QUEUE_ID": "87654321-4321-4321-8321-210987654321",
}


def prose(page: Path) -> str:
    """The page without its code blocks (a `# comment` in a shell block is no heading)."""
    return FENCE.sub("", page.read_text(encoding="utf-8"))


def anchors(page: Path) -> set[str]:
    """GitHub's anchors for the page's headings: lower case, punctuation dropped, spaces → -."""
    return {
        re.sub(r"[^\w\- ]", "", heading.lower()).replace(" ", "-")
        for heading in HEADING.findall(prose(page))
    }


def code_blocks(page: Path, language: str) -> list[str]:
    """The bodies of the page's fenced blocks opened with ```language."""
    blocks, body, opened = [], "", None
    for line in page.read_text(encoding="utf-8").splitlines(keepends=True):
        if opened is None and line.startswith("```"):
            opened, body = line[3:].strip(), ""
        elif opened is not None and line.rstrip() == "```":
            if opened == language:
                blocks.append(body)
            opened = None
        elif opened is not None:
            body += line
    return blocks


@pytest.mark.parametrize("page", PAGES, ids=lambda page: page.name)
def test_every_relative_link_and_anchor_resolves(page: Path) -> None:
    broken = []
    for target in LINK.findall(prose(page)):
        if re.match(r"[a-z]+:", target):
            continue  # an outside address: not ours to keep
        path, _, anchor = target.partition("#")
        linked = (page.parent / path).resolve() if path else page
        if not linked.exists():
            broken.append(f"{target}: no such file")
        elif anchor and linked.suffix == ".md" and anchor not in anchors(linked):
            broken.append(f"{target}: no heading #{anchor} in {linked.name}")
    assert not broken, f"{page.name}: {broken}"


def test_readme_is_a_front_door() -> None:
    # a short page, a table of contents whose every entry is a section of it
    text = README.read_text(encoding="utf-8")
    assert len(text.splitlines()) <= README_MAX_LINES
    contents = text.split("## Contents", 1)[1].split("\n## ", 1)[0]
    entries = re.findall(r"\]\(#([^)]+)\)", contents)
    assert len(entries) >= 5
    assert set(entries) <= anchors(README)
    # every reference page is linked from it
    linked = set(LINK.findall(text))
    for page in PAGES[1:]:
        assert f"docs/{page.name}" in {target.partition("#")[0] for target in linked}, page.name


def test_the_readme_minimal_stage_passes_the_checks_synth_runs() -> None:
    # GIVEN the stage the quick start tells a new user to copy, its placeholders filled in
    (block,) = [block for block in code_blocks(README, "json") if '"instanceArn"' in block]
    for placeholder, value in PLACEHOLDERS.items():
        block = block.replace(placeholder, value)
    name, stage = next(iter(json.loads("{" + block + "}").items()))

    # WHEN it is loaded as `make synth STAGE=mine` loads it
    config = load_stage({"stages": {name: stage}}, name)

    # THEN it is a working stage: its menu routes to its queue
    assert config.settings.name_prefix == stage["namePrefix"]
    assert set(config.settings.menu.values()) == set(stage["queues"])


def test_the_readme_sample_alert_is_what_the_alert_function_sends(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # GIVEN the sample e-mail the README shows, and the call it names
    (sample,) = [block for block in code_blocks(README, "") if block.startswith("Subject: ")]
    call = re.search(r"from `simulate ([^`]+)`", README.read_text(encoding="utf-8"))
    assert call is not None

    # WHEN that call is simulated
    assert main(["simulate", *call.group(1).split(), "--json"]) == 0
    alerts = json.loads(capsys.readouterr().out)["alerts"]

    # THEN the e-mail is the one the alert function published, word for word
    (email,) = [alert for alert in alerts if alert["channel"] == "sns"]
    assert sample == f"Subject: {email['subject']}\n\n{email['message']}\n"


def setting_paths(model: type[BaseModel], path: str = "") -> Iterator[str]:
    """Every key a stage can hold, as a dotted path (`sampling.withheldPatterns`)."""
    for name, field in model.model_fields.items():
        key = f"{path}.{field.alias or name}" if path else field.alias or name
        yield key
        for inner in (field.annotation, *get_args(field.annotation)):
            for candidate in (inner, *get_args(inner)):
                if isinstance(candidate, type) and issubclass(candidate, BaseModel):
                    yield from setting_paths(candidate, key)


def test_every_stage_setting_is_documented() -> None:
    # GIVEN the reference pages' prose and code
    docs = "\n".join(page.read_text(encoding="utf-8") for page in PAGES[1:])

    # THEN every key a stage accepts is named there (a new setting comes with its row)
    undocumented = [
        path
        for path in setting_paths(StageSettings)
        if not re.search(rf"\b{re.escape(path.rsplit('.', 1)[-1])}\b", docs)
    ]
    assert not undocumented
