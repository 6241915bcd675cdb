"""Everything the caller hears besides the questions, with English defaults a stage may override."""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from typing import TYPE_CHECKING

from connect_survey.flow_language.voices import FLOW_ENGINE, voice_engine

if TYPE_CHECKING:
    from collections.abc import Sequence


# Connect plays at most 3,000 characters of text-to-speech in one prompt.
MAX_PROMPT_CHARACTERS = 3_000
# In a flow's Text, `$.` starts an attribute reference that Connect replaces when it speaks.
ATTRIBUTE_REFERENCE = "$."


def prompt_problem(text: str) -> str | None:
    """Why Connect would not say `text` as written, or None."""
    if len(text) > MAX_PROMPT_CHARACTERS:
        return f"is {len(text)} characters; a prompt holds at most {MAX_PROMPT_CHARACTERS}"
    if ATTRIBUTE_REFERENCE in text:
        return (
            f"contains {ATTRIBUTE_REFERENCE!r}, which Connect would read as a contact attribute "
            "reference and replace; reword it (e.g. write '$ .' or 'dollars')"
        )
    return None


@dataclass(frozen=True)
class Prompts:
    """Prompt texts; `{scaleMin}` and `{scaleMax}` are filled from the survey scale."""

    voice: str = "Joanna"
    engine: str = ""  # empty: neural where the voice has it, else standard (flow_language.voices)
    welcome: str = "Thank you for calling."
    menu: str = ""  # empty: built from the menu options with `menu_option`
    menu_option: str = "For {queue}, press {digit}."
    menu_retry: str = "Sorry, I did not get that."
    # The language menu says each language's option in that language and voice.
    language_option: str = "For English, press {digit}."
    survey_offer: str = (
        "Your feedback matters to us. To take a short survey after your call, press 1."
    )
    stay_on_line: str = "Please stay on the line after your call for a short survey."
    queue_full: str = (
        "We are sorry, all of our agents are busy and we cannot take your call right now. "
        "Please call again later. Goodbye."
    )
    transfer_error: str = (
        "We are sorry, something went wrong while connecting your call. "
        "Please call again later. Goodbye."
    )
    survey_intro: str = "Thank you for taking our short survey."
    scale: str = (
        "Please rate each statement from {scaleMin} to {scaleMax}, where {scaleMax} means you "
        "strongly agree and {scaleMin} means you strongly disagree."
    )
    invalid_answer: str = (
        "That is not a valid answer. Please enter a number from {scaleMin} to {scaleMax}."
    )
    not_recorded: str = "Sorry, we could not record that answer. Let us try again."
    thanks: str = "Thank you for your feedback. Goodbye."
    apology: str = (
        "Your satisfaction matters most to us. We are sorry your experience fell short, "
        "and we would like the chance to put it right."
    )
    supervisor_offer: str = "To discuss this with a supervisor, press 1."
    supervisor_busy: str = (
        "All of our supervisors are busy right now. Press 1 and a supervisor will call you back."
    )
    callback_confirmed: str = "Thank you. A supervisor will call you back shortly. Goodbye."
    # For a caller whose number cannot be called back (withheld, not dialable): no promise.
    no_callback: str = (
        "We are sorry, no supervisor is free right now, and we cannot call back the number "
        "you are calling from. Your feedback has been passed on; please call us again at a time "
        "that suits you. Goodbye."
    )
    supervisor_unavailable: str = (
        "We are sorry, we could not reach a supervisor right now. "
        "We have noted your feedback and will be in touch. Goodbye."
    )

    def with_scale(self, scale_min: int, scale_max: int) -> Prompts:
        """The prompts with the scale bounds written in."""
        values = {
            f.name: getattr(self, f.name)
            .replace("{scaleMin}", str(scale_min))
            .replace("{scaleMax}", str(scale_max))
            for f in fields(self)
        }
        return replace(self, **values)

    def with_menu(self, options: Sequence[tuple[str, str]]) -> Prompts:
        """Fill an empty menu prompt from (digit, queue name) pairs."""
        if self.menu:
            return self
        text = " ".join(
            self.menu_option.replace("{queue}", queue).replace("{digit}", digit)
            for digit, queue in options
        )
        return replace(self, menu=text)

    def texts(self) -> dict[str, str]:
        """The texts under their camelCase names, as templates refer to them (`${text.name}`);
        `engine` as a flow writes it, resolved for the voice."""
        texts = {_camel(f.name): getattr(self, f.name) for f in fields(self)}
        texts["engine"] = FLOW_ENGINE[voice_engine(self.voice, self.engine or None)]
        return texts


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)
