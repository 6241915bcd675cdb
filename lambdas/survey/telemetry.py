"""The handlers' Powertools Logger and Metrics (EMF), shared so both emit under one service.

No Tracer: the X-Ray SDK behind it costs ~250 ms of cold start; Lambda's active tracing suffices.
Never log the event: it carries the caller's phone number (CustomerEndpoint).
"""

from __future__ import annotations

from enum import StrEnum

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit

from .contract import METRICS_NAMESPACE

logger = Logger()
metrics = Metrics(namespace=METRICS_NAMESPACE)


class Metric(StrEnum):
    """The counts the handlers emit (EMF), named for the stack's alarms and dashboards."""

    ANSWER_RECORDED = "AnswerRecorded"  # a valid answer (stored or not)
    INVALID_ANSWER = "InvalidAnswer"  # out of range, not a number, timeout, empty, unknown question
    STORAGE_ERROR = "StorageError"  # an answer that could not be written
    SURVEY_COMPLETED = "SurveyCompleted"
    LOW_SCORE = "LowScore"  # a finished survey with a score below the threshold
    ALERT_PUBLISHED = "AlertPublished"  # one per channel (SNS, EventBridge) sent
    ALERT_ERROR = "AlertError"  # one per channel that failed to send
    # One per alert sent after taking over an expired claim: its sender may have sent it too.
    ALERT_POSSIBLE_DUPLICATE = "AlertPossibleDuplicate"
    MALFORMED_EVENT = "MalformedEvent"
    INTERNAL_ERROR = "InternalError"


def count(metric: Metric) -> None:
    """Add one to `metric` in this invocation's EMF record."""
    metrics.add_metric(name=metric, unit=MetricUnit.Count, value=1)


def begin(contact_id: str | None, context: object) -> None:
    """Tag this invocation's log lines with the contact (correlation id) and the request id."""
    logger.set_correlation_id(contact_id)
    logger.append_keys(function_request_id=getattr(context, "aws_request_id", None))
