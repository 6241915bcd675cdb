"""Participant actions: what the caller hears and keys in, and hanging up.

https://docs.aws.amazon.com/connect/latest/APIReference/participant-actions.html
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from connect_survey.flow_language.engine.actions.params import number, setting, speak
from connect_survey.flow_language.engine.actions.registry import implements
from connect_survey.flow_language.engine.run import End, Ending, Outcome, Run
from connect_survey.flow_language.engine.state import EventKind
from connect_survey.flow_language.engine.transitions import branch_on, fail, succeed
from connect_survey.flow_language.spec import (
    DEFAULT_TERMINATOR,
    INPUT_TIME_LIMIT_EXCEEDED,
    MISSING,
    NO_MATCHING_ERROR,
    STORED_TIMEOUT,
    value_at,
)

if TYPE_CHECKING:
    from connect_survey.flow_language.engine.caller import Entry
    from connect_survey.flow_language.engine.document import Action


@implements("MessageParticipant")
def message_participant(run: Run, action: Action) -> Outcome:
    if not run.state.customer_present:
        return _no_customer(run, action)
    speak(run, action)
    if action.identifier in run.services.hang_up_during:
        return _hang_up(run, action)
    return succeed(action)


@implements("GetParticipantInput")
def get_participant_input(run: Run, action: Action) -> Outcome:
    """Play the prompt, then take the caller's next entry: a menu choice or stored digits."""
    seconds = number(action, "InputTimeLimitSeconds")
    store = setting(action, "StoreInput") == "True"
    if not run.state.customer_present:
        return _no_customer(run, action)
    speak(run, action)
    if action.identifier in run.services.hang_up_during:
        return _hang_up(run, action)
    entry = run.services.caller.next()
    if entry.kind == "hangup":
        return _hang_up(run, action)
    if entry.kind == "timeout":
        run.log(action, EventKind.TIMEOUT, f"no key within {seconds} s", seconds=seconds)
    else:
        run.log(action, EventKind.KEYS, entry.keys, keys=entry.keys)
    return _store(run, action, entry) if store else _menu(run, action, entry)


def _hang_up(run: Run, action: Action) -> End:
    run.log(action, EventKind.HANG_UP, "caller hangs up", who="caller")
    return End(Ending.CALLER_HUNG_UP)


def _no_customer(run: Run, action: Action) -> Outcome:
    """With the caller gone a participant action is not performed; the docs do not say what
    happens instead, so the run picks a reading: the error branch, or on to NextAction as if
    it had been skipped (then nothing is heard and no input is stored)."""
    if run.services.absent_participant == "skip":
        run.log(action, EventKind.BRANCH, f"skipped: no customer -> {succeed(action)}")
        return succeed(action)
    return fail(run, action, NO_MATCHING_ERROR, "no customer on the contact")


def _menu(run: Run, action: Action, entry: Entry) -> Outcome:
    # A menu reads one key; anything typed after it is not part of the choice.
    if entry.kind == "timeout":
        return fail(run, action, INPUT_TIME_LIMIT_EXCEEDED, "the caller pressed nothing")
    return branch_on(run, action, entry.keys[0])


def _store(run: Run, action: Action, entry: Entry) -> Outcome:
    maximum = _maximum_length(action)
    if entry.kind == "timeout":
        if INPUT_TIME_LIMIT_EXCEEDED in action.errors:
            return fail(run, action, INPUT_TIME_LIMIT_EXCEEDED, "the caller pressed nothing")
        # The admin guide: a timeout on "Store customer input" takes the success branch and
        # stores the word "Timeout".
        digits = STORED_TIMEOUT
    else:
        digits = ""
        terminators = _terminators(action)
        for key in entry.keys:
            if key in terminators:
                break
            digits += key
        digits = digits[:maximum] if maximum is not None else digits
    run.state.stored_input = digits
    run.log(action, EventKind.SETTING, f"$.StoredCustomerInput = {digits!r}", stored=digits)
    return succeed(action)


def _maximum_length(action: Action) -> int | None:
    """CustomValidation's MaximumLength; None with phone number validation (taken as typed)."""
    _, value = value_at(action.parameters, "InputValidation.CustomValidation.MaximumLength")
    return None if value is MISSING else int(value)


def _terminators(action: Action) -> str:
    _, sequence = value_at(action.parameters, "DTMFConfiguration.InputTerminationSequence")
    return DEFAULT_TERMINATOR if sequence is MISSING else str(sequence)


@implements("DisconnectParticipant")
def disconnect_participant(run: Run, action: Action) -> Outcome:
    run.log(action, EventKind.END, "the flow hangs up")
    return End(Ending.DISCONNECT)
