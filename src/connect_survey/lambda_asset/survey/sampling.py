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
from functools import lru_cache
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    from collections.abc import Sequence
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
# The contact attribute saying whether the caller's number is withheld ("true"/"false"): the
# escalation flow promises a callback only when it reads "false", so the one test below is the
# only judge of whether a number can be called back.
NUMBER_WITHHELD_ATTRIBUTE: Final = "SurveyNumberWithheld"
# The eligibility handler's answer (read by the flow as $.External.<key>).
ELIGIBLE: Final = "eligible"
DECISION: Final = "decision"
CALLER_KEY: Final = "callerKey"
NUMBER_WITHHELD: Final = "numberWithheld"

# What carriers put in the caller id when the number is withheld, besides nothing at all or a
# word such as ANONYMOUS (anything but digits after an optional "+" is withheld whatever the
# patterns say). Regular expressions (Python `re`), each matched against the whole number; a
# stage replaces the list with `sampling.withheldPatterns`.
WITHHELD_PATTERNS: Final = (
    # The words spelt on a phone keypad (ITU E.161), as carriers that send digits only write them.
    r"\+?266696687",  # ANONYMOUS
    r"\+?7378742833",  # RESTRICTED
    r"\+?2562533",  # BLOCKED
    r"\+?8656696",  # UNKNOWN
    r"\+?86282452253",  # UNAVAILABLE
    # Too short to be real: the shortest international numbers have 7 digits with the country
    # code (Niue +683 and Tokelau +690, with 4-digit lines), so fewer is a placeholder. The one
    # real number refused is an Austrian 4-digit fixed line (+43 and 4 digits), which is rare.
    r"\+\d{1,6}",
)
# A real E.164 number has at most 15 digits; anything much longer is not a number, and is never
# handed to a stage's regular expressions (so no pattern can be made to run long).
MAX_NUMBER_CHARACTERS: Final = 32
# A number at all: ASCII digits after an optional "+" (str.isdigit would take "²" or "٣").
DIGITS: Final = re.compile(r"\+?[0-9]+")

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
    withheld_patterns: tuple[str, ...] = WITHHELD_PATTERNS

    def to_env(self) -> str:
        return json.dumps(asdict(self), separators=(",", ":"))

    @classmethod
    def from_env(cls, text: str) -> SamplingPolicy:
        values = json.loads(text)
        patterns = values["withheld_patterns"]
        if not isinstance(patterns, list) or not all(isinstance(p, str) for p in patterns):
            raise ValueError("withheld_patterns must be a list of regular expressions")
        policy = cls(
            percent=int(values["percent"]),
            cooldown_days=int(values["cooldown_days"]),
            withheld_numbers=str(values["withheld_numbers"]),
            on_error=str(values["on_error"]),
            withheld_patterns=tuple(patterns),
        )
        if not 0 <= policy.percent <= 100 or policy.cooldown_days < 0:
            raise ValueError("percent must be 0-100 and cooldown_days >= 0")
        if policy.withheld_numbers not in CHOICES or policy.on_error not in CHOICES:
            raise ValueError(f"withheld_numbers and on_error must be one of {CHOICES}")
        try:
            compiled_patterns(policy.withheld_patterns)
        except re.error as error:
            raise ValueError(f"withheld_patterns: {error}") from None
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


def is_withheld(number: str | None, patterns: Sequence[str] = WITHHELD_PATTERNS) -> bool:
    """No number that can be called back: none sent, not digits (`anonymous`), a carrier's
    placeholder or too short (`patterns`, each matched against the whole number)."""
    if number is None:
        return True
    text = number.strip()
    if len(text) > MAX_NUMBER_CHARACTERS or not DIGITS.fullmatch(text):
        return True
    return any(pattern.fullmatch(text) for pattern in compiled_patterns(tuple(patterns)))


@lru_cache(maxsize=8)  # the same few lists on every call of a warm function
def compiled_patterns(patterns: tuple[str, ...]) -> tuple[re.Pattern[str], ...]:
    """The patterns compiled; raises `re.error` naming the first that does not compile."""
    return tuple(re.compile(pattern) for pattern in patterns)


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
