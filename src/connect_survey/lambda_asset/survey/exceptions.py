"""The errors the survey handlers raise among themselves; each handler turns them into a reason."""

from __future__ import annotations


class SurveyError(Exception):
    """Base of every error the handlers expect and answer with a reason instead of raising."""


class MalformedEventError(SurveyError):
    """Raised when the event is not a Connect contact flow event with a ContactId."""


class EnvironmentVariableError(SurveyError):
    """Raised when a handler environment variable is missing or invalid; `variable` names it."""

    def __init__(self, variable: str, message: str) -> None:
        super().__init__(f"{variable}: {message}")
        self.variable = variable


class InvalidAnswerError(SurveyError):
    """Raised when the caller's digits are not a score on the survey scale; `reason` says why."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class MalformedItemError(SurveyError):
    """Raised when a stored item or a stream image is not of its model's shape; names the
    attribute at fault."""


class StorageError(SurveyError):
    """Raised when the results table could not be read or written (refused, missing, too slow)."""


class DeadlineError(StorageError):
    """Raised when an AWS call was not started, or was abandoned, at the invocation's deadline; an
    abandoned write may still land."""


class AlertError(SurveyError):
    """Raised when SNS or EventBridge did not confirm a low-score alert; `maybe_sent` when the
    reply, not the request, was lost (only then can a retry duplicate it)."""

    def __init__(self, message: str, *, maybe_sent: bool) -> None:
        super().__init__(message)
        self.maybe_sent = maybe_sent
