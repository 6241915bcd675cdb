"""The lint rule registry: ids written out, reported in a fixed order, checked at registration."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

from connect_survey.flow_language.lint import RULES
from connect_survey.flow_language.lint.registry import Document, Problem, action_rule, rule

if TYPE_CHECKING:
    from collections.abc import Iterator, Mapping


def test_rules_run_in_the_order_of_their_sections() -> None:
    assert [r.name for r in RULES] == [
        *("version", "start-action", "action-shape", "identifiers", "action-type"),
        *("action-count", "content-size"),
        *("transition-targets", "unreachable"),
        *("operators", "numeric-operands", "duplicate-condition"),
        *("one-of", "string", "enum", "range", "json-path", "string-map", "one-entry"),
        *("pattern", "object", "results", "conditions", "percentages"),
        *("dead-end", "forbidden-branch", "console-next-action"),
        *("input-timeout-unhandled", "lambda-error-unhandled", "no-match-unhandled"),
    ]


def test_rule_refuses_an_id_already_registered() -> None:
    def again(doc: Document) -> Iterator[Problem]:
        yield from ()

    with pytest.raises(ValueError, match="lint rule 'dead-end' is registered twice"):
        rule("dead-end")(again)


def test_action_rule_refuses_a_type_the_language_lacks() -> None:
    def ring(action: Mapping[str, Any]) -> Iterator[str]:
        yield from ()

    with pytest.raises(ValueError, match=r"names types not in flow_language\.spec: \['RingBell'\]"):
        action_rule("ring-bell", "RingBell")(ring)


def test_implements_refuses_a_type_the_language_lacks() -> None:
    from connect_survey.flow_language.engine.actions.registry import implements

    with pytest.raises(
        ValueError, match=r"'RingBell' is not an action type of flow_language\.spec"
    ):
        implements("RingBell")


def test_check_refuses_a_second_function_for_a_kind() -> None:
    from connect_survey.flow_language.checks import check
    from connect_survey.flow_language.constraints import OneOf

    with pytest.raises(ValueError, match="constraint kind 'one-of' has two checks"):
        check(OneOf)(lambda constraint, action: iter(()))
