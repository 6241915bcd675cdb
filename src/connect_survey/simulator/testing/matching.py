"""When an event a case waits for happens: messages and flow actions as the test runner sees them.

A message is what the caller heard between two moments the call waits on them (see `Message`).
`Inclusion` is case-insensitive containment; `Similarity` is a fuzzy match from rapidfuzz, as
AWS documents only "semantic matching" and no threshold: the best-aligned part of the message
must score at least `SIMILARITY_THRESHOLD` of 100 (`fuzz.partial_ratio`; `fuzz.ratio` on the
whole message when the message is shorter than the text).
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

from rapidfuzz import fuzz

from connect_survey.test_cases.language import ExpectedMessage, Matching, MessageKind

if TYPE_CHECKING:
    from collections.abc import Mapping

    from connect_survey.test_cases.language import ExpectedFlowAction

SIMILARITY_THRESHOLD: Final = 80
SSML_TAG = re.compile(r"<[^>]+>")
SPACES = re.compile(r"\s+")
PROMPT_PREFIX, PROMPT_SUFFIX = "[prompt ", "]"  # how the engine logs a PromptId it played


@dataclass(frozen=True)
class Message:
    """What the caller heard in one go: prompts played back to back, delivered together when the
    call next waits for the caller, starts a flow action a case can observe, or a flow run ends
    (third parties report Connect delivers consecutive prompts as one message)."""

    texts: tuple[str, ...]  # what each Text or SSML prompt said
    prompt_ids: tuple[str, ...] = ()  # prompts played from the library, by id or ARN

    @property
    def text(self) -> str:
        return " ".join(self.texts)


def heard(text: str, source: str) -> tuple[str | None, str | None]:
    """(spoken text, prompt id) of one PROMPT entry of the engine's call log."""
    if source == MessageKind.PROMPT_ID and text.startswith(PROMPT_PREFIX):
        return None, text.removeprefix(PROMPT_PREFIX).removesuffix(PROMPT_SUFFIX)
    return text, None


def message_matches(expected: ExpectedMessage, message: Message) -> bool:
    if expected.kind is MessageKind.PROMPT_ID:
        return any(same_resource(expected.value, played) for played in message.prompt_ids)
    if not message.texts:
        return False
    wanted = expected.value
    if expected.kind is MessageKind.SSML:
        wanted = html.unescape(SSML_TAG.sub(" ", wanted))
    wanted, said = _normal(wanted), _normal(message.text)
    if expected.matching is Matching.SIMILARITY:
        return similarity(wanted, said) >= SIMILARITY_THRESHOLD
    return wanted in said


def similarity(wanted: str, said: str) -> float:
    """0-100: how closely the best-aligned part of `said` reads like `wanted`."""
    if len(said) < len(wanted):
        return float(fuzz.ratio(wanted, said))
    return float(fuzz.partial_ratio(wanted, said))


def _normal(text: str) -> str:
    return SPACES.sub(" ", text).strip().casefold()


def flow_action_matches(
    expected: ExpectedFlowAction, action_type: str, parameters: Mapping[str, str]
) -> bool:
    """The action is of the type, and has every parameter the case gives ({} matches any)."""
    if expected.action_type != action_type:
        return False
    return all(
        key in parameters and same_resource(value, parameters[key])
        for key, value in expected.parameters
    )


def same_resource(given: str, actual: str) -> bool:
    """An ARN, or the id or name it ends in (`…/queue/<id>`, `…:function:<name>`)."""
    if given == actual:
        return True
    shorter, longer = sorted((given, actual), key=len)
    return longer.endswith((f"/{shorter}", f":{shorter}"))
