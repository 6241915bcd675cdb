"""Reading the parameters of an action the linter has checked: settings and their defaults,
whole numbers, numbers given as a JSONPath, prompts.

A flow reaches the simulator only when the linter finds no error in it (`document.Flow`), so
these readers trust each parameter's shape. A value a JSONPath supplies at run time is checked
once resolved, with the check the linter uses on static values (`checks.out_of_range`).
"""

from __future__ import annotations

import html
import re
from typing import TYPE_CHECKING

from connect_survey.flow_language.checks import out_of_range
from connect_survey.flow_language.engine.state import EventKind
from connect_survey.flow_language.spec import (
    MISSING,
    PROMPT_KEYS,
    choice,
    is_path,
    limit,
    value_at,
)

if TYPE_CHECKING:
    from connect_survey.flow_language.engine.document import Action
    from connect_survey.flow_language.engine.run import Run

SSML_TAG = re.compile(r"<[^>]+>")


def setting(action: Action, name: str) -> str:
    """An enumerated parameter (dotted when nested), or its default when absent."""
    _, value = value_at(action.parameters, name)
    return str(choice(action.type, name).default if value is MISSING else value)


def number(action: Action, name: str) -> int:
    """A static whole-number parameter, written as a JSON number or a string of digits."""
    return int(value_at(action.parameters, name)[1])


def resolved_number(run: Run, action: Action, name: str) -> int | str:
    """A whole number given statically or as one JSONPath: the number, or (as text) why the
    value the reference resolved to is not one the parameter takes."""
    raw = action.parameters[name]
    value = run.value(action, raw) if is_path(raw) else raw
    problem = out_of_range(limit(action.type, name), value)
    return int(value) if problem is None else problem


def speak(run: Run, action: Action) -> None:
    """Play the action's Text, SSML or PromptId to the caller, if it has one."""
    key = next((key for key in PROMPT_KEYS if key in action.parameters), None)
    if key is None:
        return
    raw = action.parameters[key]
    if key == "PromptId":
        heard = f"[prompt {run.value(action, raw)}]"
    elif key == "SSML":
        heard = html.unescape(SSML_TAG.sub("", run.text(action, raw))).strip()
    else:
        heard = run.text(action, raw)
    run.state.prompts.append(heard)
    run.log(action, EventKind.PROMPT, heard, source=key)
