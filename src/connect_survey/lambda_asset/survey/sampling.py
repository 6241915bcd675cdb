"""Who is offered a survey: a sampled share of callers, none surveyed within the cooldown.

The caller is known only by an HMAC-SHA256 of their number with a per-stage secret (Secrets
Manager): the number itself is never stored or logged. The cooldown record (one item per caller
key in its own table) is written when the caller's first answer is stored and expires by TTL
when the cooldown ends.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import random
import re
from dataclasses import asdict, dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    from datetime import datetime

OFFER: Final = "offer"
SKIP: Final = "skip"
CHOICES: Final = (OFFER, SKIP)
SECONDS_PER_DAY: Final = 86_400

# The contact attribute the inbound flow stores the caller key in (never the number).
CALLER_KEY_ATTRIBUTE: Final = "SurveyCallerKey"
# The contact attribute holding the decision ("true": offered; "false": not), for agents and CTRs.
ELIGIBLE_ATTRIBUTE: Final = "SurveyEligible"
# The contact attribute saying why (a `Decision` value), so reports can split the callers not
# offered a survey into sampled out, in cooldown, withheld number, and undecided.
DECISION_ATTRIBUTE: Final = "SurveyEligibility"
# The eligibility handler's answer (read by the flow as $.External.<key>).
ELIGIBLE: Final = "eligible"
DECISION: Final = "decision"
CALLER_KEY: Final = "callerKey"

# Environment of the eligibility handler (and the score handler, which writes the record).
ENV_SAMPLING: Final = "SURVEY_SAMPLING"
ENV_CALLER_SECRET: Final = "CALLER_KEY_SECRET_ARN"
ENV_COOLDOWN_TABLE: Final = "COOLDOWN_TABLE_NAME"


class Decision(StrEnum):
    """Why a caller is or is not offered a survey; each is also a metric."""

    OFFER = "offered"
    SAMPLING = "skipped_by_sampling"
    COOLDOWN = "skipped_by_cooldown"
    WITHHELD = "skipped_withheld_number"
    UNDECIDED = "undecided"  # the handler could not decide; the stage's onError applies

    @property
    def metric(self) -> str:
        """The metric counting this decision (SurveyOffered, SurveySkippedBySampling...)."""
        return "Survey" + "".join(part.title() for part in self.value.split("_"))


@dataclass(frozen=True)
class SamplingPolicy:
    """A stage's `sampling` settings, as the handlers and the renderer read them."""

    percent: int = 100
    cooldown_days: int = 0
    withheld_numbers: str = OFFER
    on_error: str = OFFER

    def to_env(self) -> str:
        return json.dumps(asdict(self), separators=(",", ":"))

    @classmethod
    def from_env(cls, text: str) -> SamplingPolicy:
        values = json.loads(text)
        policy = cls(
            percent=int(values["percent"]),
            cooldown_days=int(values["cooldown_days"]),
            withheld_numbers=str(values["withheld_numbers"]),
            on_error=str(values["on_error"]),
        )
        if not 0 <= policy.percent <= 100 or policy.cooldown_days < 0:
            raise ValueError("percent must be 0-100 and cooldown_days >= 0")
        if policy.withheld_numbers not in CHOICES or policy.on_error not in CHOICES:
            raise ValueError(f"withheld_numbers and on_error must be one of {CHOICES}")
        return policy


@dataclass(frozen=True)
class CallerSecret:
    """The caller-key secret as one process read it: the AWSCURRENT version, and the AWSPREVIOUS
    one during a rotation (while a record keyed by it can still be in its cooldown)."""

    current: bytes
    previous: bytes | None
    read_at: float  # time.monotonic() when it was read


# How long a process keeps the secret it read: a rotation reaches every warm function within it
# (meanwhile their keys are the previous version's, which eligibility still looks up).
SECRET_CACHE_SECONDS: Final = 300
# The caller-key secret by ARN, per process.
caller_secrets: dict[str, CallerSecret] = {}
# Seeded by the simulator (`--seed`) so sampling is reproducible offline.
sampler = random.Random()


def caller_key(number: str, secret: bytes) -> str:
    """The caller's identity for the cooldown: a keyed hash, so the number is never kept."""
    return hmac.new(secret, number.encode("utf-8"), hashlib.sha256).hexdigest()


# What caller_key() returns: the only form a caller key may take before it becomes a DynamoDB key.
CALLER_KEY_FORM: Final = re.compile(r"[0-9a-f]{64}")


def is_caller_key(text: str) -> bool:
    return CALLER_KEY_FORM.fullmatch(text) is not None


def is_withheld(number: str | None) -> bool:
    """No usable caller number: none sent, or a placeholder such as `anonymous`."""
    if number is None:
        return True
    digits = number.strip().removeprefix("+")
    return not digits.isdigit()


def sampled(percent: int, draw: float) -> bool:
    """Whether a draw in [0, 1) falls into the sampled share."""
    return draw * 100 < percent


def in_cooldown(surveyed_at: datetime | None, now: datetime, cooldown_days: int) -> bool:
    """Whether the caller answered a survey less than `cooldown_days` days ago."""
    if surveyed_at is None or cooldown_days <= 0:
        return False
    return (now - surveyed_at).total_seconds() < cooldown_days * SECONDS_PER_DAY


def cooldown_expiry(now: datetime, cooldown_days: int) -> int:
    """Epoch seconds when DynamoDB's TTL may drop the record: the end of the cooldown."""
    return int(now.timestamp()) + cooldown_days * SECONDS_PER_DAY


def sampling_environment(
    *, policy: SamplingPolicy, cooldown_table: str, secret_arn: str | None = None
) -> dict[str, str]:
    """What the stack and the simulator add for eligibility (with the secret) and score."""
    environment = {
        ENV_SAMPLING: policy.to_env(),
        ENV_COOLDOWN_TABLE: cooldown_table,
    }
    if secret_arn is not None:
        environment[ENV_CALLER_SECRET] = secret_arn
    return environment
