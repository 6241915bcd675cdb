#!/usr/bin/env python3
"""CDK entry point: reads the chosen stage's configuration and builds its stack.

The CDK CLI runs it (`make synth`), passing cdk.json's context; run by hand it says so before
importing the CDK (whose start-up alone takes seconds and prints Node's banners).
"""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import aws_cdk as cdk

# Set by the CDK CLI for the app it runs (cx-api's OUTDIR_ENV), with the context beside it.
CDK_CLI_OUTDIR = "CDK_OUTDIR"
NOT_FROM_CDK_CLI = (
    "app.py is run by the CDK CLI, which passes it cdk.json's context: use `make synth` "
    "(STAGE=name for another stage)"
)


def main(app: cdk.App | None = None) -> None:
    """Synthesize the stage; a mistake in cdk.json, a flow template or a test case is one line,
    no traceback."""
    import aws_cdk as cdk

    from connect_survey.config.errors import ConfigError
    from connect_survey.config.pipeline import load_pipeline
    from connect_survey.config.stage import load_stage
    from connect_survey.flows.render import RenderError
    from connect_survey.infra.nag import add_nag_checks
    from connect_survey.infra.outputs import stack_name
    from connect_survey.infra.pipeline_stack import (
        PIPELINE_CONTEXT,
        PIPELINE_STACK_CONTEXT,
        PipelineStack,
    )
    from connect_survey.infra.survey_stack import SurveyStack
    from connect_survey.test_cases.files import CaseError

    app = app or cdk.App()
    try:
        if app.node.try_get_context(PIPELINE_STACK_CONTEXT):  # make synth-pipeline
            context = {key: app.node.try_get_context(key) for key in ("stages", PIPELINE_CONTEXT)}
            PipelineStack(app, "connect-survey-pipeline", config=load_pipeline(context))
        else:
            config = load_stage(
                {"stages": app.node.try_get_context("stages")}, app.node.try_get_context("stage")
            )
            SurveyStack(app, stack_name(config), config=config)
    except ConfigError as error:
        sys.exit(f"Configuration error in cdk.json: {error}")
    except RenderError as error:
        sys.exit(
            f"Flow template error: {error}. Fix the template in "
            "src/connect_survey/flows/templates/ (`connect-survey lint KEY` and "
            "`connect-survey render KEY` show the rendered flow)."
        )
    except CaseError as error:  # liveTests: the stage deploys testcases/
        sys.exit(f"Test case error: {error}")
    add_nag_checks(app)
    app.synth()


if __name__ == "__main__":
    if CDK_CLI_OUTDIR not in os.environ:
        sys.exit(NOT_FROM_CDK_CLI)
    main()
