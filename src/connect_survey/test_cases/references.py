"""References to a stage's resources in a test case: `{{flow:KEY}}`, `{{function:NAME}}`,
`{{queue:NAME}}`.

A case is written once for every stage; each runtime resolves the references to its own ARNs:
offline to the stage's stand-in ARNs (`OfflineStage`), deployed to the stack's resources (CDK
tokens, which CloudFormation resolves). A reference to nothing the stage has is refused.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final

from connect_survey.flows.catalog import HANDLERS
from connect_survey.test_cases.files import CaseError, CaseFile

if TYPE_CHECKING:
    from collections.abc import Iterator, Mapping

    from connect_survey.flows.offline import OfflineStage

FLOW: Final = "flow"
FUNCTION: Final = "function"
QUEUE: Final = "queue"
KINDS: Final = (FLOW, FUNCTION, QUEUE)
REFERENCE: Final = re.compile(r"\{\{(?P<kind>[A-Za-z]+):(?P<name>[^{}]*)\}\}")


class UnknownReferenceError(CaseError):
    """Raised for a `{{kind:name}}` naming nothing the stage has; lists what it has."""

    def __init__(self, where: str, reference: str, known: list[str]) -> None:
        super().__init__(
            f"{where}: unknown reference {reference}; "
            + (f"known: {', '.join(known)}" if known else f"kinds are {', '.join(KINDS)}")
        )
        self.reference = reference


@dataclass(frozen=True)
class StageResources:
    """What each reference stands for in one runtime: ARNs, or tokens that become ARNs."""

    flows: Mapping[str, str] = field(default_factory=dict)
    functions: Mapping[str, str] = field(default_factory=dict)
    queues: Mapping[str, str] = field(default_factory=dict)

    def by_kind(self, kind: str) -> Mapping[str, str] | None:
        return {FLOW: self.flows, FUNCTION: self.functions, QUEUE: self.queues}.get(kind)

    def known(self) -> list[str]:
        return [f"{{{{{kind}:{name}}}}}" for kind in KINDS for name in self.by_kind(kind) or {}]

    def lookup(self, kind: str, name: str, *, where: str) -> str:
        values = self.by_kind(kind)
        if values is None or name not in values:
            reference = f"{{{{{kind}:{name}}}}}"
            same_kind = [k for k in self.known() if k.startswith(f"{{{{{kind}:")]
            raise UnknownReferenceError(where, reference, same_kind or self.known())
        return values[name]


def offline_resources(stage: OfflineStage) -> StageResources:
    """The stand-in ARNs the simulator knows every flow, handler and queue of `stage` by."""
    return StageResources(
        flows={key: stage.flow_arn(key) for key in stage.flow_keys},
        functions={name: stage.function_arn(name) for name in HANDLERS},
        queues=dict(stage.queues),
    )


def references(value: Any) -> Iterator[tuple[str, str]]:
    """Every (kind, name) referred to anywhere in `value`, in document order."""
    if isinstance(value, str):
        for match in REFERENCE.finditer(value):
            yield match["kind"], match["name"]
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from references(key)
            yield from references(item)
    elif isinstance(value, list):
        for item in value:
            yield from references(item)


def resolve(value: Any, resources: StageResources, *, where: str) -> Any:
    """`value` with every reference in every string (keys too) replaced; JSON shapes kept."""

    def substitute(match: re.Match[str]) -> str:
        return resources.lookup(match["kind"], match["name"], where=where)

    if isinstance(value, str):
        return REFERENCE.sub(substitute, value)
    if isinstance(value, dict):
        return {
            resolve(key, resources, where=where): resolve(item, resources, where=where)
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [resolve(item, resources, where=where) for item in value]
    return value


def resolve_case(case: CaseFile, resources: StageResources) -> CaseFile:
    """The case with its entry point, initial data and content resolved for one runtime."""
    where = str(case.path)
    return case.with_values(
        entry_point=resolve(case.entry_point, resources, where=where),
        initialization_data=resolve(case.initialization_data, resources, where=where),
        content=resolve(case.content, resources, where=where),
    )
