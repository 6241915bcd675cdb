"""Per-stage configuration from `cdk.json` context: pydantic models, loaded once, passed by keyword.

Every mistake raises `ConfigError` naming the setting (`stages.dev.menu.3`) and the fix, and stops
synth before anything is built. Used at synth time and by the CLI only (never in the Lambda
asset); no aws_cdk import, no lookups. The same models emit `cdk.schema.json` (`make schema`).

Adding a setting:
- a single value: add a field to `StageSettings` (snake_case name; the camelCase alias, the JSON
  Schema and the "unknown setting" check follow), with a `description` phrased as what is
  expected ("a whole number from 1 to 10"): it is both the editor's hint and the error message;
- a section (`"reporting": {...}`): write a `class ReportingSettings(ConfigModel)` with its
  fields and `@model_validator`s, then add `reporting: ReportingSettings = ReportingSettings()`
  (or leave the default out to make the section required) to `StageSettings`;
- a rule across fields: a `@model_validator(mode="after")` on the model that holds them, raising
  `setting_error("relative.path", "what is wrong and how to fix it")`;
- read it in the stack as `config.settings.reporting...`; then run `make schema`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import (
    TYPE_CHECKING,
    Annotated,
    Any,
    ClassVar,
    Final,
    Literal,
    Self,
    get_args,
    get_origin,
)

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    TypeAdapter,
    ValidationError,
    create_model,
    model_validator,
)
from pydantic.alias_generators import to_camel
from pydantic_core import PydanticCustomError

from connect_survey.flow_language.voices import VoiceError, voice_engine
from connect_survey.flows.catalog import CALLBACK_QUEUE, SUPERVISOR_QUEUE
from connect_survey.flows.languages import ENGLISH, LANGUAGES, prompts_in
from connect_survey.flows.offline import OfflineStage, created_queue_arn
from connect_survey.flows.prompts import Prompts, prompt_problem
from connect_survey.flows.render import FlowInputs, LanguageChoice, MenuOption
from connect_survey.lambda_asset.survey.contract import LANGUAGE_ATTRIBUTE
from connect_survey.lambda_asset.survey.definition import (
    DEFAULT_METRICS,
    MAX_ATTEMPTS,
    MAX_INPUT_SECONDS,
    MAX_QUESTIONS,
    METRIC_BANDS,
    DefinitionError,
    Metric,
    Question,
    SurveyDefinition,
)
from connect_survey.lambda_asset.survey.sampling import SamplingPolicy

if TYPE_CHECKING:
    from pathlib import Path

    from pydantic.fields import FieldInfo

DEFAULT_STAGE = "dev"
INSTANCE_ARN = re.compile(
    r"^arn:(?P<partition>aws[a-z-]*):connect:(?P<region>[a-z]{2}(-[a-z]+)+-\d):"
    r"(?P<account>\d{12}):instance/(?P<instance>[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-"
    r"[0-9a-f]{4}-[0-9a-f]{12})$"
)
QUEUE_ID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
ACCOUNT = r"^\d{12}$"
REGION = r"^[a-z]{2}(-[a-z]+)+-\d$"
NAME_PREFIX = r"^[A-Za-z][A-Za-z0-9-]{0,39}$"
QUEUE_NAME = re.compile(r"^[a-z][a-z0-9-]{0,29}$")
MENU_DIGITS = "123456789"
EMAIL = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"
# Queue OutboundCallerIdNumberArn takes the phone number ARN without instance/ in its path.
PHONE_NUMBER_ARN = (
    r"^arn:aws[a-z-]*:connect:[a-z]{2}(-[a-z]+)+-\d:\d{12}:phone-number/[-a-zA-Z0-9]+$"
)
# Values CloudWatch Logs accepts for retention.
LogRetentionDays = Literal[
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827
]  # fmt: skip
LOG_RETENTION_DAYS: tuple[int, ...] = get_args(LogRetentionDays)
_DEFAULT_SURVEY = SurveyDefinition()
_DEFAULT_PROMPTS = Prompts()


class ConfigError(ValueError):
    """Base of every configuration mistake; the message names the setting path and the fix."""

    def __init__(self, setting: str, message: str) -> None:
        super().__init__(f"{setting}: {message}")
        self.setting = setting
        self.message = message


class UnknownStageError(ConfigError):
    """Raised when the chosen stage is not one of the stages in cdk.json."""


class ConfigFileError(ConfigError):
    """Raised when cdk.json itself cannot be read: missing, not JSON, or without `context`."""


def setting_error(at: str, message: str) -> PydanticCustomError:
    """An error for a validator to raise; `at` is the path below the model (`menu.3`), or ""."""
    return PydanticCustomError("config", message, {"at": at})


class ConfigModel(BaseModel):
    """Base of every configuration section: camelCase keys, no unknown keys, no type coercion."""

    model_config = ConfigDict(
        alias_generator=to_camel,
        extra="forbid",
        strict=True,
        frozen=True,
    )
    # What an unknown key is called in "unknown setting; known settings: ...".
    key_noun: ClassVar[str] = "setting"


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


class QuestionSettings(ConfigModel):
    """One statement the caller rates."""

    key: str = Field(
        description="lower-case letters, digits or '-', starting with a letter (≤ 20 characters)"
    )
    attribute: str = Field(description="the contact attribute the score is stored in")
    prompt: PromptText = Field(description="the statement the caller hears")
    metric: Metric | None = Field(
        default=None,
        description='the aggregate its answers feed: "csat", "nps", "ces" or null; left out, '
        "EffortScore feeds ces, PromoterScore nps, SatisfactionScore csat (on a 1-5 or 0-10 "
        "scale)",
    )

    def declared_metric(self, scale: tuple[int, int]) -> Metric | None:
        """The metric as written, or the default for the attribute where the scale has one."""
        if "metric" in self.model_fields_set:
            return self.metric
        return DEFAULT_METRICS.get(self.attribute) if scale in METRIC_BANDS else None


class ScaleSettings(ConfigModel):
    """The range of a valid score."""

    min: int = Field(default=_DEFAULT_SURVEY.scale_min, description="the lowest score")
    max: int = Field(default=_DEFAULT_SURVEY.scale_max, description="the highest score (≤ 99)")


class SurveySettings(ConfigModel):
    """The survey; its rules live in `SurveyDefinition`, which the handlers read too."""

    questions: list[QuestionSettings] = Field(
        default=[
            QuestionSettings(key=q.key, attribute=q.attribute, prompt=q.prompt, metric=q.metric)
            for q in _DEFAULT_SURVEY.questions
        ],
        description=f"1 to {MAX_QUESTIONS} questions with unique keys and attributes",
    )
    scale: ScaleSettings = ScaleSettings()
    low_score_threshold: int = Field(
        default=_DEFAULT_SURVEY.low_score_threshold,
        description="a score below it is low; above the scale minimum, at most its maximum",
    )
    attempts: int = Field(
        default=_DEFAULT_SURVEY.attempts, description=f"tries per question, 1 to {MAX_ATTEMPTS}"
    )
    input_time_limit_seconds: int = Field(
        default=_DEFAULT_SURVEY.input_time_limit_seconds,
        description=f"seconds the caller has to answer, 1 to {MAX_INPUT_SECONDS}",
    )

    @model_validator(mode="after")
    def _holds_to_the_rules(self) -> Self:
        try:
            self.definition()
        except DefinitionError as error:
            raise setting_error(error.setting.removeprefix("survey."), error.message) from None
        scale = (self.scale.min, self.scale.max)
        for i, question in enumerate(self.questions):
            if question.declared_metric(scale) is not None and scale not in METRIC_BANDS:
                raise setting_error(
                    f"questions[{i}].metric",
                    f"{question.metric!r} needs a 1-5 or 0-10 scale (the scale is "
                    f"{scale[0]}-{scale[1]}); set the metric to null",
                )
        return self

    def definition(self) -> SurveyDefinition:
        """The survey the flows are rendered from and the handlers check answers against."""
        return SurveyDefinition(
            questions=tuple(
                Question(
                    q.key,
                    q.attribute,
                    q.prompt,
                    q.declared_metric((self.scale.min, self.scale.max)),
                )
                for q in self.questions
            ),
            scale_min=self.scale.min,
            scale_max=self.scale.max,
            low_score_threshold=self.low_score_threshold,
            attempts=self.attempts,
            input_time_limit_seconds=self.input_time_limit_seconds,
            path="survey",
        )


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
            for name, text in vars(_DEFAULT_PROMPTS).items()
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


KINESIS_STREAM_ARN = re.compile(
    r"^arn:(?P<partition>aws[a-z-]*):kinesis:(?P<region>[a-z]{2}(-[a-z]+)+-\d):"
    r"(?P<account>\d{12}):stream/(?P<name>[A-Za-z0-9_.-]{1,128})$"
)
CTR_SOURCE_CREATE = "create"
CTR_SOURCE_OFF = "off"


class ReportingSettings(ConfigModel):
    """Contact records to S3 (Parquet) through Firehose, queried with Athena."""

    ctr_source: str = Field(
        default=CTR_SOURCE_CREATE,
        description='"create" (a new Kinesis stream becomes the instance\'s contact record '
        'stream), the ARN of the Kinesis stream the instance already streams records to, or "off"',
    )
    retention_days: int | None = Field(
        default=None,
        ge=30,
        le=3650,
        description="days contact records are kept, 30 to 3650; left out, as long as the "
        "answers (resultRetentionDays)",
    )
    query_limit_gb: int = Field(
        default=10, ge=1, le=1000, description="gigabytes one Athena query may scan, 1 to 1000"
    )

    @model_validator(mode="after")
    def _source_is_known(self) -> Self:
        source = self.ctr_source
        if source not in (CTR_SOURCE_CREATE, CTR_SOURCE_OFF) and not KINESIS_STREAM_ARN.match(
            source
        ):
            raise setting_error(
                "ctrSource",
                f'{source!r} is not valid; write "create", "off" or a Kinesis stream ARN '
                "(arn:aws:kinesis:REGION:ACCOUNT:stream/NAME)",
            )
        return self

    @property
    def stream_arn(self) -> str | None:
        """The existing stream to read, or None when the stack creates one or reads none."""
        return None if self.ctr_source in (CTR_SOURCE_CREATE, CTR_SOURCE_OFF) else self.ctr_source


class SamplingSettings(ConfigModel):
    """Which callers are offered a survey: a sampled share, none surveyed within the cooldown."""

    percent: int = Field(
        default=100, ge=0, le=100, description="the share of callers offered a survey, 0 to 100"
    )
    cooldown_days: int = Field(
        default=0,
        ge=0,
        le=3650,
        description="days after an answer before the caller is asked again, 0 (off) to 3650",
    )
    withheld_numbers: Literal["offer", "skip"] = Field(
        default="offer", description="a caller whose number is withheld: offer or skip"
    )
    on_error: Literal["offer", "skip"] = Field(
        default="offer", description="when eligibility cannot be decided: offer or skip"
    )

    def policy(self) -> SamplingPolicy:
        return SamplingPolicy(
            percent=self.percent,
            cooldown_days=self.cooldown_days,
            withheld_numbers=self.withheld_numbers,
            on_error=self.on_error,
        )


class StageSettings(ConfigModel):
    """One stage in `stages` of cdk.json: where it deploys, the queues and menu, the survey."""

    account: str = Field(pattern=ACCOUNT, description="a 12-digit AWS account id")
    region: str = Field(pattern=REGION, description="an AWS region such as us-east-1")
    instance_arn: str = Field(
        pattern=INSTANCE_ARN.pattern,
        description="arn:aws:connect:REGION:ACCOUNT:instance/INSTANCE-ID "
        "(from the Connect console)",
    )
    name_prefix: str = Field(
        pattern=NAME_PREFIX,
        description="letters, digits and '-', starting with a letter (≤ 40); "
        "it starts the name of every flow, function and queue of the stage",
    )
    queues: dict[str, str] = Field(
        min_length=1,
        description="logical queue names mapped to queue ARNs of the instance: "
        '{"sales": "arn:..."}',
    )
    menu: dict[str, str] = Field(
        min_length=1,
        description='menu digits 1-9 mapped to queue names: {"1": "sales", "2": "support"}',
    )
    supervisor_queue_arn: str | None = Field(
        default=None,
        description="a queue ARN of the instance for escalations; left out, the stack creates one",
    )
    supervisor_max_contacts: int = Field(
        default=10,
        ge=1,
        le=10_000,
        description="the most callers the created supervisor queue holds before QueueAtCapacity "
        "(a callback is offered then), a whole number from 1 to 10000",
    )
    callback_queue_arn: str | None = Field(
        default=None,
        description="a queue ARN of the instance for supervisor callbacks; left out, the stack "
        "creates one",
    )
    callback_caller_id_number_arn: str | None = Field(
        default=None,
        pattern=PHONE_NUMBER_ARN,
        description="the phone number callbacks are made from: "
        "arn:aws:connect:REGION:ACCOUNT:phone-number/ID (without instance/), or leave it out",
    )
    alert_emails: list[Annotated[str, Field(pattern=EMAIL)]] = Field(
        default=[], description="e-mail addresses (name@example.com) for low-score alerts"
    )
    log_retention_days: LogRetentionDays = Field(
        default=30, description=f"a CloudWatch Logs retention in days, one of {LOG_RETENTION_DAYS}"
    )
    result_retention_days: int = Field(
        default=365, ge=1, le=3650, description="a whole number of days from 1 to 3650"
    )
    powertools_layer_version: int | None = Field(
        default=None,
        ge=1,
        le=10_000,
        description="an explicit version of AWS's Powertools for AWS Lambda (Python) layer, "
        "1 to 10000; left out, the layer of the Powertools release pinned in pyproject.toml",
    )
    instance_alias: str | None = Field(
        default=None,
        pattern=r"^[a-z0-9][a-z0-9-]{0,61}[a-z0-9]$",
        description="the instance's access URL alias (ALIAS in https://ALIAS.my.connect.aws), "
        "lower-case letters, digits and '-'; alerts then link to the contact in the console",
    )
    ops_emails: list[Annotated[str, Field(pattern=EMAIL)]] = Field(
        default=[], description="e-mail addresses (name@example.com) for operations alarms"
    )
    table_deletion_protection: bool = Field(
        default=True,
        description="true or false: whether the results table refuses deletion (false only for "
        "throw-away dev stages)",
    )
    language: str = Field(
        default=ENGLISH,
        description="the BCP-47 language the stage's flows speak by default, one of "
        f"{', '.join(LANGUAGES)} or a language with translations",
    )
    languages: list[str] | None = Field(
        default=None,
        description="the BCP-47 languages callers can be surveyed in, the default language "
        "among them; left out, only `language`",
    )
    language_attribute: str = Field(
        default=LANGUAGE_ATTRIBUTE,
        pattern=r"^[A-Za-z0-9_-]{1,64}$",
        description="the contact attribute an upstream flow names the caller's language in "
        "(a listed BCP-47 code); letters, digits, '_' and '-'",
    )
    language_menu: bool = Field(
        default=False,
        description="true or false: whether callers whose language is not known yet are asked "
        "to choose one (needs two or more languages)",
    )
    translations: dict[str, TranslationSettings] = Field(
        default={},
        description="per listed BCP-47 language (the default one too), the stage's own prompts "
        "and question wording on top of the built-in ones; a language without built-in texts "
        f"({', '.join(LANGUAGES)} have them) needs every prompt and question",
    )
    survey: SurveySettings = SurveySettings()
    prompts: PromptSettings = Field(
        default=PromptSettings(),
        description="the default language's prompt texts, voice or engine, on top of its "
        "built-in ones; other languages' are under translations.LANGUAGE.prompts",
    )
    reporting: ReportingSettings | None = Field(
        default=None,
        description="contact records to S3 and Athena (reports); left out, none is deployed",
    )
    sampling: SamplingSettings = SamplingSettings()

    @property
    def spoken_languages(self) -> list[str]:
        """The languages callers are surveyed in, the default language first."""
        listed = self.languages or [self.language]
        return [self.language, *(code for code in listed if code != self.language)]

    @model_validator(mode="after")
    def _speaks_a_known_language(self) -> Self:
        if self.language not in LANGUAGES and self.language not in self.translations:
            raise setting_error(
                "language",
                f"{self.language!r} has no built-in prompts and questions; choose one of "
                f"{', '.join(LANGUAGES)}, or add translations.{self.language}",
            )
        listed = self.languages
        if listed is not None:
            if not listed:
                raise setting_error("languages", "list at least the default language")
            if self.language not in listed:
                raise setting_error(
                    "languages",
                    f"does not list the default language {self.language!r}; add it, or change "
                    "language",
                )
            for i, code in enumerate(listed):
                if code in listed[:i]:
                    raise setting_error(f"languages[{i}]", f"{code!r} is listed twice")
                if code not in LANGUAGES and code not in self.translations:
                    raise setting_error(
                        f"languages[{i}]",
                        f"{code!r} has no built-in texts; add translations.{code} with every "
                        f"prompt and question, or choose one of {', '.join(LANGUAGES)}",
                    )
        for code in self.translations:
            if code not in self.spoken_languages:
                raise setting_error(
                    f"translations.{code}",
                    f"{code!r} is not one of the stage's languages "
                    f"({', '.join(self.spoken_languages)}); add it to languages, or remove "
                    f"translations.{code}",
                )
        for code in self.spoken_languages:
            self.prompt_overrides(code)
            self.question_wording(code)
        if self.language_menu and not 2 <= len(self.spoken_languages) <= len(MENU_DIGITS):
            raise setting_error(
                "languageMenu",
                f"needs 2 to {len(MENU_DIGITS)} languages (languages lists "
                f"{len(self.spoken_languages)}); list more languages, or set it to false",
            )
        return self

    def prompt_overrides(self, code: str) -> dict[str, str]:
        """The stage's own prompts in `code`, by field name: `translations.<code>.prompts`, and
        for the default language `prompts` too. A language without built-in texts needs every
        prompt; a prompt set in both places for the default language is a mistake."""
        translation = self.translations.get(code, TranslationSettings())
        given = {
            name: getattr(translation.prompts, name)
            for name in translation.prompts.model_fields_set
        }
        if code == self.language:
            for name in self.prompts.model_fields_set:
                if name in given:
                    raise setting_error(
                        f"translations.{code}.prompts.{to_camel(name)}",
                        f"is also set in prompts.{to_camel(name)}, which holds the default "
                        f"language's ({code}) prompts; keep one",
                    )
                given[name] = getattr(self.prompts, name)
        if code not in LANGUAGES:
            for name in vars(_DEFAULT_PROMPTS):
                if name not in given and name not in OPTIONAL_PROMPTS:
                    raise setting_error(
                        f"translations.{code}.prompts.{to_camel(name)}",
                        f"is missing; {code!r} has no built-in texts, so every prompt needs "
                        "its wording in it",
                    )
        return given

    def question_wording(self, code: str) -> dict[str, str]:
        """Each question's statement in `code`, by key: `translations.<code>.questions`, else
        the survey's own wording (default language), else the language's built-in wording (of
        the default questions). A gap or an unknown key names its path."""
        translation = self.translations.get(code, TranslationSettings())
        own_questions = "questions" in self.survey.model_fields_set
        keys = [question.key for question in self.survey.questions]
        for key in translation.questions:
            if key not in keys:
                raise setting_error(
                    f"translations.{code}.questions.{key}",
                    f"is not a question of the survey; its keys are {', '.join(keys)}",
                )
        built_in = LANGUAGES[code].questions if code in LANGUAGES and not own_questions else {}
        wording = {}
        for i, question in enumerate(self.survey.questions):
            translated = translation.questions.get(question.key)
            if code == self.language and own_questions:
                if translated is not None:
                    raise setting_error(
                        f"translations.{code}.questions.{question.key}",
                        f"the default language's ({code}) wording is survey.questions[{i}]."
                        "prompt; keep one",
                    )
                wording[question.key] = question.prompt
            elif translated is not None or question.key in built_in:
                wording[question.key] = translated or built_in[question.key]
            else:
                raise setting_error(
                    f"translations.{code}.questions.{question.key}",
                    f"is missing; add the question's wording in {code}",
                )
        return wording

    @model_validator(mode="after")
    def _agrees_with_the_instance(self) -> Self:
        match = INSTANCE_ARN.match(self.instance_arn)
        assert match  # the field's pattern
        if match["region"] != self.region:
            raise setting_error(
                "region",
                f"{self.region!r} differs from the instance's region {match['region']!r} "
                "in instanceArn; the stack must deploy where the instance is",
            )
        if match["account"] != self.account:
            raise setting_error(
                "account",
                f"{self.account!r} differs from the instance's account "
                f"{match['account']!r} in instanceArn; deploy to the instance's account",
            )
        return self

    @model_validator(mode="after")
    def _queues_belong_to_the_instance(self) -> Self:
        queue_arn = re.compile(rf"^{re.escape(self.instance_arn)}/queue/{QUEUE_ID}$")
        for name, arn in self.queues.items():
            if not QUEUE_NAME.match(name):
                raise setting_error(
                    f"queues.{name}", "queue names are lower-case letters, digits, '-'"
                )
            if name in (SUPERVISOR_QUEUE, CALLBACK_QUEUE):
                raise setting_error(
                    f"queues.{name}",
                    "is reserved; set supervisorQueueArn or callbackQueueArn for the escalation "
                    "queues",
                )
            if not queue_arn.match(arn):
                raise setting_error(
                    f"queues.{name}",
                    f"{arn!r} must be a queue ARN of the stage's instance "
                    "(instanceArn + /queue/QUEUE-ID, from the queue's page in the Connect console)",
                )
        for setting, given, created in (
            ("supervisorQueueArn", self.supervisor_queue_arn, "a supervisor queue"),
            ("callbackQueueArn", self.callback_queue_arn, "a callback queue"),
        ):
            if given is not None and not queue_arn.match(given):
                raise setting_error(
                    setting,
                    f"{given!r} must be a queue ARN of this instance "
                    f"({self.instance_arn}/queue/QUEUE-ID), or leave it out to create {created}",
                )
        return self

    @model_validator(mode="after")
    def _stream_is_beside_the_instance(self) -> Self:
        stream = self.reporting.stream_arn if self.reporting else None
        match = KINESIS_STREAM_ARN.match(stream) if stream else None
        if match and (match["region"], match["account"]) != (self.region, self.account):
            raise setting_error(
                "reporting.ctrSource",
                f"the stream must be in the stage's account {self.account} and region "
                f"{self.region} (Connect streams records to a stream in its own region)",
            )
        return self

    @model_validator(mode="after")
    def _menu_leads_to_queues(self) -> Self:
        for digit, queue in self.menu.items():
            if len(digit) != 1 or digit not in MENU_DIGITS:
                raise setting_error(f"menu.{digit}", "menu keys are single digits 1-9")
            if queue not in self.queues:
                raise setting_error(
                    f"menu.{digit}",
                    f"{queue!r} is not one of the queues ({', '.join(self.queues)})",
                )
        return self

    @property
    def record_retention_days(self) -> int:
        """Days contact records are kept: `reporting.retentionDays`, else the answers' days."""
        given = self.reporting.retention_days if self.reporting else None
        return given or self.result_retention_days

    @property
    def partition(self) -> str:
        match = INSTANCE_ARN.match(self.instance_arn)
        assert match
        return match["partition"]


STAGES = TypeAdapter(dict[str, StageSettings])


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
        raise _config_error(f"stages.{name}", error) from None
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
    return FlowInputs(
        survey=replace(survey, questions=questions),
        prompts=prompts,
        menu=tuple(MenuOption(digit=d, queue=q) for d, q in settings.menu.items()),
        sampling=settings.sampling.policy(),
        language=code,
    )


def _config_error(root: str, error: ValidationError) -> ConfigError:
    """The first mistake pydantic found, said as `stages.dev.path: what is wrong; the fix`."""
    # A misspelt key also leaves the real one missing; naming the misspelling helps more.
    first = sorted(error.errors(), key=lambda e: e["type"] != "extra_forbidden")[0]
    loc = [part for part in first["loc"] if part != "[key]"]
    context = first.get("ctx") or {}
    if first["type"] == "config":
        loc += [part for part in context["at"].split(".") if part]
    path = root + "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in loc)
    return ConfigError(path, _message(first, StageSettings, loc))


def _message(error: Any, model: type[BaseModel], loc: list[str | int]) -> str:
    kind = error["type"]
    if kind == "config":
        return str(error["msg"])
    if kind == "missing":
        return "is required"
    if kind == "extra_forbidden":
        _, parent = _walk(model, loc[:-1])
        if parent is None:
            return "unknown setting"
        known = sorted(f.alias or n for n, f in parent.model_fields.items())
        noun = parent.key_noun if issubclass(parent, ConfigModel) else "setting"
        return f"unknown {noun}; known {noun}s: {', '.join(known)}"
    field, _ = _walk(model, loc)
    if field is not None and field.description:
        return f"{error['input']!r} is not valid; expected {field.description}"
    if kind == "model_type":
        return f"{error['input']!r} is not valid; expected an object of settings"
    return f"{error['input']!r} is not valid: {error['msg'][0].lower()}{error['msg'][1:]}"


def _walk(
    model: type[BaseModel], loc: list[str | int]
) -> tuple[FieldInfo | None, type[BaseModel] | None]:
    """The last field on the way along `loc` (aliases, list indexes), and the model it ends in."""
    field: FieldInfo | None = None
    current: Any = model
    for part in loc:
        if isinstance(part, int):
            continue  # an item of a list: the walk goes on in the item type
        if not (isinstance(current, type) and issubclass(current, BaseModel)):
            current = None  # a key of a plain dict: keep the field that holds it
            continue
        found = next((f for n, f in current.model_fields.items() if (f.alias or n) == part), None)
        if found is None:
            return field, None
        field, current = found, _item_type(found.annotation)
    model_type = current if isinstance(current, type) and issubclass(current, BaseModel) else None
    return field, model_type


def _item_type(annotation: Any) -> Any:
    """`list[X]`, `dict[K, X]`, `X | None` -> X, so a walk can go into the items."""
    while get_origin(annotation) is not None:
        args = [arg for arg in get_args(annotation) if arg is not type(None)]
        annotation = args[0] if get_origin(annotation) is Annotated else args[-1]
    return annotation
