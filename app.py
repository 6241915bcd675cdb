#!/usr/bin/env python3
"""CDK entry point: reads the chosen stage's configuration and builds its stack."""

from __future__ import annotations

import sys

import aws_cdk as cdk
from cdk_nag import AwsSolutionsChecks

from flows.render import RenderError
from stacks.config import ConfigError, load_stage
from stacks.survey_stack import SurveyStack


def main(app: cdk.App | None = None) -> None:
    """Synthesize the stage; a mistake in cdk.json or a flow template is one line, no traceback."""
    app = app or cdk.App()
    try:
        config = load_stage(
            {"stages": app.node.try_get_context("stages")}, app.node.try_get_context("stage")
        )
        SurveyStack(app, f"{config.offline.name_prefix}-stack", config=config)
    except ConfigError as error:
        sys.exit(f"Configuration error in cdk.json: {error}")
    except RenderError as error:
        sys.exit(
            f"Flow template error: {error}. Fix the template in flows/templates/ "
            "(`connect-survey lint KEY` and `connect-survey render KEY` show the rendered flow)."
        )
    cdk.Aspects.of(app).add(AwsSolutionsChecks(verbose=True))
    app.synth()


if __name__ == "__main__":
    main()
