"""Per-stage configuration from `cdk.json` context, loaded into typed, validated objects.

Every error names the setting (`stages.dev.instanceArn`) and says how to fix it, and stops
synth before anything is built. Pure Python: no aws_cdk import, no lookups.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flows.catalog import CALLBACK_QUEUE, SUPERVISOR_QUEUE
from flows.offline import OfflineStage, created_queue_arn
from flows.prompts import PromptError, Prompts
from flows.render import FlowInputs, MenuOption
from lambdas.survey.definition import DefinitionError, SurveyDefinition

DEFAULT_STAGE = "dev"
INSTANCE_ARN = re.compile(
    r"^arn:(?P<partition>aws[a-z-]*):connect:(?P<region>[a-z]{2}(-[a-z]+)+-\d):"
    r"(?P<account>\d{12}):instance/(?P<instance>[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-"
    r"[0-9a-f]{4}-[0-9a-f]{12})$"
)
QUEUE_ID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
ACCOUNT = re.compile(r"^\d{12}$")
REGION = re.compile(r"^[a-z]{2}(-[a-z]+)+-\d$")
NAME_PREFIX = re.compile(r"^[A-Za-z][A-Za-z0-9-]{0,39}$")
QUEUE_NAME = re.compile(r"^[a-z][a-z0-9-]{0,29}$")
PHONE_NUMBER_ARN = re.compile(
    r"^arn:aws[a-z-]*:connect:[a-z]{2}(-[a-z]+)+-\d:\d{12}:phone-number/[-a-zA-Z0-9]+$"
)
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
# Values CloudWatch Logs accepts for retention.
LOG_RETENTION_DAYS = (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827)
STAGE_KEYS = {
    "account", "region", "instanceArn", "namePrefix", "queues", "menu", "supervisorQueueArn",
    "alertEmails", "logRetentionDays", "resultRetentionDays", "powertoolsLayerVersion",
    "survey", "prompts", "supervisorMaxContacts", "callbackQueueArn", "callbackCallerIdNumberArn",
}  # fmt: skip
REQUIRED_KEYS = ("account", "region", "instanceArn", "namePrefix", "queues", "menu")


class ConfigError(ValueError):
    """Raised for any invalid stage setting; the message names the setting and the fix."""

    def __init__(self, setting: str, message: str) -> None:
        super().__init__(f"{setting}: {message}")
        self.setting = setting


@dataclass(frozen=True)
class StageConfig:
    """Everything one stage deploys with."""

    name: str
    account: str
    region: str
    instance_arn: str
    name_prefix: str
    queues: Mapping[str, str]  # logical queue name -> queue ARN
    menu: tuple[MenuOption, ...]
    supervisor_queue_arn: str | None
    supervisor_max_contacts: int
    callback_queue_arn: str | None
    callback_caller_id_number_arn: str | None
    alert_emails: tuple[str, ...]
    log_retention_days: int
    result_retention_days: int
    powertools_layer_version: int | None  # None: the layer of the pinned Powertools version
    survey: SurveyDefinition
    prompts: Prompts

    @property
    def partition(self) -> str:
        match = INSTANCE_ARN.match(self.instance_arn)
        assert match
        return match["partition"]

    @property
    def flow_inputs(self) -> FlowInputs:
        return FlowInputs(survey=self.survey, prompts=self.prompts, menu=self.menu)

    def resource_name(self, key: str) -> str:
        """Stage-prefixed name of a flow, function or queue, so stages can share an instance."""
        return f"{self.name_prefix}-{key}"

    def offline(self) -> OfflineStage:
        """The stage for rendering and simulating without CDK or an account."""
        supervisor = self.supervisor_queue_arn or created_queue_arn(
            self.instance_arn, self.name_prefix, SUPERVISOR_QUEUE
        )
        callback = self.callback_queue_arn or created_queue_arn(
            self.instance_arn, self.name_prefix, CALLBACK_QUEUE
        )
        return OfflineStage(
            name=self.name,
            account=self.account,
            region=self.region,
            partition=self.partition,
            instance_arn=self.instance_arn,
            name_prefix=self.name_prefix,
            inputs=self.flow_inputs,
            queues={**self.queues, SUPERVISOR_QUEUE: supervisor, CALLBACK_QUEUE: callback},
            retention_days=self.result_retention_days,
        )


def load_stage(context: Mapping[str, Any], stage: str | None = None) -> StageConfig:
    """The validated configuration of `stage` (default: dev) from the `stages` context."""
    stages = context.get("stages")
    if not isinstance(stages, Mapping) or not stages:
        raise ConfigError("stages", 'add a "stages" object to the context in cdk.json')
    name = stage or DEFAULT_STAGE
    if name not in stages:
        raise ConfigError(
            "stage",
            f"unknown stage {name!r}; choose one of {', '.join(sorted(stages))} "
            "(cdk: -c stage=NAME; connect-survey: --stage NAME), or add it to stages in cdk.json",
        )
    return _stage(name, stages[name])


def _stage(name: str, raw: Any) -> StageConfig:
    path = f"stages.{name}"
    if not isinstance(raw, Mapping):
        raise ConfigError(path, "must be an object")
    unknown = sorted(set(raw) - STAGE_KEYS)
    if unknown:
        raise ConfigError(
            f"{path}.{unknown[0]}",
            f"unknown setting; known settings: {', '.join(sorted(STAGE_KEYS))}",
        )
    for key in REQUIRED_KEYS:
        if key not in raw:
            raise ConfigError(f"{path}.{key}", "is required")
    account = _text(raw, "account", path, ACCOUNT, "a 12-digit AWS account id")
    region = _text(raw, "region", path, REGION, "an AWS region such as us-east-1")
    instance_arn = _text(
        raw, "instanceArn", path, INSTANCE_ARN,
        "arn:aws:connect:REGION:ACCOUNT:instance/INSTANCE-ID (from the Connect console)",
    )  # fmt: skip
    match = INSTANCE_ARN.match(instance_arn)
    assert match
    if match["region"] != region:
        raise ConfigError(
            f"{path}.region",
            f"{region!r} differs from the instance's region {match['region']!r} "
            "in instanceArn; the stack must deploy where the instance is",
        )
    if match["account"] != account:
        raise ConfigError(
            f"{path}.account",
            f"{account!r} differs from the instance's account "
            f"{match['account']!r} in instanceArn; deploy to the instance's account",
        )
    queue_arn = re.compile(rf"^{re.escape(instance_arn)}/queue/{QUEUE_ID}$")
    queues = _queues(raw["queues"], f"{path}.queues", queue_arn)
    menu = _menu(raw["menu"], f"{path}.menu", queues)
    supervisor = _optional_queue(raw, "supervisorQueueArn", path, queue_arn, "a supervisor queue")
    callback = _optional_queue(raw, "callbackQueueArn", path, queue_arn, "a callback queue")
    caller_id = raw.get("callbackCallerIdNumberArn")
    if caller_id is not None and (
        not isinstance(caller_id, str) or not PHONE_NUMBER_ARN.match(caller_id)
    ):
        raise ConfigError(
            f"{path}.callbackCallerIdNumberArn",
            f"{caller_id!r} must be a phone number ARN "
            "(arn:aws:connect:REGION:ACCOUNT:phone-number/ID, without instance/), or leave it out",
        )
    try:
        survey = SurveyDefinition.from_config(raw.get("survey"), f"{path}.survey")
        prompts = Prompts.from_config(raw.get("prompts"), f"{path}.prompts")
    except (DefinitionError, PromptError) as error:
        raise ConfigError(error.setting, str(error).split(": ", 1)[1]) from None
    return StageConfig(
        name=name,
        account=account,
        region=region,
        instance_arn=instance_arn,
        name_prefix=_text(raw, "namePrefix", path, NAME_PREFIX, "letters, digits and '-' (≤ 40)"),
        queues=queues,
        menu=menu,
        supervisor_queue_arn=supervisor,
        supervisor_max_contacts=_int(raw, "supervisorMaxContacts", path, 10, 1, 10_000),
        callback_queue_arn=callback,
        callback_caller_id_number_arn=caller_id,
        alert_emails=_emails(raw.get("alertEmails", []), f"{path}.alertEmails"),
        log_retention_days=_choice(raw, "logRetentionDays", path, 30, LOG_RETENTION_DAYS),
        result_retention_days=_int(raw, "resultRetentionDays", path, 365, 1, 3650),
        powertools_layer_version=(
            _int(raw, "powertoolsLayerVersion", path, 1, 1, 10_000)
            if "powertoolsLayerVersion" in raw
            else None
        ),
        survey=survey,
        prompts=prompts,
    )


def _text(raw: Mapping[str, Any], key: str, path: str, pattern: re.Pattern[str], hint: str) -> str:
    value = raw.get(key)
    if not isinstance(value, str) or not pattern.match(value):
        raise ConfigError(f"{path}.{key}", f"{value!r} is not valid; expected {hint}")
    return value


def _optional_queue(
    raw: Mapping[str, Any], key: str, path: str, queue_arn: re.Pattern[str], what: str
) -> str | None:
    value = raw.get(key)
    if value is not None and (not isinstance(value, str) or not queue_arn.match(value)):
        raise ConfigError(
            f"{path}.{key}",
            f"{value!r} must be a queue ARN of this instance "
            f"(instanceArn + /queue/QUEUE-ID), or leave it out to create {what}",
        )
    return value if isinstance(value, str) else None


def _queues(raw: Any, path: str, queue_arn: re.Pattern[str]) -> dict[str, str]:
    if not isinstance(raw, Mapping) or not raw:
        raise ConfigError(path, 'map logical queue names to queue ARNs: {"sales": "arn:..."}')
    queues: dict[str, str] = {}
    for name, arn in raw.items():
        if not QUEUE_NAME.match(name):
            raise ConfigError(f"{path}.{name}", "queue names are lower-case letters, digits, '-'")
        if name in (SUPERVISOR_QUEUE, CALLBACK_QUEUE):
            raise ConfigError(
                f"{path}.{name}",
                "is reserved; set supervisorQueueArn or callbackQueueArn for the escalation queues",
            )
        if not isinstance(arn, str) or not queue_arn.match(arn):
            raise ConfigError(
                f"{path}.{name}",
                f"{arn!r} must be a queue ARN of the stage's instance "
                "(instanceArn + /queue/QUEUE-ID, from the queue's page in the Connect console)",
            )
        queues[name] = arn
    return queues


def _menu(raw: Any, path: str, queues: Mapping[str, str]) -> tuple[MenuOption, ...]:
    if not isinstance(raw, Mapping) or not raw:
        raise ConfigError(path, 'map menu digits to queue names: {"1": "sales", "2": "support"}')
    options = []
    for digit, queue in raw.items():
        if digit not in "123456789" or len(digit) != 1:
            raise ConfigError(f"{path}.{digit}", "menu keys are single digits 1-9")
        if queue not in queues:
            raise ConfigError(
                f"{path}.{digit}", f"{queue!r} is not one of the queues ({', '.join(queues)})"
            )
        options.append(MenuOption(digit=digit, queue=queue))
    return tuple(options)


def _emails(raw: Any, path: str) -> tuple[str, ...]:
    if not isinstance(raw, list):
        raise ConfigError(path, "must be a list of e-mail addresses (or leave it out)")
    for i, email in enumerate(raw):
        if not isinstance(email, str) or not EMAIL.match(email):
            raise ConfigError(f"{path}[{i}]", f"{email!r} is not an e-mail address")
    return tuple(raw)


def _int(raw: Mapping[str, Any], key: str, path: str, default: int, low: int, high: int) -> int:
    value = raw.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ConfigError(f"{path}.{key}", f"{value!r} must be a whole number from {low} to {high}")
    return value


def _choice(
    raw: Mapping[str, Any], key: str, path: str, default: int, allowed: tuple[int, ...]
) -> int:
    value = raw.get(key, default)
    if value not in allowed or isinstance(value, bool):
        raise ConfigError(
            f"{path}.{key}", f"{value!r} is not a CloudWatch Logs retention; use one of {allowed}"
        )
    return int(value)
