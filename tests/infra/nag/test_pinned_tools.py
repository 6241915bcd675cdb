"""ConnectSurvey-UnpinnedBuildTool: build steps install their tools at exact versions."""

from __future__ import annotations

import pytest
from aws_cdk import aws_codebuild as codebuild

from connect_survey.infra.nag.pack import RULES
from connect_survey.infra.nag.pinned_tools import unpinned_tools
from tests.infra.nag.conftest import checked_stack, flagged

[RULE] = [rule for rule in RULES if rule.suffix == "UnpinnedBuildTool"]


def project_installing(*commands: str) -> list[str]:
    stack = checked_stack()
    codebuild.PipelineProject(
        stack,
        "Build",
        build_spec=codebuild.BuildSpec.from_object(
            {"version": "0.2", "phases": {"install": {"commands": list(commands)}}}
        ),
    )
    return [finding.finding for finding in flagged(stack, RULE)]


def test_cdk_pipelines_default_installs_are_flagged() -> None:
    # GIVEN the installs CDK Pipelines writes when nothing is pinned
    findings = project_installing(
        "npm install -g aws-cdk@2", "npm install -g cdk-assets@latest", "npm install -g aws-cdk"
    )

    # THEN each is a finding of its own, as written
    assert findings == ["cdk-assets@latest", "aws-cdk@2", "aws-cdk"]


def test_exact_versions_pass() -> None:
    assert project_installing("npm install -g aws-cdk@2.1148.1 cdk-assets@4.7.3") == []


@pytest.mark.parametrize(
    ("commands", "unpinned"),
    [
        ("npm i --global aws-cdk@^2.100.0", ["aws-cdk@^2.100.0"]),
        ("npm install aws-cdk@2 -g", ["aws-cdk@2"]),
        ("npm install -g @aws-cdk/toolkit-lib@1.2.3", []),
        ("npm install -g @aws-cdk/toolkit-lib", ["@aws-cdk/toolkit-lib"]),
        ("npm ci", []),
        ("npx cdk synth", ["npx cdk"]),
        ("npx --no-install cdk synth", []),
        ("npx -y cdk-assets@4.7.3 publish", []),
        ("pip install tool@latest", ["tool@latest"]),
    ],
)
def test_what_counts_as_pinned(commands: str, unpinned: list[str]) -> None:
    assert unpinned_tools(commands) == unpinned
