"""The reporting section: contact records to S3 through Firehose, queried with Athena."""

from __future__ import annotations

import re
from typing import Self

from pydantic import Field, model_validator

from connect_survey.config.base import ConfigModel
from connect_survey.config.errors import setting_error

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
