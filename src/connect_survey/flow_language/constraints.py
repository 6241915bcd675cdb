"""The kinds of constraint the spec declares on an action: data only, checked in `checks`.

Each kind is a small frozen dataclass whose `kind` is the id of the lint rule that reports it
(as a JSON Schema keyword names its validator). A parameter is named by its path inside
`Parameters`, dotted for nested objects (`InputValidation.CustomValidation.MaximumLength`); a
nested parameter is checked only when its parent object is there (the parent's own constraint
says whether it must be).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, Literal

LeavesBy = Literal["next", "conditions", "errors", "end"]
"""How an action leaves: by NextAction, by its result matching Conditions (NoMatchingCondition
being the rest), only by Errors (a transfer that succeeds ends the flow), or not at all."""


class Constraint:
    """Base of every constraint; `kind` names the check (and the lint rule) that enforces it."""

    kind: ClassVar[str]


# -- parameters -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Parameter(Constraint):
    """A constraint on the one parameter `name` (its dotted path inside `Parameters`)."""

    name: str


@dataclass(frozen=True)
class OneOf(Constraint):
    """Exactly one of `names` is given (at most one when not `required`)."""

    kind: ClassVar[str] = "one-of"
    names: tuple[str, ...]
    required: bool = True


@dataclass(frozen=True)
class String(Parameter):
    """The parameter is a non-empty string (an ARN, id, name or text)."""

    kind: ClassVar[str] = "string"
    required: bool = True


@dataclass(frozen=True)
class Choice(Parameter):
    """The parameter is one of `values`; `default` when absent (None: required). With `many`,
    it is a list of them."""

    kind: ClassVar[str] = "enum"
    values: tuple[str, ...]
    default: str | None = None
    many: bool = False


@dataclass(frozen=True)
class Range(Parameter):
    """A whole number (JSON number or digits) from `low` to `high` (no upper bound when None);
    `dynamic` parameters may instead be one JSONPath, whose value is checked when it is read."""

    kind: ClassVar[str] = "range"
    low: int
    high: int | None = None
    dynamic: bool = False
    required: bool = True

    def __contains__(self, value: object) -> bool:
        return (
            isinstance(value, int)
            and not isinstance(value, bool)
            and self.low <= value
            and (self.high is None or value <= self.high)
        )


@dataclass(frozen=True)
class JsonPath(Parameter):
    """The parameter is one JSONPath reference, never a static value."""

    kind: ClassVar[str] = "json-path"


@dataclass(frozen=True)
class StringMap(Parameter):
    """The parameter is an object mapping names to strings (non-empty when `required`)."""

    kind: ClassVar[str] = "string-map"
    required: bool = False


@dataclass(frozen=True)
class OneEntry(Parameter):
    """The parameter is an object with exactly one entry: a key of `keys` naming a non-empty
    string (an event hook and its flow)."""

    kind: ClassVar[str] = "one-entry"
    keys: frozenset[str]


@dataclass(frozen=True)
class Pattern(Parameter):
    """The parameter, when given, is a string matching `regex` (`says` what that means)."""

    kind: ClassVar[str] = "pattern"
    regex: str
    says: str


@dataclass(frozen=True)
class Object(Parameter):
    """The parameter is a JSON object (required unless said otherwise)."""

    kind: ClassVar[str] = "object"
    required: bool = True


# -- conditions -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Results(Constraint):
    """Conditions are Equals on each of `values`: exactly those when `exact`, else at least."""

    kind: ClassVar[str] = "results"
    values: tuple[str, ...]
    exact: bool = True


@dataclass(frozen=True)
class Conditions(Constraint):
    """Each condition uses one of `operators`, on an operand matching `operand` when given
    (`says` what the operand must be)."""

    kind: ClassVar[str] = "conditions"
    operators: tuple[str, ...]
    operand: str | None = None
    says: str = ""


@dataclass(frozen=True)
class Percentages(Constraint):
    """Conditions are a rising chain of NumberLessThan whole numbers, none above `most`."""

    kind: ClassVar[str] = "percentages"
    most: int


# -- branches (derived from an action's form, see `spec.Form`) ------------------------------------


@dataclass(frozen=True)
class RequiredBranches(Constraint):
    """The branches an action's outcome needs: its way of leaving, and `errors` always."""

    kind: ClassVar[str] = "dead-end"
    leaves_by: LeavesBy
    errors: frozenset[str]


@dataclass(frozen=True)
class AllowedBranches(Constraint):
    """Conditions only where the form leaves by them; only `errors`, each once."""

    kind: ClassVar[str] = "forbidden-branch"
    conditions: bool
    errors: frozenset[str]


@dataclass(frozen=True)
class ConsoleNextAction(Constraint):
    """Console exports write a NextAction here (`target` says which); Connect does not need it."""

    kind: ClassVar[str] = "console-next-action"
    target: str
