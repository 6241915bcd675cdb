"""The Lambda asset as deployed: comments and docstrings blanked, every line where it was."""

from __future__ import annotations

import json
import subprocess
import sys
import tokenize
from io import StringIO
from typing import TYPE_CHECKING

import pytest

from connect_survey.bench.__main__ import asset_size
from connect_survey.infra.asset_bundle import AssetBundleError, blanked, bundle, same_code
from connect_survey.infra.handlers import ASSET_DIR

if TYPE_CHECKING:
    from pathlib import Path

MODULE = '''"""A module docstring
over two lines."""

import os  # why os


class Greeter:
    """설문 조사: a docstring with Korean before a code line."""

    def greet(self) -> str:
        text = "# not a comment"  # a comment
        return text + os.sep
'''


def test_blanking_empties_comments_and_docstrings_and_keeps_every_line() -> None:
    result = blanked(MODULE)
    assert result.count("\n") == MODULE.count("\n")
    assert "docstring" not in result and "why os" not in result and "Korean" not in result
    assert '"# not a comment"' in result  # a string is no comment
    assert result.splitlines()[10] == '        text = "# not a comment"'  # line 11 stays 11
    assert same_code(MODULE, result)
    comments = [
        token for token in tokenize.generate_tokens(StringIO(result).readline)
        if token.type == tokenize.COMMENT
    ]  # fmt: skip
    assert comments == []


def test_a_changed_statement_is_not_the_same_code() -> None:
    assert not same_code(MODULE, MODULE.replace("os.sep", "os.linesep"))


@pytest.fixture(scope="module")
def bundled(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("asset")
    bundle(ASSET_DIR, folder)
    return folder


def test_every_module_of_the_asset_is_bundled_as_the_same_code_line_for_line(
    bundled: Path,
) -> None:
    sources = sorted(p.relative_to(ASSET_DIR) for p in ASSET_DIR.rglob("*.py"))
    assert sorted(p.relative_to(bundled) for p in bundled.rglob("*.py")) == sources
    for relative in sources:
        source = (ASSET_DIR / relative).read_text(encoding="utf-8")
        deployed = (bundled / relative).read_text(encoding="utf-8")
        assert deployed.count("\n") == source.count("\n"), relative
        assert same_code(source, deployed), relative
    assert not list(bundled.rglob("__pycache__"))


def test_bundling_refuses_a_module_it_would_change(tmp_path: Path) -> None:
    source = tmp_path / "source"
    (source / "survey").mkdir(parents=True)
    (source / "survey" / "bad.py").write_text("x = 1\n")
    import connect_survey.infra.asset_bundle as asset_bundle

    original = asset_bundle.blanked
    try:
        asset_bundle.blanked = lambda text: text.replace("1", "2")  # type: ignore[assignment]
        with pytest.raises(AssetBundleError, match=r"bad\.py: blanking changed its code"):
            bundle(source, tmp_path / "out")
    finally:
        asset_bundle.blanked = original


def test_the_handlers_answer_from_the_bundled_asset_as_from_the_source(bundled: Path) -> None:
    # GIVEN only the asset on the path, as in Lambda, bundled or not / WHEN each handler of the
    # flows answers an event missing its parameters / THEN both copies answer the same
    script = (
        "import json, sys; sys.path.insert(0, sys.argv[1]);"
        "from survey import score, finish, eligibility, alert;"
        "event = {'Name': 'ContactFlowEvent', 'Details': {'ContactData': {}, 'Parameters': {}}};"
        "print(json.dumps([m.handler(event, None) for m in (score, finish, eligibility)]))"
    )
    environment = {"AWS_DEFAULT_REGION": "us-east-1", "POWERTOOLS_METRICS_DISABLED": "true"}

    def answers(folder: Path) -> object:
        result = subprocess.run(
            [sys.executable, "-c", script, str(folder)],
            capture_output=True, text=True, timeout=60, check=True, env=environment,
        )  # fmt: skip
        return json.loads(result.stdout.strip().splitlines()[-1])

    deployed = answers(bundled)
    assert deployed == answers(ASSET_DIR)
    assert isinstance(deployed, list) and all(isinstance(answer, dict) for answer in deployed)


def test_the_deployed_asset_stays_within_fifty_kilobytes_zipped() -> None:
    assert asset_size() <= 50 * 1024 < asset_size(deployed=False)
