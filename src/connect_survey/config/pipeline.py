"""The promotion pipeline's settings: `pipeline` in cdk.json's context, beside `stages`.

Same rules as the stages: pydantic models, `ConfigError` naming the setting path
(`pipeline.order[2]`) and the fix, no aws_cdk import.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, Self

from pydantic import Field, ValidationError, field_validator, model_validator

from connect_survey.config.base import ACCOUNT, REGION, ConfigModel
from connect_survey.config.errors import ConfigError, config_error, setting_error
from connect_survey.config.stage import StageConfig, load_stage

CONNECTION_ARN = (
    r"^arn:aws[a-z-]*:(codestar-connections|codeconnections):[a-z]{2}(-[a-z]+)+-\d:\d{12}:"
    r"connection/[0-9a-f-]{36}$"
)
DEFAULT_APPROVAL_STAGES = ("prod",)


class PipelineSettings(ConfigModel):
    """Where the pipeline lives (a tooling account of its own), what it watches, and the
    stages it promotes through."""

    missing_hints: ClassVar[dict[str, str]] = {
        "connectionArn": "create a connection to your Git host (Developer Tools console -> "
        "Settings -> Connections), then put its ARN here"
    }

    connection_arn: str = Field(
        pattern=CONNECTION_ARN,
        description="the ARN of a CodeStar Connections connection to your Git host "
        "(Developer Tools console -> Settings -> Connections), "
        "arn:aws:codestar-connections:REGION:ACCOUNT:connection/ID",
    )
    repository: str = Field(
        pattern=r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$", description="OWNER/NAME of the repository"
    )
    branch: str = Field(default="main", min_length=1, description="the branch a push promotes")
    account: str = Field(
        pattern=ACCOUNT,
        description="the 12-digit id of the tooling account the pipeline runs in: an account of "
        "its own, not a stage's, so that nobody who administers dev can change what deploys "
        "prod; each stage's account trusts it at bootstrap (--trust)",
    )
    region: str = Field(pattern=REGION, description="the pipeline's region, e.g. us-east-1")
    order: list[str | list[str]] = Field(
        min_length=1,
        description='stages in promotion order; a list deploys together: ["dev", "staging", '
        '"prod"]',
    )
    approval_stages: list[str] = Field(
        default=list(DEFAULT_APPROVAL_STAGES),
        description="stages a person approves before they deploy (default: prod)",
    )

    @field_validator("order")
    @classmethod
    def _each_stage_once(cls, order: list[str | list[str]]) -> list[str | list[str]]:
        seen: dict[str, int] = {}
        for index, wave in enumerate(order):
            for stage in [wave] if isinstance(wave, str) else wave:
                if stage in seen:
                    raise setting_error(
                        f"[{index}]",
                        f"{stage!r} is already in order[{seen[stage]}]; a stage deploys once "
                        "per run: remove one of them",
                    )
                seen[stage] = index
        return order

    @model_validator(mode="after")
    def _approvals_are_promoted(self) -> Self:
        for index, stage in enumerate(self.approval_stages):
            if stage not in self.stage_names:
                raise setting_error(
                    f"approvalStages[{index}]",
                    f"{stage!r} is not in order ({', '.join(self.stage_names)}); "
                    "add it there or remove it here",
                )
        return self

    @property
    def waves(self) -> list[list[str]]:
        return [[wave] if isinstance(wave, str) else wave for wave in self.order]

    @property
    def stage_names(self) -> list[str]:
        return [stage for wave in self.waves for stage in wave]


@dataclass(frozen=True)
class PipelineConfig:
    """The validated pipeline settings and the configuration of every stage it deploys."""

    settings: PipelineSettings
    stages: Mapping[str, StageConfig]


def load_pipeline(context: Mapping[str, Any]) -> PipelineConfig:
    """The pipeline settings and their stages; any mistake is a `ConfigError` with its path."""
    raw = context.get("pipeline")
    if not isinstance(raw, Mapping):
        raise ConfigError(
            "pipeline",
            'add a "pipeline" object to the context in cdk.json (README: Promote through stages)',
        )
    try:
        settings = PipelineSettings.model_validate(raw)
    except ValidationError as error:
        raise config_error("pipeline", error, PipelineSettings) from None
    stages = context.get("stages")
    known: Mapping[str, Any] = stages if isinstance(stages, Mapping) else {}
    for index, wave in enumerate(settings.order):
        for stage in [wave] if isinstance(wave, str) else wave:
            if stage not in known:
                raise ConfigError(
                    f"pipeline.order[{index}]",
                    f"unknown stage {stage!r}; choose from {', '.join(sorted(known))} "
                    "or add it to stages in cdk.json",
                )
    return PipelineConfig(
        settings=settings,
        stages={name: load_stage(context, name) for name in settings.stage_names},
    )
