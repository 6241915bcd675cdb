"""OverrideSystemBehavior offline: each override is used once, first in first out per resource.

https://docs.aws.amazon.com/connect/latest/adminguide/testing-simulation-action-override.html
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from connect_survey.simulator.testing.matching import same_resource

if TYPE_CHECKING:
    from connect_survey.test_cases.language import Override


class OverrideBook:
    """The overrides a case registered and has not used yet, in the order it registered them."""

    def __init__(self) -> None:
        self._waiting: list[Override] = []

    def add(self, override: Override) -> None:
        self._waiting.append(override)

    def take(self, action_type: str, resource: str) -> Override | None:
        """The oldest override of this flow action on this resource, now used up; or None."""
        for index, override in enumerate(self._waiting):
            if override.action_type == action_type and same_resource(override.resource, resource):
                return self._waiting.pop(index)
        return None

    @property
    def unused(self) -> list[Override]:
        return list(self._waiting)
