"""What a client may follow and change while a call runs: the observer protocol.

A test runner, a debugger or a recorder passes a `CallObserver` to `Simulation.run`: it sees the
call start, every entry of the call log as it is written, and every action before it runs, and
may answer an action itself (an outcome: the next action id, or the end of the flow run). It may
stop the call by raising an exception of its own, which the engine lets through.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from connect_survey.flow_language.engine.document import Action
    from connect_survey.flow_language.engine.run import Outcome, Run
    from connect_survey.flow_language.engine.state import CallState, Event


class CallObserver(Protocol):
    def call_started(self, state: CallState) -> None:
        """The call is about to run its first action; `state` is the call's, live."""

    def event_logged(self, event: Event) -> None:
        """An entry was just added to the call log."""

    def action_starting(self, run: Run, action: Action) -> Outcome | None:
        """`action` is about to run: None lets it run, an outcome answers it instead."""
