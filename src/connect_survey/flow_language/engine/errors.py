"""What the simulator raises: one base, `FlowError`, and a narrow subclass per cause.

Every error carries where it happened (the flow and the action id, "" for the flow itself) and
reads `flow: action: message`, so a failing scenario names the block to look at.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Sequence

    from connect_survey.flow_language.lint import Finding


class FlowError(Exception):
    """Base of every simulator error; `flow` and `action_id` say where it happened."""

    def __init__(self, flow: str, action_id: str, message: str) -> None:
        super().__init__(message)
        self.flow = flow
        self.action_id = action_id
        self.message = message

    def __str__(self) -> str:
        return f"{self.flow}: {self.action_id or '(flow)'}: {self.message}"


class InvalidFlowError(FlowError):
    """Raised when the linter rejects a document with an error (Connect would refuse the flow,
    or could not run it): the simulator plays no such flow. `findings` lists every error; the
    message is the first one's `rule: message`, the rule id as `connect-survey lint` shows it."""

    def __init__(self, flow: str, findings: Sequence[Finding]) -> None:
        first, more = findings[0], len(findings) - 1
        also = f" (and {more} more error{'s' * (more > 1)})" if more else ""
        super().__init__(flow, first.action, f"{first.rule}: {first.message}{also}")
        self.findings = list(findings)
        self.rule = first.rule


class UnsupportedActionError(FlowError):
    """Raised when an action's `Type` has no simulator implementation (never skipped)."""

    def __init__(self, flow: str, action_id: str, action_type: str) -> None:
        super().__init__(
            flow, action_id, f"action type {action_type!r} is not supported by the simulator"
        )
        self.action_type = action_type


class UnsupportedReferenceError(FlowError):
    """Raised when a value is one JSONPath reference the simulator does not know."""


class DeadEndError(FlowError):
    """Raised when an action's outcome needs a branch (NextAction, condition, error) it lacks."""

    def __init__(self, flow: str, action_id: str, outcome: str) -> None:
        super().__init__(flow, action_id, f"no branch for {outcome}: the call would be stuck here")
        self.outcome = outcome


class UnknownFunctionError(FlowError):
    """Raised when no handler is registered for a Lambda ARN (a wiring bug, not a Lambda error)."""

    def __init__(self, flow: str, action_id: str, function: str) -> None:
        super().__init__(flow, action_id, f"no Lambda handler registered for {function!r}")
        self.function = function


class UnknownFlowError(FlowError):
    """Raised when a flow reference (TransferToFlow, an event hook) resolves to no flow."""

    def __init__(self, flow: str, action_id: str, reference: str) -> None:
        super().__init__(flow, action_id, f"no flow known for {reference!r}")
        self.reference = reference


class UnknownQueueError(FlowError):
    """Raised when the queue-name resolver does not know a queue reference."""

    def __init__(self, flow: str, action_id: str, reference: str) -> None:
        super().__init__(flow, action_id, f"no queue known for {reference!r}")
        self.reference = reference


class StepLimitError(FlowError):
    """Raised when one flow run takes more steps than allowed (a loop with no way out)."""


class FlowRunLimitError(FlowError):
    """Raised when a call runs more flows than allowed (e.g. a disconnect flow that never ends)."""
