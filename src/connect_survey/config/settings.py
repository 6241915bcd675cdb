"""One stage's settings as written in `stages` of cdk.json, with the rules across sections.

Adding a setting:
- a single value: add a field to `StageSettings` (snake_case name; the camelCase alias, the JSON
  Schema and the "unknown setting" check follow), with a `description` phrased as what is
  expected ("a whole number from 1 to 10"): it is both the editor's hint and the error message;
- a section (`"reporting": {...}`): a model of its own in its own module (as `reporting.py`),
  then a field holding it here;
- a rule across fields: a `@model_validator(mode="after")` on the model that holds them, raising
  `setting_error("relative.path", "what is wrong and how to fix it")`;
- read it in the stack as `config.settings.…`; then run `make schema`.
"""

from __future__ import annotations

import re
from typing import Annotated, Self

from pydantic import Field, TypeAdapter, model_validator
from pydantic.alias_generators import to_camel

from connect_survey.config.base import (
    ACCOUNT,
    EMAIL,
    INSTANCE_ARN,
    LOG_RETENTION_DAYS,
    MENU_DIGITS,
    NAME_PREFIX,
    PHONE_NUMBER_ARN,
    QUEUE_ID,
    QUEUE_NAME,
    REGION,
    ConfigModel,
    LogRetentionDays,
)
from connect_survey.config.errors import setting_error
from connect_survey.config.follow_up import FollowUpSettings
from connect_survey.config.prompts import (
    DEFAULT_PROMPTS,
    OPTIONAL_PROMPTS,
    PromptSettings,
    TranslationSettings,
)
from connect_survey.config.reporting import KINESIS_STREAM_ARN, ReportingSettings
from connect_survey.config.sampling import SamplingSettings
from connect_survey.config.survey import SurveySettings
from connect_survey.flow_language.spec import E164
from connect_survey.flows.catalog import CALLBACK_QUEUE, SUPERVISOR_QUEUE
from connect_survey.flows.languages import ENGLISH, LANGUAGES
from connect_survey.lambda_asset.survey.contract import LANGUAGE_ATTRIBUTE, LANGUAGE_CODE
from connect_survey.test_cases.live import UNDEPLOYABLE_NUMBER, deployable_number


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
    follow_up: FollowUpSettings | None = Field(
        default=None,
        description="a task in the agent workspace for every low score (on by default once "
        "the section is present); left out, none",
    )
    # Off unless a stage asks: every live run places a real simulated call on the instance (it
    # can reach a real agent's queue and shows in contact records), which a production stage
    # should opt into knowingly, never inherit.
    live_tests: bool = Field(
        default=False,
        description="true or false: whether the test cases in testcases/ are deployed as "
        "Amazon Connect test cases and `connect-survey verify --live-tests` runs them on the "
        "instance after each deploy (each run is a simulated call on the instance)",
    )
    live_test_source_phone_number: str | None = Field(
        default=None,
        pattern=E164.pattern,
        description="the E.164 number (+15555550100) a live test case calls from when its "
        "EntryPoint gives no SourcePhoneNumber; left out, such a case gives none",
    )

    @property
    def spoken_languages(self) -> list[str]:
        """The languages callers are surveyed in, the default language first."""
        listed = self.languages or [self.language]
        return [self.language, *(code for code in listed if code != self.language)]

    @model_validator(mode="after")
    def _speaks_a_known_language(self) -> Self:
        named = [
            ("language", self.language),
            *((f"languages[{i}]", code) for i, code in enumerate(self.languages or [])),
            *((f"translations.{code}", code) for code in self.translations),
        ]
        for setting, code in named:
            if not LANGUAGE_CODE.fullmatch(code):
                raise setting_error(
                    setting,
                    f"{code!r} is not a language code like en-US or ko-KR (language, then "
                    "-Script and -REGION if any): the score handler stores no other form",
                )
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
            for name in vars(DEFAULT_PROMPTS):
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
    def _live_test_number_deploys(self) -> Self:
        number = self.live_test_source_phone_number
        if number is not None and not deployable_number(number):
            raise setting_error(
                "liveTestSourcePhoneNumber",
                f"{UNDEPLOYABLE_NUMBER}; leave it out (docs/testing.md, Run live)",
            )
        return self

    @model_validator(mode="after")
    def _queue_names_name_queues(self) -> Self:
        for code, translation in self.translations.items():
            for name in translation.queue_names:
                if name not in self.queues:
                    raise setting_error(
                        f"translations.{code}.queueNames.{name}",
                        f"is not one of the queues ({', '.join(self.queues)}); name a queue "
                        "of `queues`, or remove it",
                    )
        return self

    def queue_names(self, code: str) -> dict[str, str]:
        """How the menu says each queue in `code`: `translations.<code>.queueNames`, else the
        queue's logical name."""
        translation = self.translations.get(code, TranslationSettings())
        return {name: translation.queue_names.get(name, name) for name in self.queues}

    @model_validator(mode="after")
    def _follow_up_fits_the_stage(self) -> Self:
        follow_up = self.follow_up
        if follow_up is None:
            return self
        if follow_up.queue != SUPERVISOR_QUEUE and follow_up.queue not in self.queues:
            raise setting_error(
                "followUp.queue",
                f"{follow_up.queue!r} is not {SUPERVISOR_QUEUE!r} nor one of the queues "
                f"({', '.join(self.queues)}); name one of them",
            )
        for code in follow_up.templates:
            if code not in self.spoken_languages:
                raise setting_error(
                    f"followUp.templates.{code}",
                    f"{code!r} is not one of the stage's languages "
                    f"({', '.join(self.spoken_languages)}); remove it, or add it to languages",
                )
        for code in self.spoken_languages:
            if follow_up.task and follow_up.templates_in(code) is None:
                raise setting_error(
                    f"followUp.templates.{code}",
                    f"is missing; {code!r} has no built-in task texts, so write the task's "
                    "name and description in it",
                )
        return self

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
