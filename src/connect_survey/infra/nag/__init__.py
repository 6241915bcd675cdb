"""cdk-nag for the project: its own rule pack (`pack`, a module per rule) and, in one place, the
findings it accepts (`suppressions`), each on one resource with its reason."""

from __future__ import annotations

from typing import TYPE_CHECKING

from aws_cdk import Aspects
from cdk_nag import AwsSolutionsChecks

from connect_survey.infra.nag.pack import PACK_NAME, RULES, ConnectSurveyChecks
from connect_survey.infra.nag.suppressions import suppress_findings, suppress_reporting_findings

if TYPE_CHECKING:
    from constructs import IConstruct

__all__ = [
    "PACK_NAME",
    "RULES",
    "ConnectSurveyChecks",
    "add_nag_checks",
    "suppress_findings",
    "suppress_reporting_findings",
]


def add_nag_checks(scope: IConstruct, *, log_ignores: bool = False) -> None:
    """AwsSolutions and the project's own pack on everything under `scope`; with `log_ignores`,
    each suppressed finding is logged as an info (the tests check no suppression is in vain).

    Aspects added to an app do not reach into a `Stage`'s own assembly: a stage adds them too.
    """
    Aspects.of(scope).add(AwsSolutionsChecks(verbose=True, log_ignores=log_ignores))
    Aspects.of(scope).add(ConnectSurveyChecks(verbose=True, log_ignores=log_ignores))
