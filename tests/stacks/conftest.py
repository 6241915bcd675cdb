"""Shared fixtures for stack tests: the real cdk.json stages and a synthesized dev stack."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk.assertions import Template

from connect_survey.config.stage import StageConfig, load_stage
from connect_survey.infra.survey_stack import SurveyStack

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def context() -> dict[str, Any]:
    return json.loads((ROOT / "cdk.json").read_text())["context"]


@pytest.fixture
def stages(context: dict[str, Any]) -> dict[str, Any]:
    """A deep copy of the stages, safe to edit in a test."""
    return copy.deepcopy(context["stages"])


def build_stack(config: StageConfig) -> SurveyStack:
    app = cdk.App()
    return SurveyStack(app, config.offline.resource_name("stack"), config=config)


@pytest.fixture(scope="session")
def dev_config(context: dict[str, Any]) -> StageConfig:
    return load_stage(context, "dev")


@pytest.fixture(scope="session")
def dev_template(dev_config: StageConfig) -> Template:
    return Template.from_stack(build_stack(dev_config))
