"""The rule registry: each rule is one small function registered under its id, written out.

`@rule("unreachable")` registers a check of the whole document, which yields (action or None,
message); `@action_rule("lambda-error-unhandled", "InvokeLambdaFunction")` registers a check of
each action of the named types, which yields messages. The spec's constraint checks are
registered by `lint.actions`, each under its kind. `lint.RULES` runs them section by section
(module by module, in the order `lint.SECTIONS` lists), each section's rules in the order they
are registered.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from connect_survey.flow_language.checks import Severity
from connect_survey.flow_language.spec import ACTION_TYPES, is_object, is_text, type_name

__all__ = ["Document", "Finding", "Problem", "Rule", "Severity", "action_rule", "register", "rule"]


@dataclass(frozen=True)
class Finding:
    """One problem: where (flow, action id or "" for the document), which rule, what is wrong."""

    flow: str
    action: str
    rule: str
    message: str
    severity: Severity = "error"

    def __str__(self) -> str:
        return f"{self.flow}: {self.action or '(flow)'}: {self.rule}: {self.message}"


class Document:
    """The document as the rules read it: well-formed actions only (`action-shape` reports
    the rest), with tolerant accessors so every rule can run on a broken document."""

    def __init__(self, raw: Mapping[str, Any], content: str | None = None) -> None:
        self.raw = raw
        self.content = content
        actions = raw.get("Actions") if isinstance(raw, Mapping) else None
        self.all_actions: list[Any] = actions if isinstance(actions, list) else []
        self.actions: list[Mapping[str, Any]] = [
            a for a in self.all_actions if is_object(a) and is_text(a.get("Identifier"))
        ]
        self.ids = {a["Identifier"] for a in self.actions}

    def of_type(self, *types: str) -> Iterator[Mapping[str, Any]]:
        return (a for a in self.actions if type_name(a) in types)


Problem = tuple[Mapping[str, Any] | None, str]
"""What a document check yields: the action (None for the document) and what is wrong."""
DocumentCheck = Callable[[Document], Iterator[Problem]]
ActionCheck = Callable[[Mapping[str, Any]], Iterator[str]]


@dataclass(frozen=True)
class Rule:
    """A registered check: its id (`name`), section (module) and severity."""

    name: str
    section: str
    check: DocumentCheck
    severity: Severity = "error"


REGISTERED: list[Rule] = []
"""Every rule, in the order registered."""


def register(name: str, section: str, check: DocumentCheck, severity: Severity) -> None:
    """Register `check` as the rule `name` of the module `section`; an id is used once."""
    if any(known.name == name for known in REGISTERED):
        raise ValueError(f"lint rule {name!r} is registered twice")
    REGISTERED.append(Rule(name, section, check, severity))


def rule(name: str, *, severity: Severity = "error") -> Callable[[DocumentCheck], DocumentCheck]:
    """Register a check of the whole document under the rule id `name`."""

    def add(check: DocumentCheck) -> DocumentCheck:
        register(name, check.__module__, check, severity)
        return check

    return add


def action_rule(
    name: str, *types: str, severity: Severity = "error"
) -> Callable[[ActionCheck], ActionCheck]:
    """Register a check of each action of `types` (in document order) under the rule id `name`."""
    unknown = [kind for kind in types if kind not in ACTION_TYPES]
    if unknown:
        raise ValueError(f"lint rule {name!r} names types not in flow_language.spec: {unknown}")

    def add(check: ActionCheck) -> ActionCheck:
        def each_action(doc: Document) -> Iterator[Problem]:
            for action in doc.of_type(*types):
                for message in check(action):
                    yield (action, message)

        register(name, check.__module__, each_action, severity)
        return check

    return add
