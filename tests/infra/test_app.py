"""`make synth` (app.py) stops on a user's mistake with one line instead of a traceback."""

from __future__ import annotations

import shutil
from typing import TYPE_CHECKING, Any

import aws_cdk as cdk
import pytest

import app
from connect_survey.flows import render

if TYPE_CHECKING:
    from pathlib import Path


def test_broken_flow_template_stops_synth_with_one_line_naming_the_template(
    context: dict[str, Any], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # GIVEN the templates with one of them no longer valid JSON
    templates = tmp_path / "templates"
    shutil.copytree(render.TEMPLATES, templates)
    (templates / "opt-in-survey.json").write_text('{"Actions": [', encoding="utf-8")
    monkeypatch.setattr(render, "TEMPLATES", templates)

    # WHEN the app is synthesized
    with pytest.raises(SystemExit) as stop:
        app.main(cdk.App(context={"stages": context["stages"], "stage": "dev"}))

    # THEN synth stops with one line naming the flow, the file and where to fix it
    message = str(stop.value.code)
    assert "\n" not in message
    assert message.startswith(
        "Flow template error: flow opt-in-survey: opt-in-survey.json is not valid JSON"
    )
    assert "flows/templates/" in message


def test_configuration_mistake_stops_synth_with_the_setting_path(
    context: dict[str, Any],
) -> None:
    # GIVEN a stage that cdk.json does not have
    # WHEN the app is synthesized for it
    with pytest.raises(SystemExit) as stop:
        app.main(cdk.App(context={"stages": context["stages"], "stage": "qa"}))

    # THEN synth stops with the setting and the stages there are
    assert str(stop.value.code).startswith(
        "Configuration error in cdk.json: stage: unknown stage 'qa'"
    )


def test_app_run_by_hand_says_to_use_make_synth() -> None:
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k != app.CDK_CLI_OUTDIR}
    done = subprocess.run(
        [sys.executable, "app.py"], cwd=app.__file__.rpartition("/")[0], env=env,
        capture_output=True, text=True, check=False, timeout=60,
    )  # fmt: skip
    assert done.returncode == 1
    assert done.stderr == app.NOT_FROM_CDK_CLI + "\n"
    assert "make synth" in done.stderr
