#!/usr/bin/env python3
"""CDK entry point: reads the chosen stage's configuration and builds its stack."""

from __future__ import annotations

import sys

import aws_cdk as cdk
from cdk_nag import AwsSolutionsChecks

from stacks.config import ConfigError, load_stage
from stacks.survey_stack import SurveyStack


def main() -> None:
    app = cdk.App()
    try:
        config = load_stage(
            {"stages": app.node.try_get_context("stages")}, app.node.try_get_context("stage")
        )
    except ConfigError as error:
        sys.exit(f"Configuration error in cdk.json: {error}")
    SurveyStack(app, f"{config.offline.name_prefix}-stack", config=config)
    cdk.Aspects.of(app).add(AwsSolutionsChecks(verbose=True))
    app.synth()


if __name__ == "__main__":
    main()
