"""What every section of the configuration shares: the model base and the AWS name patterns."""

from __future__ import annotations

import re
from typing import ClassVar, Literal, get_args

from pydantic import BaseModel, ConfigDict
from pydantic.alias_generators import to_camel

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
