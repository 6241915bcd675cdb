"""Shared fixtures for stack tests: the real cdk.json stages and a synthesized dev stack."""

from __future__ import annotations

from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk.assertions import Template

from connect_survey import PROJECT_ROOT
from connect_survey.config.stage import StageConfig, load_stage
from connect_survey.infra.outputs import stack_name
from connect_survey.infra.survey_stack import SurveyStack

ROOT = PROJECT_ROOT


def build_stack(config: StageConfig) -> SurveyStack:
    app = cdk.App()
    return SurveyStack(app, stack_name(config), config=config)


@pytest.fixture(scope="session")
def dev_config(context: dict[str, Any]) -> StageConfig:
    return load_stage(context, "dev")


@pytest.fixture(scope="session")
def dev_template(dev_config: StageConfig) -> Template:
    return Template.from_stack(build_stack(dev_config))
