"""Interactions: invoking a Lambda function and creating a callback contact.

https://docs.aws.amazon.com/connect/latest/APIReference/interactions-invokelambdafunction.html
"""

from __future__ import annotations

import json
import time
from typing import TYPE_CHECKING, Any

from connect_survey.flow_language.engine.actions.contact import queue_parameter
from connect_survey.flow_language.engine.actions.params import number, setting
from connect_survey.flow_language.engine.actions.registry import implements
from connect_survey.flow_language.engine.errors import UnknownFunctionError
from connect_survey.flow_language.engine.invoke import (
    LambdaContext,
    call_handler,
    contact_flow_event,
    function_name,
    response_problem,
)
from connect_survey.flow_language.engine.state import EventKind
from connect_survey.flow_language.engine.transitions import fail, succeed
from connect_survey.flow_language.spec import E164, NO_MATCHING_ERROR

if TYPE_CHECKING:
    from connect_survey.flow_language.engine.document import Action
    from connect_survey.flow_language.engine.run import Outcome, Run


@implements("InvokeLambdaFunction")
def invoke_lambda_function(run: Run, action: Action) -> Outcome:
    """Call the handler with Connect's event; its answer replaces `$.External` entirely."""
    arn = run.text(action, action.parameters["LambdaFunctionARN"])
    limit = number(action, "InvocationTimeLimitSeconds")
    synchronous = setting(action, "InvocationType") == "SYNCHRONOUS"
    response_type = setting(action, "ResponseValidation.ResponseType")
    handler = run.services.functions(arn)
    if handler is None:
        raise UnknownFunctionError(action.flow, action.identifier, arn)
    parameters = _invocation_attributes(run, action)
    run.services.invocations += 1
    context = LambdaContext(
        function_name=function_name(arn),
        invoked_function_arn=arn,
        aws_request_id=f"00000000-0000-4000-8000-{run.services.invocations:012d}",
        deadline=time.monotonic() + limit,
    )
    event = contact_flow_event(run.state, parameters)
    response, error = call_handler(
        handler, event, context, limit, enforce_limit=run.services.enforce_time_limits
    )
    if error is None and synchronous:
        error = response_problem(response, response_type)
    record: dict[str, Any] = {"function": arn, "parameters": parameters}
    if error is not None:
        record["error"] = error
    elif synchronous:
        record["response"] = json.loads(json.dumps(response))
    run.state.lambda_invocations.append(record)
    run.log(action, EventKind.LAMBDA, context.function_name, **record)
    if not synchronous:  # Connect neither waits for the answer nor sees the errors
        return succeed(action)
    if error is not None:
        run.state.external = {}
        return fail(run, action, NO_MATCHING_ERROR, f"Lambda {context.function_name} {error}")
    run.state.external = record["response"]
    return succeed(action)


def _invocation_attributes(run: Run, action: Action) -> dict[str, str]:
    raw = action.parameters.get("LambdaInvocationAttributes", {})
    return {run.text(action, key): run.text(action, value) for key, value in raw.items()}


@implements("CreateCallbackContact")
def create_callback_contact(run: Run, action: Action) -> Outcome:
    """Record a callback on QueueId/AgentId, or on the contact's current target queue."""
    queue = queue_parameter(run, action) or run.state.queue
    if queue is None:
        return fail(run, action, NO_MATCHING_ERROR, "no queue for the callback")
    # Without UpdateContactCallbackNumber, Connect dials the caller's own number.
    number = run.state.callback_number or run.state.contact.customer_address
    if not E164.match(number):
        return fail(run, action, NO_MATCHING_ERROR, f"no number to call back ({number!r})")
    run.state.callbacks.append({"queue": queue.name, "number": number})
    run.log(
        action,
        EventKind.CALLBACK,
        f"callback to {number} on queue {queue.name}",
        queue=queue.name,
        number=number,
    )
    return succeed(action)
