"""The followUp section: an Amazon Connect task for the supervisors on every low score."""

from __future__ import annotations

from typing import Annotated, Final, Self

from pydantic import AfterValidator, Field, model_validator

from connect_survey.config.base import ConfigModel
from connect_survey.config.errors import setting_error
from connect_survey.flows.catalog import SUPERVISOR_QUEUE
from connect_survey.flows.languages import ENGLISH, KOREAN
from connect_survey.lambda_asset.survey.channels.task import (
    DESCRIPTION_CHARACTERS,
    DESCRIPTION_PLACEHOLDERS,
    EXPIRY_MAX_MINUTES,
    NAME_CHARACTERS,
    PLACEHOLDER,
    PLACEHOLDERS,
    SCHEDULE_MAX_MINUTES,
    TaskSettings,
)

_KNOWN = ", ".join(f"{{{name}}}" for name in PLACEHOLDERS)


def _known_placeholders(text: str) -> str:
    if not text.strip():
        raise setting_error("", "must be non-empty text")
    unknown = [found[0] for found in PLACEHOLDER.finditer(text) if found[1] not in PLACEHOLDERS]
    if unknown:
        raise setting_error("", f"{unknown[0]} is not a placeholder; use {_KNOWN}")
    return text


def _one_line(text: str) -> str:
    if "\n" in text or "\r" in text:
        raise setting_error("", "must be one line: the agent workspace shows it as a title")
    return text


def _names_the_answers_and_the_link(text: str) -> str:
    missing = [name for name in DESCRIPTION_PLACEHOLDERS if f"{{{name}}}" not in text]
    if missing:
        raise setting_error(
            "",
            f"must contain {{{missing[0]}}}: the task carries the answers and the link to the "
            "contact",
        )
    return text


TaskName = Annotated[
    str,
    Field(max_length=NAME_CHARACTERS),
    AfterValidator(_known_placeholders),
    AfterValidator(_one_line),
]
TaskDescription = Annotated[
    str,
    Field(max_length=DESCRIPTION_CHARACTERS),
    AfterValidator(_known_placeholders),
    AfterValidator(_names_the_answers_and_the_link),
]


class TaskTemplates(ConfigModel):
    """What the supervisor reads in the agent workspace, in one language."""

    name: TaskName = Field(
        description=f"the task's title, one line of at most {NAME_CHARACTERS} characters; "
        f"placeholders: {_KNOWN}"
    )
    description: TaskDescription = Field(
        description=f"the task's text, at most {DESCRIPTION_CHARACTERS} characters, with "
        f"{{answers}} and {{link}}; placeholders: {_KNOWN}"
    )


# The built-in texts. Korean in the prompts' formal style (합니다 / 하십시오), the supervisor
# being 상담 관리자 as in the prompts; {mode} and the scores' names stay as the reports write them.
BUILT_IN_TEMPLATES: Final = {
    ENGLISH: TaskTemplates(
        name="Low survey score {lowest}: {queue}",
        description=(
            "A caller rated the {mode} post-call survey below {threshold} at {time}.\n"
            "Answers:\n{answers}\n"
            "Contact: {link}\n"
            "Please review the call and follow up with the caller."
        ),
    ),
    KOREAN: TaskTemplates(
        name="낮은 설문 점수 {lowest}점: {queue}",
        description=(
            "{time}에 고객이 {mode} 상담 후 설문에서 {threshold}점 미만의 점수를 주었습니다.\n"
            "응답:\n{answers}\n"
            "상담 내역: {link}\n"
            "상담 관리자께서는 통화 내용을 확인하신 후 고객에게 연락해 주십시오."
        ),
    ),
}


class FollowUpSettings(ConfigModel):
    """A task in the agent workspace for every low score: routed by the stage's task flow to
    the follow-up queue, linked to the surveyed contact, started once per contact."""

    task: bool = Field(
        default=True,
        description="true or false: whether a low score starts a task for the supervisors",
    )
    queue: str = Field(
        default=SUPERVISOR_QUEUE,
        description=f'the queue tasks wait in: "{SUPERVISOR_QUEUE}" (the escalation queue) or '
        "a logical queue name of `queues`",
    )
    expiry_minutes: int | None = Field(
        default=None,
        ge=1,
        le=EXPIRY_MAX_MINUTES,
        description=f"minutes a task stays open before Connect expires it, 1 to "
        f"{EXPIRY_MAX_MINUTES}; left out, Connect's own 7 days",
    )
    schedule_delay_minutes: int = Field(
        default=0,
        ge=0,
        le=SCHEDULE_MAX_MINUTES,
        description=f"minutes after the low answer a task is routed, 0 (at once) to "
        f"{SCHEDULE_MAX_MINUTES} (Connect schedules at most 6 days ahead)",
    )
    templates: dict[str, TaskTemplates] = Field(
        default={},
        description="per BCP-47 language of the stage, the task's name and description in it, "
        f"on top of the built-in ones ({', '.join(BUILT_IN_TEMPLATES)} have them)",
    )

    @model_validator(mode="after")
    def _routed_before_it_expires(self) -> Self:
        expiry, delay = self.expiry_minutes, self.schedule_delay_minutes
        if expiry is not None and delay >= expiry:
            raise setting_error(
                "expiryMinutes",
                f"{expiry} is not after scheduleDelayMinutes ({delay}): a task could expire "
                "before it is routed; raise expiryMinutes or lower the delay",
            )
        return self

    def templates_in(self, code: str) -> TaskTemplates | None:
        """The task's texts in `code`: the stage's own, else the built-in ones, else None."""
        return self.templates.get(code) or BUILT_IN_TEMPLATES.get(code)

    def task_settings(self, languages: list[str]) -> TaskSettings:
        """What the task channel reads, for the stage's `languages` (the default first)."""
        texts = {}
        for code in languages:
            templates = self.templates_in(code)
            assert templates is not None  # StageSettings checks every language has texts
            texts[code] = (templates.name, templates.description)
        return TaskSettings(
            texts=texts,
            expiry_minutes=self.expiry_minutes,
            schedule_delay_minutes=self.schedule_delay_minutes,
        )
