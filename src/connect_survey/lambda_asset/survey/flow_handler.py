"""The one wrapper of the handlers a flow waits for (score, finish): it never raises.

Connect takes a Lambda's error branch on an exception, and the caller's answer would be lost: so
an event with no contact to work on, or any unexpected failure, is logged, counted and answered
with the handler's own flat string map instead. A parameter not of its allowed form is answered
as an invalid input before the handler sees it, so it is never stored or sent. Every AWS call the
handler makes is under the invocation's absolute deadline (`deadline.py`).
"""

from __future__ import annotations

from functools import wraps
from typing import TYPE_CHECKING

from . import deadline
from .contact import Contact
from .contract import invalid_parameters
from .exceptions import MalformedEventError
from .telemetry import Metric, begin, count, logger, metrics

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    from aws_lambda_powertools.utilities.typing import LambdaContext

    Work = Callable[[Contact, object], dict[str, str]]
    Handler = Callable[[object, "LambdaContext | None"], dict[str, str]]


def flow_handler(
    *,
    malformed: Mapping[str, str],
    invalid: Mapping[str, str],
    failed: Mapping[str, str],
    failure: str,
) -> Callable[[Work], Handler]:
    """Make `work(contact, context)` (its log lines tagged with the contact) a Lambda handler
    answering `malformed` to an event without a
    contact, `invalid` to a parameter not of its allowed form, and `failed` (logged as `failure`)
    when anything else goes wrong."""

    def decorate(work: Work) -> Handler:
        @metrics.log_metrics
        @wraps(work)
        def handler(event: object, context: LambdaContext | None) -> dict[str, str]:
            try:
                contact = Contact.from_event(event)
                begin(contact.contact_id, context)
                if refused(contact.parameters):
                    return dict(invalid)
                with deadline.invocation(context):
                    return work(contact, context)
            except MalformedEventError as error:
                begin(None, context)
                logger.warning("Malformed event", extra={"error": str(error)})
                count(Metric.MALFORMED_EVENT)
                return dict(malformed)
            except Exception:
                logger.exception(failure)
                count(Metric.INTERNAL_ERROR)
                return dict(failed)

        return handler

    return decorate


def refused(parameters: Mapping[str, str]) -> bool:
    """Whether a parameter is not of its allowed form; logged by name (the value could be a phone
    number) and counted."""
    names = invalid_parameters(parameters)
    if names:
        logger.warning("Flow parameters not of their allowed form", extra={"parameters": names})
        count(Metric.INVALID_PARAMETER)
    return bool(names)
