"""The low-score alert: what every channel sends (`channels/`), in the form it needs.

It never carries the caller's phone number: the contact id is enough to look the call up.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

from .contract import CONSOLE_CONTACT_URL

if TYPE_CHECKING:
    from collections.abc import Mapping

# alertId = UUIDv5(ALERT_NAMESPACE, contact id): the same contact always gets the same id.
ALERT_NAMESPACE: Final = uuid.UUID("5b0f6a9e-2d47-4c1e-9a83-0c6f1e2d3b4a")


@dataclass(frozen=True)
class LowScoreAlert:
    """A contact with at least one stored answer below the threshold."""

    contact_id: str
    initial_contact_id: str | None
    mode: str
    queue: str | None
    scores: Mapping[str, int]  # contact attribute → score, in survey order, answered so far
    threshold: int
    instance_alias: str | None = None
    language: str | None = None  # BCP-47: what the caller was surveyed in, as stored
    answered_at: str | None = None  # ISO-8601 UTC: the contact's first stored answer

    @property
    def alert_id(self) -> str:
        """Stable for the contact: consumers dedupe on it."""
        return str(uuid.uuid5(ALERT_NAMESPACE, self.contact_id))

    @property
    def lowest(self) -> int:
        return min(self.scores.values())

    @property
    def console_url(self) -> str | None:
        if not self.instance_alias:
            return None
        return CONSOLE_CONTACT_URL.format(alias=self.instance_alias, contact_id=self.contact_id)

    def subject(self) -> str:
        # SNS subjects: ASCII, one line, under 100 characters.
        return f"Low survey score {self.lowest} for contact {self.contact_id}"[:99]

    def body(self) -> str:
        lines = [
            f"A caller rated the {self.mode} post-call survey below {self.threshold}.",
            "",
            f"Alert id: {self.alert_id}",
            f"Contact id: {self.contact_id}",
            f"Initial contact id: {self.initial_contact_id or '-'}",
            f"Survey mode: {self.mode}",
            f"Language: {self.language or '-'}",
            f"Queue: {self.queue or '-'}",
            *(f"{attribute} = {score}" for attribute, score in self.scores.items()),
            f"Lowest score: {self.lowest}",
        ]
        if self.console_url:
            lines.append(f"Contact in the console: {self.console_url}")
        return "\n".join(lines)

    def detail(self) -> dict[str, Any]:
        return {
            "alertId": self.alert_id,
            "contactId": self.contact_id,
            "initialContactId": self.initial_contact_id,
            "mode": self.mode,
            "language": self.language,
            "queue": self.queue,
            "scores": dict(self.scores),
            "lowest": self.lowest,
            "threshold": self.threshold,
            "consoleUrl": self.console_url,
        }
