"""How the project's rules read a resource as CloudFormation will get it.

A rule sees one L1 resource. Its properties resolve (`Stack.resolve`) to the template's JSON:
intrinsics stay as `{"Ref": ...}` / `{"Fn::GetAtt": [...]}` / `{"Fn::Join": [...]}`, and struct
properties keep the L1's camelCase keys (`storageDescriptor`), while JSON properties (policy
documents) keep CloudFormation's own (`Statement`). Another resource of the same stack is found
by the logical id such a reference names.
"""

from __future__ import annotations

import fnmatch
import weakref
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from aws_cdk import CfnResource, Stack
from cdk_nag import NagRuleCompliance

Compliance = NagRuleCompliance | list[str]
"""What a rule answers: compliant, not applicable, or the ids of its findings (granular)."""

TOKEN: Final = "${Token}"
"""What an intrinsic becomes in `text`: a marker that is valid inside any JSON string."""


def resolved(node: CfnResource, value: Any) -> Any:
    """`value` (a property of `node`) as the template will hold it."""
    return Stack.of(node).resolve(value)


def text(value: Any) -> str:
    """A resolved value written out: a join's parts concatenated, other intrinsics as `TOKEN`."""
    if isinstance(value, str):
        return value
    if isinstance(value, Mapping) and "Fn::Join" in value:
        separator, parts = value["Fn::Join"]
        return str(separator).join(text(part) for part in parts)
    if isinstance(value, Mapping) and len(value) == 1:
        return TOKEN
    return str(value)


def referenced_id(value: Any) -> str | None:
    """The logical id a `Ref` or `Fn::GetAtt` names, or None for anything else."""
    if isinstance(value, Mapping) and isinstance(value.get("Ref"), str):
        return str(value["Ref"])
    if isinstance(value, Mapping) and isinstance(value.get("Fn::GetAtt"), list):
        return str(value["Fn::GetAtt"][0])
    return None


def resource(node: CfnResource, logical_id: str | None) -> CfnResource | None:
    """The resource of `node`'s stack with this logical id, or None."""
    if logical_id is None:
        return None
    found = _index(node).by_logical_id.get(logical_id)
    if found is None:  # added since the index was built? (cdk-nag visits a complete tree)
        found = _index(node, fresh=True).by_logical_id.get(logical_id)
    return found


def resources_of(node: CfnResource, cfn_type: str) -> Iterator[CfnResource]:
    """Every resource of one CloudFormation type in `node`'s stack."""
    yield from _index(node).by_type.get(cfn_type, [])


@dataclass
class _StackIndex:
    """A stack's resources by logical id and by type. Reading them is a call into JavaScript per
    construct, and the rules look resources up for every alarm, role and topic: once a stack."""

    by_logical_id: dict[str, CfnResource] = field(default_factory=dict)
    by_type: dict[str, list[CfnResource]] = field(default_factory=dict)


_INDEXES: Final[weakref.WeakKeyDictionary[Stack, _StackIndex]] = weakref.WeakKeyDictionary()


def _index(node: CfnResource, *, fresh: bool = False) -> _StackIndex:
    stack = Stack.of(node)
    if fresh or stack not in _INDEXES:
        index = _StackIndex()
        for child in stack.node.find_all():
            if isinstance(child, CfnResource):
                index.by_logical_id[stack.resolve(child.logical_id)] = child
                index.by_type.setdefault(child.cfn_resource_type, []).append(child)
        _INDEXES[stack] = index
    return _INDEXES[stack]


def as_list(value: Any) -> list[Any]:
    """A policy field that may hold one value or a list of them, as a list."""
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def statements(document: Any) -> list[Mapping[str, Any]]:
    """The statements of a resolved policy document."""
    if not isinstance(document, Mapping):
        return []
    return [s for s in as_list(document.get("Statement")) if isinstance(s, Mapping)]


def allows(statement: Mapping[str, Any], action: str) -> bool:
    """Whether an Allow statement's actions (wildcards included) cover `action`."""
    if statement.get("Effect") != "Allow":
        return False
    patterns = [p.lower() for p in as_list(statement.get("Action")) if isinstance(p, str)]
    return any(fnmatch.fnmatchcase(action.lower(), pattern) for pattern in patterns)


def service_principals(statement: Mapping[str, Any]) -> set[str]:
    principal = statement.get("Principal")
    if not isinstance(principal, Mapping):
        return set()
    return {text(s) for s in as_list(principal.get("Service"))}


def condition_values(statement: Mapping[str, Any], key: str) -> list[str]:
    """Every value a statement's conditions give `key`, under any operator (keys ignore case)."""
    found: list[str] = []
    conditions = statement.get("Condition")
    if not isinstance(conditions, Mapping):
        return found
    for block in conditions.values():
        if not isinstance(block, Mapping):
            continue
        for name, values in block.items():
            if name.lower() == key.lower():
                found += [text(v) for v in as_list(values)]
    return found
