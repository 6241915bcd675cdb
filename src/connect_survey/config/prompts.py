"""Prompt texts and translations: what the caller hears, per language."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, ClassVar, Final, Self

from pydantic import AfterValidator, Field, create_model, model_validator

from connect_survey.config.base import ConfigModel
from connect_survey.config.errors import setting_error
from connect_survey.flow_language.voices import VoiceError, voice_engine
from connect_survey.flows.prompts import Prompts, prompt_problem

DEFAULT_PROMPTS: Final = Prompts()


def _not_blank(text: str) -> str:
    if not text.strip():
        raise setting_error("", "must be non-empty text")
    problem = prompt_problem(text)
    if problem is not None:
        raise setting_error("", problem)
    return text


def _prompt_description(name: str) -> str:
    if name == "engine":
        return "the voice's engine: standard, neural or generative (default: neural if it has it)"
    if name == "menu_option":
        return "one menu option, with {queue} and {digit} filled in"
    return "the Amazon Polly voice" if name == "voice" else "what the caller hears"


PromptText = Annotated[str, AfterValidator(_not_blank)]


class _PromptSection(ConfigModel):
    key_noun: ClassVar[str] = "prompt"

    @model_validator(mode="after")
    def _voice_speaks_with_the_engine(self) -> Self:
        try:
            voice_engine(getattr(self, "voice"), getattr(self, "engine") or None)  # noqa: B009
        except VoiceError as error:
            raise setting_error(error.setting, error.message) from None
        return self


if TYPE_CHECKING:
    PromptSettings = _PromptSection
else:
    # One field per prompt of `Prompts`, so a prompt added there is configurable at once.
    PromptSettings = create_model(
        "PromptSettings",
        __base__=_PromptSection,
        __doc__="Prompt texts overriding the English defaults; {scaleMin}/{scaleMax} are "
        "filled in.",
        **{
            name: (PromptText, Field(default=text, description=_prompt_description(name)))
            for name, text in vars(DEFAULT_PROMPTS).items()
        },
    )

# Prompts a translation may leave out: the engine follows the voice, the menu is built.
OPTIONAL_PROMPTS: Final = ("engine", "menu")


class TranslationSettings(ConfigModel):
    """One language's wording: prompts by name, and each question's statement by key."""

    prompts: PromptSettings = Field(
        default=PromptSettings(),
        description="prompt texts (and voice) in the language, on top of its built-in ones; "
        "for the default language they may be under the stage's prompts instead (not both)",
    )
    questions: dict[str, PromptText] = Field(
        default={},
        description="question key -> the statement in the language, on top of the built-in "
        "wording of the default questions (the default language's wording of the stage's own "
        "questions is survey.questions[].prompt)",
    )
    queue_names: dict[str, PromptText] = Field(
        default={},
        description="logical queue name -> the queue's name as the menu says it in the language "
        '({queue} in menuOption): {"sales": "영업"}; a queue left out is said by its logical name',
    )
