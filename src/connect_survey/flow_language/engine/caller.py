"""The caller's side of the call: what they key in, one entry per input the flows ask for."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final, Literal, Protocol

from connect_survey.flow_language.spec import is_keys

if TYPE_CHECKING:
    from collections.abc import Sequence

TIMEOUT: Final = "timeout"
HANG_UP: Final = "hangup"


class ScriptError(ValueError):
    """Raised when a caller script entry is not keys, "timeout" or "hangup"."""


@dataclass(frozen=True)
class Entry:
    """What the caller does at one input: press `keys`, stay silent, or hang up."""

    kind: Literal["keys", "timeout", "hangup"]
    keys: str = ""


class Caller(Protocol):
    """The caller's side: asked for an entry each time a flow waits for input."""

    def next(self) -> Entry:
        """What the caller does at this input."""
        ...

    @property
    def remaining(self) -> list[str]:
        """Entries the call never asked for (for the call's result)."""
        ...


class CallerScript:
    """The caller's entries in order: keys as typed ("5", "42#"), "timeout" or "hangup".

    Running out of entries means the caller stays silent, so every further input times out.
    """

    def __init__(self, entries: Sequence[str]) -> None:
        self._entries: deque[tuple[str, Entry]] = deque(
            (raw, _entry(index, raw)) for index, raw in enumerate(entries)
        )

    def next(self) -> Entry:
        """The caller's next entry (silence once the script is used up)."""
        if not self._entries:
            return Entry(TIMEOUT)
        return self._entries.popleft()[1]

    @property
    def remaining(self) -> list[str]:
        """Entries the call never asked for, as written."""
        return [raw for raw, _ in self._entries]


def _entry(index: int, raw: str) -> Entry:
    if not isinstance(raw, str):
        raise ScriptError(f"inputs[{index}]: {raw!r} must be a string")
    text = raw.strip()
    if text.lower() == TIMEOUT:
        return Entry(TIMEOUT)
    if text.lower() == HANG_UP:
        return Entry(HANG_UP)
    if is_keys(text):
        return Entry("keys", text)
    raise ScriptError(
        f"inputs[{index}]: {raw!r} is not keys (0-9, *, #), {TIMEOUT!r} or {HANG_UP!r}"
    )
