"""The linter: every rule passes a small valid flow and names what is wrong in a broken one."""

from __future__ import annotations

import json
from typing import Any

import pytest

from connect_survey.flow_language.engine import ACTIONS
from connect_survey.flow_language.lint import RULES, Finding, LintError, lint, require_clean
from connect_survey.flow_language.spec import ACTION_TYPES as TYPES
from tests.flow_language.fixtures.flowdocs import action, flow, hang_up, load, say
from tests.flow_language.fixtures.mutants import (
    CASES,
    HOOK,
    LAMBDA,
    MALFORMED,
    MENU,
    QUEUE,
    Case,
    retargeted,
)


def case_id(case: Case) -> str:
    return f"{case.rule}:{case.expected[0][1][:30]}"


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_lint_passes_valid_flow(case: Case) -> None:
    # GIVEN a small flow that is right for the rule (and every other rule)
    # WHEN it is linted THEN nothing is found
    assert lint(case.valid, "tiny") == []


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_lint_names_what_breaks_the_rule(case: Case) -> None:
    # GIVEN a flow broken in one way WHEN it is linted
    findings = [f for f in lint(case.broken, "tiny") if f.rule == case.rule]
    # THEN the rule reports exactly that, where it is, with its severity
    assert [(f.action, f.message) for f in findings] == case.expected
    assert {f.severity for f in findings} == {case.severity}


def test_lint_has_a_case_for_every_rule() -> None:
    assert {case.rule for case in CASES} == {rule.name for rule in RULES}


def test_lint_knows_the_types_the_simulator_runs() -> None:
    assert set(TYPES) == set(ACTIONS)


def test_lint_passes_a_flow_using_every_action_type() -> None:
    # GIVEN a hand-written flow with one action of every known type
    document = load("every-action-type")
    assert {a["Type"] for a in document["Actions"]} == set(TYPES)
    # WHEN it is linted THEN it is clean
    assert lint(document, "every-action-type") == []


def test_lint_finding_reads_flow_action_rule_message() -> None:
    finding = Finding("on-demand-survey", "ask-effort", "prompt", "give exactly one of Text")
    document_level = Finding("on-demand-survey", "", "version", "wrong", "error")
    assert str(finding) == "on-demand-survey: ask-effort: prompt: give exactly one of Text"
    assert str(document_level) == "on-demand-survey: (flow): version: wrong"


def test_lint_reports_a_target_and_unreachable_action_once_each() -> None:
    # GIVEN a menu branch to a missing action and an action nothing leads to
    document = flow(
        retargeted(
            MENU,
            Conditions=[
                {"NextAction": "sales", "Condition": {"Operator": "Equals", "Operands": ["1"]}}
            ],
        ),
        say("orphan", "Nobody hears this"),
    )
    # WHEN it is linted THEN each problem is one finding
    assert [str(f) for f in lint(document, "inbound")] == [
        "inbound: menu: transition-targets: transition to unknown 'sales'",
        "inbound: orphan: unreachable: no path from StartAction leads here",
    ]


@pytest.mark.parametrize("document", MALFORMED.values(), ids=MALFORMED.keys())
def test_lint_reports_malformed_documents_without_crashing(document: Any) -> None:
    assert any(f.severity == "error" for f in lint(document, "broken"))


def test_require_clean_returns_warnings_and_raises_on_errors() -> None:
    # GIVEN a flow with only a warning, and one with an error
    warned = flow(retargeted(LAMBDA, Errors=None))
    broken = flow(say("greet", ""))
    # THEN the warnings come back, and the error raises with every finding in its message
    assert [f.rule for f in require_clean(warned, "f")] == ["lambda-error-unhandled"]
    with pytest.raises(LintError) as raised:
        require_clean(broken, "f")
    assert str(raised.value) == "f: greet: string: Text must be a non-empty string, got ''"
    assert raised.value.findings == lint(broken, "f")


def test_lint_measures_the_content_as_deployed_when_given() -> None:
    # GIVEN a small flow whose deployed Content is (say, indented) over the limit
    document = flow(say("greet", "Hello"))
    content = json.dumps(document) + " " * 256_000
    # THEN the size rule counts the Content, not the document
    assert [str(f) for f in lint(document, "f", content=content)] == [
        f"f: (flow): content-size: {len(content)} characters of JSON; Content holds at most 256000"
    ]
    assert lint(document, "f", content=json.dumps(document)) == []


def test_lint_accepts_cdk_tokens_in_arns_and_flows() -> None:
    document = flow(
        HOOK | {"Transitions": {"NextAction": "set-queue"}},
        QUEUE | {"Transitions": {"NextAction": "score"}},
        LAMBDA,
        hang_up(),
    )
    assert lint(document, "inbound") == []


def test_lint_reports_a_missing_target_once_however_many_branches_name_it() -> None:
    document = flow(
        action(
            "start",
            "MessageParticipant",
            {"Text": "Hi."},
            next_action="gone",
            errors=[("NoMatchingError", "gone")],
        )
    )

    findings = [f for f in lint(document, "f") if f.rule == "transition-targets"]

    assert [str(f) for f in findings] == [
        "f: start: transition-targets: transition to unknown 'gone'"
    ]
