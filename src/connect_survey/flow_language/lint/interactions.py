"""Interaction rules: Lambda calls (InvokeLambdaFunction) and callbacks (CreateCallbackContact)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from connect_survey.flow_language.lint.registry import action_rule, not_within
from connect_survey.flow_language.spec import choice, is_text, limit, parameters, whole_number

LAMBDA = "InvokeLambdaFunction"
CALLBACK = "CreateCallbackContact"


@action_rule("lambda-arn", LAMBDA)
def lambda_arn(action: Mapping[str, Any]) -> Iterator[str]:
    if not is_text(parameters(action).get("LambdaFunctionARN")):
        yield "LambdaFunctionARN must be a non-empty string"


@action_rule("lambda-timeout", LAMBDA)
def lambda_timeout(action: Mapping[str, Any]) -> Iterator[str]:
    value = parameters(action).get("InvocationTimeLimitSeconds")
    allowed = limit(LAMBDA, "InvocationTimeLimitSeconds")
    if whole_number(value) not in allowed:
        yield not_within("InvocationTimeLimitSeconds", allowed, value)


@action_rule("lambda-options", LAMBDA)
def lambda_options(action: Mapping[str, Any]) -> Iterator[str]:
    params = parameters(action)
    validation = params.get("ResponseValidation", {})
    response_type = validation.get("ResponseType") if isinstance(validation, Mapping) else None
    response_types = choice(LAMBDA, "ResponseType").values
    if "ResponseValidation" in params and response_type not in response_types:
        yield (
            f"ResponseValidation.ResponseType must be {' or '.join(response_types)}, "
            f"got {response_type!r}"
        )
    invocation_types = choice(LAMBDA, "InvocationType")
    invocation = params.get("InvocationType", invocation_types.default)
    if invocation not in invocation_types.values:
        yield (f"InvocationType must be {' or '.join(invocation_types.values)}, got {invocation!r}")
    attributes = params.get("LambdaInvocationAttributes", {})
    if not isinstance(attributes, Mapping) or not all(
        isinstance(value, str) for value in attributes.values()
    ):
        yield "LambdaInvocationAttributes must map names to strings"


@action_rule("callback", CALLBACK)
def callback(action: Mapping[str, Any]) -> Iterator[str]:
    for name in ("InitialCallDelaySeconds", "MaximumConnectionAttempts", "RetryDelaySeconds"):
        allowed = limit(CALLBACK, name)
        value = parameters(action).get(name)
        if whole_number(value) not in allowed:
            bound = f" and at most {allowed.high}" if allowed.high is not None else ""
            yield f"{name} must be a whole number above {allowed.low - 1}{bound}, got {value!r}"
