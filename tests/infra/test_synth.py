"""Every stage synthesizes offline, passes cdk-nag (AwsSolutions and the project's own pack) and
cfn-lint."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import aws_cdk as cdk
import pytest
from aws_cdk.assertions import Annotations, Match

from connect_survey.config.stage import load_stage
from connect_survey.infra.nag import PACK_NAME, add_nag_checks
from connect_survey.infra.survey_stack import SurveyStack
from tests.infra.conftest import ROOT

if TYPE_CHECKING:
    from collections.abc import Callable

STAGES = ("dev", "staging", "prod")
# Findings of either pack, and a rule that failed to run (cdk-nag reports those as warnings).
NAG_FINDING = f"^(AwsSolutions-|{PACK_NAME}-|CdkNagValidationFailure)"


def synth_with_nag(
    context: dict[str, Any], stage: str, outdir: Path, *, log_ignores: bool = False
) -> SurveyStack:
    app = cdk.App(outdir=str(outdir))
    stack = SurveyStack(app, f"{stage}-stack", config=load_stage(context, stage))
    add_nag_checks(app, log_ignores=log_ignores)
    app.synth()
    return stack


@dataclass(frozen=True)
class NagChecked:
    """A stage synthesized once with both packs, suppressed findings logged as infos."""

    stack: SurveyStack
    annotations: Annotations
    template: dict[str, Any]
    template_path: Path


@pytest.fixture(scope="module")
def nag_checked(
    context: dict[str, Any], tmp_path_factory: pytest.TempPathFactory
) -> Callable[[str], NagChecked]:
    """Each stage checked by cdk-nag at most once per test process: it is the slowest synth."""
    built: dict[str, NagChecked] = {}

    def check(stage: str) -> NagChecked:
        if stage not in built:
            outdir = tmp_path_factory.mktemp(f"nag-{stage}")
            stack = synth_with_nag(context, stage, outdir, log_ignores=True)
            path = outdir / f"{stage}-stack.template.json"
            template = json.loads(path.read_text(encoding="utf-8"))
            built[stage] = NagChecked(stack, Annotations.from_stack(stack), template, path)
        return built[stage]

    return check


@pytest.mark.parametrize("stage", STAGES)
def test_stage_has_no_unsuppressed_nag_findings_and_lints_clean(
    context: dict[str, Any], nag_checked: Callable[[str], NagChecked], stage: str
) -> None:
    assert set(STAGES) == set(context["stages"]), "test every stage in cdk.json"
    checked = nag_checked(stage)
    findings = [
        *checked.annotations.find_error("*", Match.string_like_regexp(NAG_FINDING)),
        *checked.annotations.find_warning("*", Match.string_like_regexp(NAG_FINDING)),
    ]
    assert [f"{f.id}: {f.entry.data}" for f in findings] == []
    lint = subprocess.run(
        [
            str(Path(sys.executable).parent / "cfn-lint"),
            "--config-file",
            str(ROOT / ".cfnlintrc.yaml"),
            "--",
            str(checked.template_path),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert lint.returncode == 0, lint.stdout + lint.stderr


WHOLE_RESOURCE_RULES = {"AwsSolutions-S1", "AwsSolutions-KDF1"}


def test_each_suppression_names_one_rule_and_gives_a_reason(
    nag_checked: Callable[[str], NagChecked],
) -> None:
    template = nag_checked("dev").template
    suppressed = [
        (logical_id, rule)
        for logical_id, resource in template["Resources"].items()
        for rule in resource.get("Metadata", {}).get("cdk_nag", {}).get("rules_to_suppress", [])
    ]
    assert suppressed, "the X-Ray wildcard is expected to be suppressed"
    for logical_id, rule in suppressed:
        assert rule["id"].startswith(("AwsSolutions-", f"{PACK_NAME}-")), logical_id
        assert len(rule["reason"]) >= 40, (logical_id, rule)
        # Rules with granular findings (IAM wildcards) must name the one finding they accept.
        if rule["id"].startswith(("AwsSolutions-IAM", f"{PACK_NAME}-")):
            assert rule.get("applies_to"), (logical_id, rule)
    assert "Stack" not in {r.get("Type") for r in template["Resources"].values()}


@pytest.mark.parametrize("stage", STAGES)
def test_each_project_suppression_still_suppresses_a_finding(
    nag_checked: Callable[[str], NagChecked], stage: str
) -> None:
    # GIVEN the stage checked by the packs, suppressed findings logged
    checked = nag_checked(stage)

    # THEN every suppression of a project rule still matches a finding: none outlives its cause
    for logical_id, resource in checked.template["Resources"].items():
        rules = resource.get("Metadata", {}).get("cdk_nag", {}).get("rules_to_suppress", [])
        for rule in (r for r in rules if r["id"].startswith(f"{PACK_NAME}-")):
            for finding in rule["applies_to"]:
                suppressed = checked.annotations.find_info(
                    "*",
                    Match.string_like_regexp(
                        re.escape(f"[{finding}]: {rule['id']} was triggered but suppressed")
                    ),
                )
                assert suppressed, f"{logical_id}: {rule['id']}[{finding}] is suppressed in vain"


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("npx") is None, reason="the CDK CLI runs through npx")
def test_make_synth_synthesizes_the_default_stage_offline_and_names_its_template(
    tmp_path: Path,
) -> None:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("AWS_") or k == "AWS_EC2_METADATA_DISABLED"
    }
    env["AWS_EC2_METADATA_DISABLED"] = "true"
    # GIVEN another stage's template left in the output folder by an earlier synth
    stale = tmp_path / "survey-prod-stack.template.json"
    stale.write_text("{}", encoding="utf-8")

    # WHEN make synth runs (set-up taken as done: -o keeps make from reinstalling)
    result = subprocess.run(
        ["make", "--no-print-directory", "-o", ".venv/.installed", "-o",
         "node_modules/.installed", "synth", f"CDK_OUT={tmp_path}"],
        cwd=ROOT, env=env, capture_output=True, text=True, check=False, timeout=300,
    )  # fmt: skip

    # THEN its last line names the one template it wrote, and no other stage's is left
    assert result.returncode == 0, result.stderr[-3000:]
    written = tmp_path / "survey-dev-stack.template.json"
    assert result.stdout.splitlines()[-1] == f"make synth: wrote {written}"
    assert sorted(tmp_path.glob("*.template.json")) == [written]
    template = written.read_text()
    context = json.loads((ROOT / "cdk.json").read_text(encoding="utf-8"))["context"]
    dev = load_stage(context, "dev").offline
    # six per language, and the follow-up task flow where the stage starts tasks
    task_flows = int(dev.follow_up is not None)
    assert template.count('"AWS::Connect::ContactFlow"') == 6 * len(dev.languages) + task_flows
    # score, finish, eligibility, alert, sweeper
    assert template.count('"AWS::Lambda::Function"') == 5


@pytest.mark.slow
def test_cdk_cli_stops_on_a_configuration_error_naming_the_setting(tmp_path: Path) -> None:
    result = subprocess.run(
        [
            "npx", "--no-install", "cdk", "synth", "--quiet", "-c", "stage=nope",
            "--output", str(tmp_path),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )  # fmt: skip
    assert result.returncode != 0
    assert "Configuration error in cdk.json: stage: unknown stage 'nope'" in result.stderr
