"""The handler environment: built here for the stack and the simulator, read at call time.

Read at call time so tests and the simulator can change it.
"""

from __future__ import annotations

import os
from functools import lru_cache
from typing import Final

from .contract import (
    ENV_INSTANCE_ALIAS,
    ENV_RETENTION_DAYS,
    ENV_SURVEY,
    ENV_TABLE,
    METRICS_NAMESPACE,
)
from .definition import SurveyDefinition
from .exceptions import EnvironmentVariableError

DEFAULT_RETENTION_DAYS: Final = 365


def handler_environment(
    *,
    function_name: str,
    table_name: str,
    survey: SurveyDefinition,
    retention_days: int,
    instance_alias: str | None = None,
) -> dict[str, str]:
    """The environment both the stack and the simulator give a handler: one definition (the
    alert function also gets its channels' `variables`)."""
    optional = {ENV_INSTANCE_ALIAS: instance_alias} if instance_alias else {}
    return {
        **optional,
        ENV_TABLE: table_name,
        ENV_SURVEY: survey.to_env(),
        ENV_RETENTION_DAYS: str(retention_days),
        "POWERTOOLS_SERVICE_NAME": function_name,
        "POWERTOOLS_METRICS_NAMESPACE": METRICS_NAMESPACE,
    }


def survey() -> SurveyDefinition:
    """The survey definition the stack rendered the flows from."""
    return _parse_survey(required(ENV_SURVEY))


def table_name() -> str:
    return required(ENV_TABLE)


def instance_alias() -> str | None:
    """The Connect instance alias alerts link to, when the stage names it."""
    return os.environ.get(ENV_INSTANCE_ALIAS, "").strip() or None


def retention_days() -> int:
    """Days an answer is kept before DynamoDB's TTL removes it."""
    text = os.environ.get(ENV_RETENTION_DAYS, "").strip()
    if not text:
        return DEFAULT_RETENTION_DAYS
    if not text.isdecimal() or int(text) < 1:
        raise EnvironmentVariableError(
            ENV_RETENTION_DAYS, f"{text!r} must be a whole number of days, >= 1"
        )
    return int(text)


def required(variable: str) -> str:
    """The variable's value; EnvironmentVariableError, naming it, when it is unset or blank."""
    value = os.environ.get(variable, "").strip()
    if not value:
        raise EnvironmentVariableError(
            variable, "is not set; the stack (or the simulator) must provide it"
        )
    return value


@lru_cache(maxsize=4)  # parsed once per distinct text, so reading at call time stays cheap
def _parse_survey(text: str) -> SurveyDefinition:
    try:
        return SurveyDefinition.from_env(text)
    except (ValueError, KeyError, TypeError) as error:
        message = f"is not a survey definition from to_env(): {error}"
        raise EnvironmentVariableError(ENV_SURVEY, message) from error
