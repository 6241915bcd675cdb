"""Facts about Connect that both the Lambda asset and the Flow Language toolkit state.

Neither may import the other (the asset imports nothing of ours; the toolkit is usable on any
flow), so each states the fact once, and this test fails when the two drift apart.
"""

from __future__ import annotations

from connect_survey.flow_language import spec
from connect_survey.lambda_asset.survey.answers import parse_score
from connect_survey.lambda_asset.survey.budget import CONNECT_FLOW_LIMIT_SECONDS
from connect_survey.lambda_asset.survey.contract import REASON_TIMEOUT, STORED_TIMEOUT
from connect_survey.lambda_asset.survey.definition import SurveyDefinition
from connect_survey.lambda_asset.survey.exceptions import InvalidAnswerError


def test_the_flow_limit_is_the_largest_invocation_time_limit_the_language_accepts() -> None:
    allowed = spec.limit("InvokeLambdaFunction", "InvocationTimeLimitSeconds")

    assert allowed.high == CONNECT_FLOW_LIMIT_SECONDS


def test_the_stored_timeout_is_what_the_engine_stores_and_the_score_handler_names() -> None:
    assert spec.STORED_TIMEOUT == STORED_TIMEOUT

    try:
        parse_score(spec.STORED_TIMEOUT, SurveyDefinition())
    except InvalidAnswerError as invalid:
        assert invalid.reason == REASON_TIMEOUT
    else:
        raise AssertionError("a stored timeout must not be a score")
