"""Any client can follow a call and take the caller's part: the observer and caller protocols."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from connect_survey.flow_language.engine import (
    Caller,
    CallObserver,
    Entry,
    EventKind,
    Flow,
    Simulation,
)
from tests.flow_language.fixtures.flowdocs import action, flow, say

if TYPE_CHECKING:
    from connect_survey.flow_language.engine import Action, Event, Outcome, Run
    from connect_survey.flow_language.engine.state import CallState

MENU = Flow(
    "menu",
    flow(
        say("welcome", "Welcome.", next_action="menu"),
        action(
            "menu",
            "GetParticipantInput",
            {"Text": "Press 1 or 2.", "StoreInput": "False", "InputTimeLimitSeconds": "5"},
            next_action="remember",
            conditions=[("Equals", "1", "remember"), ("Equals", "2", "remember")],
            errors=[
                ("InputTimeLimitExceeded", "remember"),
                ("NoMatchingCondition", "remember"),
                ("NoMatchingError", "remember"),
            ],
        ),
        action(
            "remember",
            "UpdateContactAttributes",
            {"Attributes": {"Choice": "$.StoredCustomerInput"}},
            next_action="bye",
        ),
        say("bye", "Goodbye."),
    ),
)


class Follower:
    """Sees the call start, every log entry, every action; answers `remember` itself."""

    def __init__(self) -> None:
        self.started: CallState | None = None
        self.entries: list[tuple[EventKind, str]] = []
        self.actions: list[str] = []

    def call_started(self, state: CallState) -> None:
        self.started = state

    def event_logged(self, event: Event) -> None:
        self.entries.append((event.kind, event.action))

    def action_starting(self, run: Run, action: Action) -> Outcome | None:
        self.actions.append(action.identifier)
        return "bye" if action.identifier == "remember" else None


class Listener:
    """A caller deciding at each input from what it has heard so far."""

    def __init__(self, follower: Follower) -> None:
        self.follower = follower

    def next(self) -> Entry:
        heard = [kind for kind, _ in self.follower.entries if kind is EventKind.PROMPT]
        return Entry("keys", str(len(heard)))

    @property
    def remaining(self) -> list[str]:
        return []


def test_an_observer_follows_the_call_and_may_answer_an_action() -> None:
    follower = Follower()
    observer: CallObserver = follower
    caller: Caller = Listener(follower)
    result = Simulation().run(MENU, caller=caller, observer=observer, attributes={"A": "1"})
    # THEN it saw the call's state before the first action, and every action before it ran
    assert follower.started is not None and follower.started.attributes["A"] == "1"
    assert follower.actions == ["welcome", "menu", "remember", "bye", "hang-up"]
    # AND the caller answered from what it had heard (two prompts: it pressed 2)
    assert (EventKind.KEYS, "menu") in follower.entries
    assert "Choice" not in result.attributes  # `remember` was answered by the observer
    assert follower.entries == [(e.kind, e.action) for e in result.events]


def test_a_caller_or_inputs_but_not_both() -> None:
    with pytest.raises(ValueError, match="not both"):
        Simulation().run(MENU, inputs=["1"], caller=Listener(Follower()))
