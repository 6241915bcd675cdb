"""`connect-survey report` and `generate-ctrs`; their options live beside the code they drive,
in `reports.command`."""

from __future__ import annotations

from typing import Any

from connect_survey.cli.common import stage_from, stage_options
from connect_survey.reports import command


def add_report(commands: Any) -> None:
    command.register(commands, stage_options, lambda args: stage_from(args).inputs.survey)
