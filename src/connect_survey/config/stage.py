"""A stage loaded from cdk.json: validated settings, and the offline view rendering needs.

Used at synth time and by the CLI only (never in the Lambda asset); no aws_cdk import, no
lookups. Mistakes raise `ConfigError` (config.errors) naming the setting and the fix.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, Final

from pydantic import ValidationError

from connect_survey.config.errors import (
    ConfigError,
    ConfigFileError,
    UnknownStageError,
    config_error,
)
from connect_survey.config.settings import StageSettings
from connect_survey.flows.catalog import CALLBACK_QUEUE, SUPERVISOR_QUEUE
from connect_survey.flows.languages import LANGUAGES, prompts_in
from connect_survey.flows.offline import FollowUpTasks, OfflineStage, created_queue_arn
from connect_survey.flows.prompts import Prompts
from connect_survey.flows.render import FlowInputs, LanguageChoice, MenuOption

if TYPE_CHECKING:
    from pathlib import Path

DEFAULT_STAGE: Final = "dev"


@dataclass(frozen=True)
class StageConfig:
    """A loaded stage: the offline view (names, ARNs, flow inputs) and the settings as written.

    The stack reads what rendering and simulating also need from `offline`, and deploy-only
    settings (alert e-mails, log retention, layer version...) from `settings`.
    """

    offline: OfflineStage
    settings: StageSettings


def load_stage(context: Mapping[str, Any], stage: str | None = None) -> StageConfig:
    """The validated configuration of `stage` (default: dev) from the `stages` context."""
    stages = context.get("stages")
    if not isinstance(stages, Mapping) or not stages:
        raise ConfigError("stages", 'add a "stages" object to the context in cdk.json')
    name = stage or DEFAULT_STAGE
    if name not in stages:
        raise UnknownStageError(
            "stage",
            f"unknown stage {name!r}; choose one of {', '.join(sorted(stages))} "
            "(cdk: -c stage=NAME; connect-survey: --stage NAME), or add it to stages in cdk.json",
        )
    try:
        settings = StageSettings.model_validate(stages[name])
    except ValidationError as error:
        raise config_error(f"stages.{name}", error, StageSettings) from None
    return StageConfig(offline=_offline(name, settings), settings=settings)


def read_context(path: Path) -> dict[str, Any]:
    """The `context` object of a cdk.json file; a malformed file is a `ConfigFileError`."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigFileError(str(path), f"cannot be read ({error})") from None
    except ValueError as error:
        raise ConfigFileError(str(path), f"is not valid JSON ({error}); fix it") from None
    context = document.get("context") if isinstance(document, dict) else None
    if not isinstance(context, dict):
        raise ConfigFileError(
            str(path), 'has no "context" object; is it the project\'s cdk.json? (--config PATH)'
        )
    return context


def _offline(name: str, settings: StageSettings) -> OfflineStage:
    supervisor = settings.supervisor_queue_arn or created_queue_arn(
        settings.instance_arn, settings.name_prefix, SUPERVISOR_QUEUE
    )
    callback = settings.callback_queue_arn or created_queue_arn(
        settings.instance_arn, settings.name_prefix, CALLBACK_QUEUE
    )
    default = replace(
        _inputs_in(settings, settings.language),
        languages=_language_choices(settings),
        language_attribute=settings.language_attribute,
        language_menu=settings.language_menu,
    )
    return OfflineStage(
        name=name,
        account=settings.account,
        region=settings.region,
        partition=settings.partition,
        instance_arn=settings.instance_arn,
        name_prefix=settings.name_prefix,
        inputs=default,
        languages={
            code: default if code == settings.language else _inputs_in(settings, code)
            for code in settings.spoken_languages
        },
        queues={**settings.queues, SUPERVISOR_QUEUE: supervisor, CALLBACK_QUEUE: callback},
        retention_days=settings.result_retention_days,
        follow_up=_follow_up(settings),
    )


def _follow_up(settings: StageSettings) -> FollowUpTasks | None:
    """The stage's follow-up tasks: on where `followUp` is present, unless its task is off."""
    follow_up = settings.follow_up
    if follow_up is None or not follow_up.task:
        return None
    return FollowUpTasks(
        queue=follow_up.queue, settings=follow_up.task_settings(settings.spoken_languages)
    )


def _language_choices(settings: StageSettings) -> tuple[LanguageChoice, ...]:
    """The stage's languages as the language choice offers them; none for one language."""
    codes = settings.spoken_languages
    if len(codes) < 2:
        return ()
    choices = []
    for position, code in enumerate(codes, start=1):
        texts = _inputs_in(settings, code).prompts.texts()
        digit = str(position)
        choices.append(
            LanguageChoice(
                code=code,
                digit=digit,
                voice=texts["voice"],
                engine=texts["engine"],
                option=texts["languageOption"].replace("{digit}", digit),
            )
        )
    return tuple(choices)


def _inputs_in(settings: StageSettings, code: str) -> FlowInputs:
    """What the flows are rendered from for callers surveyed in `code`: the language's built-in
    texts (English's for a language without them) with the stage's own on top."""
    overrides = settings.prompt_overrides(code)
    prompts = prompts_in(code, overrides) if code in LANGUAGES else replace(Prompts(), **overrides)
    wording = settings.question_wording(code)
    survey = settings.survey.definition()
    questions = tuple(replace(q, prompt=wording[q.key]) for q in survey.questions)
    names = settings.queue_names(code)
    return FlowInputs(
        survey=replace(survey, questions=questions),
        prompts=prompts,
        menu=tuple(MenuOption(digit=d, queue=q, spoken=names[q]) for d, q in settings.menu.items()),
        sampling=settings.sampling.policy(),
        language=code,
    )
