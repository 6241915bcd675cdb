"""The handlers' Powertools Logger and Metrics (EMF), shared so both emit under one service.

No Tracer: the X-Ray SDK behind it costs ~250 ms of cold start; Lambda's active tracing suffices.
Never log the event: it carries the caller's phone number (CustomerEndpoint).
"""

from __future__ import annotations

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit

from .contract import METRICS_NAMESPACE, Metric

__all__ = ["Metric", "begin", "count", "logger", "metrics"]

logger = Logger()
metrics = Metrics(namespace=METRICS_NAMESPACE)


def count(metric: Metric) -> None:
    """Add one to `metric` in this invocation's EMF record."""
    metrics.add_metric(name=metric, unit=MetricUnit.Count, value=1)


def begin(contact_id: str | None, context: object) -> None:
    """Tag this invocation's log lines with the contact (correlation id) and the request id."""
    logger.set_correlation_id(contact_id)
    logger.append_keys(function_request_id=getattr(context, "aws_request_id", None))
