"""The renderer substitutes inside parsed JSON, escapes, and refuses unknown or unused names."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from typing import TYPE_CHECKING, Any

import pytest

from connect_survey import PROJECT_ROOT
from connect_survey.flow_language.spec import targets
from connect_survey.flows import render
from connect_survey.flows.catalog import FLOWS, flow_spec
from connect_survey.flows.prompts import Prompts
from connect_survey.flows.render import (
    FlowInputs,
    MenuOption,
    RenderError,
    binding_names,
    display_names,
    render_flow,
    to_content,
)
from connect_survey.lambda_asset.survey.definition import Question, SurveyDefinition

ROOT = PROJECT_ROOT

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path


def walk_strings(document: Any) -> Iterator[str]:
    """Every string (keys and values) in a document."""
    if isinstance(document, str):
        yield document
    elif isinstance(document, dict):
        for k, v in document.items():
            yield k
            yield from walk_strings(v)
    elif isinstance(document, list):
        for item in document:
            yield from walk_strings(item)


MENU = (MenuOption("1", "sales"), MenuOption("2", "support"))
INPUTS = FlowInputs(SurveyDefinition(), Prompts(), MENU)


def fake_bindings(key: str, inputs: FlowInputs = INPUTS) -> dict[str, str]:
    return {name: f"arn:fake:{name}" for name in binding_names(flow_spec(key), inputs.menu)}


def rendered(key: str, inputs: FlowInputs = INPUTS) -> dict[str, Any]:
    return render_flow(key, inputs, fake_bindings(key, inputs))


def action(document: dict[str, Any], ident: str) -> dict[str, Any]:
    return next(a for a in document["Actions"] if a["Identifier"] == ident)


@pytest.mark.parametrize("spec", FLOWS, ids=lambda s: s.key)
def test_every_flow_renders_parses_and_has_no_placeholder_left(spec: Any) -> None:
    document = json.loads(to_content(rendered(spec.key)))
    assert document["Version"] == "2019-10-30"
    assert not any("${" in s for s in walk_strings(document))
    ids = [a["Identifier"] for a in document["Actions"]]
    assert len(ids) == len(set(ids))
    for a in document["Actions"]:
        for target in targets(a):
            assert target in ids, (a["Identifier"], target)


@pytest.mark.parametrize("spec", FLOWS, ids=lambda s: s.key)
def test_every_action_is_reachable_and_has_a_designer_position(spec: Any) -> None:
    document = rendered(spec.key)
    actions = {a["Identifier"]: a for a in document["Actions"]}
    seen, todo = set(), [document["StartAction"]]
    while todo:
        ident = todo.pop()
        if ident not in seen:
            seen.add(ident)
            todo.extend(targets(actions[ident]))
    assert seen == set(actions)
    positions = document["Metadata"]["ActionMetadata"]
    assert set(positions) == set(actions)
    assert len({(p["position"]["x"], p["position"]["y"]) for p in positions.values()}) == len(
        positions
    )


@pytest.mark.parametrize("spec", FLOWS, ids=lambda s: s.key)
def test_every_lambda_call_and_input_has_error_branches(spec: Any) -> None:
    for a in rendered(spec.key)["Actions"]:
        errors = {e["ErrorType"] for e in a["Transitions"].get("Errors", [])}
        if a["Type"] == "InvokeLambdaFunction":
            assert "NoMatchingError" in errors
            assert 1 <= int(a["Parameters"]["InvocationTimeLimitSeconds"]) <= 8
        if a["Type"] == "GetParticipantInput" and a["Parameters"]["StoreInput"] == "False":
            assert {"InputTimeLimitExceeded", "NoMatchingCondition", "NoMatchingError"} <= errors


def test_designer_metadata_names_queues_flows_and_functions_as_exports_do() -> None:
    # GIVEN the escalation flows rendered with the stack's names for what they refer to
    def with_names(key: str) -> dict[str, Any]:
        names = display_names(flow_spec(key), MENU, "acme")
        return render_flow(key, INPUTS, fake_bindings(key), names=names)

    survey, inbound = with_names("escalation-survey"), with_names("escalation-inbound")
    meta = survey["Metadata"]["ActionMetadata"]

    # THEN blocks show names, not ARNs, where the console writes them
    assert meta["score-effort"]["parameters"] == {
        "LambdaFunctionARN": {"displayName": "acme-score"}
    }
    assert meta["create-callback"]["queue"] == {"text": "acme-supervisor-callbacks"}
    assert meta["check-supervisors"]["parameters"]["QueueId"] == {"displayName": "acme-supervisor"}
    hook = inbound["Metadata"]["ActionMetadata"]["set-survey-flow"]
    assert hook["contactFlow"] == {"text": "acme-escalation-survey"}
    assert inbound["Metadata"]["ActionMetadata"]["route-to-1"]["queue"] == {"text": "sales"}
    # AND the entry point sits left of the first block, not on top of it
    entry = survey["Metadata"]["entryPointPosition"]
    first = meta[survey["StartAction"]]["position"]
    assert entry["x"] < first["x"]


def test_bindings_are_substituted_wherever_they_appear() -> None:
    document = rendered("escalation-survey")
    assert action(document, "score-effort")["Parameters"]["LambdaFunctionARN"] == (
        "arn:fake:lambda.score"
    )
    assert action(document, "finish-survey")["Parameters"]["LambdaFunctionARN"] == (
        "arn:fake:lambda.finish"
    )
    # Both uses of the supervisor queue, not only the first.
    assert (
        action(document, "target-supervisor")["Parameters"]["QueueId"]
        == "arn:fake:queue.supervisor"
    )
    assert (
        action(document, "check-supervisors")["Parameters"]["QueueId"]
        == "arn:fake:queue.supervisor"
    )
    # Callbacks go to their own queue: they would fill the supervisor queue otherwise.
    assert (
        action(document, "create-callback")["Parameters"]["QueueId"]
        == "arn:fake:queue.supervisor-callbacks"
    )


def test_menu_routes_each_digit_to_its_queue() -> None:
    document = rendered("opt-in-inbound")
    conditions = action(document, "menu")["Transitions"]["Conditions"]
    assert [(c["Condition"]["Operands"], c["NextAction"]) for c in conditions] == [
        (["1"], "route-to-1"),
        (["2"], "route-to-2"),
    ]
    assert action(document, "route-to-2")["Parameters"]["QueueId"] == "arn:fake:queue.support"
    assert action(document, "menu-again")["Transitions"]["NextAction"] == "route-to-1"
    hook = action(document, "set-survey-flow")["Parameters"]["EventHooks"]
    assert hook == {"CustomerRemaining": "arn:fake:flow.survey"}


def test_texts_are_escaped_not_spliced() -> None:
    tricky = 'Say "hi" \\ then } and ${not.a.placeholder'
    inputs = FlowInputs(SurveyDefinition(), Prompts(welcome=tricky), MENU)
    content = to_content(rendered("on-demand-inbound", inputs))
    assert action(json.loads(content), "welcome")["Parameters"]["Text"] == tricky


def test_scale_and_menu_are_written_into_prompts() -> None:
    document = rendered("on-demand-inbound")
    assert action(document, "menu")["Parameters"]["Text"] == (
        "For sales, press 1. For support, press 2."
    )
    survey = rendered("on-demand-survey")
    assert "from 1 to 5, where 5 means" in action(survey, "explain-scale")["Parameters"]["Text"]


@pytest.mark.parametrize("count", [1, 4, 10])
def test_questions_are_chained_in_order_for_any_count(count: int) -> None:
    questions = tuple(Question(f"q{i}", f"Q{i}Score", f"Statement {i}.") for i in range(count))
    inputs = FlowInputs(SurveyDefinition(questions=questions), Prompts(), MENU)
    document = rendered("escalation-survey", inputs)
    assert action(document, "explain-scale")["Transitions"]["NextAction"] == "attempts-q0"
    for i in range(count):
        loop = action(document, f"attempts-q{i}")
        nxt = f"attempts-q{i + 1}" if i + 1 < count else "check-caller-heard"
        done = [
            c
            for c in loop["Transitions"]["Conditions"]
            if c["Condition"]["Operands"] == ["DoneLooping"]
        ]
        assert done[0]["NextAction"] == nxt
        save = action(document, f"save-q{i}")
        assert save["Parameters"]["Attributes"] == {f"Q{i}Score": "$.External.score"}
        assert save["Transitions"]["NextAction"] == nxt
    assert len(document["Actions"]) <= 250


def test_attempts_and_time_limit_come_from_the_definition() -> None:
    survey = SurveyDefinition(
        attempts=2, input_time_limit_seconds=12, scale_max=10, low_score_threshold=5
    )
    document = rendered("on-demand-survey", FlowInputs(survey, Prompts(), MENU))
    assert action(document, "attempts-effort")["Parameters"]["LoopCount"] == "2"
    ask = action(document, "ask-effort")["Parameters"]
    assert ask["InputTimeLimitSeconds"] == "12"
    assert ask["InputValidation"]["CustomValidation"]["MaximumLength"] == "2"


def test_missing_binding_names_flow_and_binding() -> None:
    bindings = fake_bindings("on-demand-survey")
    del bindings["lambda.finish"]
    with pytest.raises(
        RenderError, match=r"flow on-demand-survey: missing binding\(s\) lambda.finish"
    ):
        render_flow("on-demand-survey", INPUTS, bindings)


@pytest.fixture
def edited_template(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    """Render from a copy of the templates with one extra action in on-demand-survey."""

    def add_action(extra: dict[str, Any]) -> None:
        (tmp_path / "fragments").mkdir()
        template = json.loads((render.TEMPLATES / "on-demand-survey.json").read_text())
        template["Actions"].append(extra)
        (tmp_path / "on-demand-survey.json").write_text(json.dumps(template))
        for fragment in render.FRAGMENTS.glob("*.json"):
            (tmp_path / "fragments" / fragment.name).write_text(fragment.read_text())
        monkeypatch.setattr(render, "TEMPLATES", tmp_path)
        monkeypatch.setattr(render, "FRAGMENTS", tmp_path / "fragments")

    return add_action


def test_unknown_placeholder_names_flow_and_placeholder(edited_template: Any) -> None:
    edited_template(
        {"Identifier": "x", "Type": "MessageParticipant", "Parameters": {"Text": "${text.nope}"}}
    )
    with pytest.raises(
        RenderError, match=r"flow on-demand-survey: unknown placeholder \$\{text.nope\}"
    ):
        rendered("on-demand-survey")


def test_a_flow_the_linter_rejects_fails_rendering(edited_template: Any) -> None:
    edited_template(
        {"Identifier": "stray", "Type": "PlayTune", "Parameters": {}, "Transitions": {}}
    )
    with pytest.raises(RenderError) as error:
        rendered("on-demand-survey")
    assert "on-demand-survey: stray: action-type:" in str(error.value)
    # an action nothing leads to is a warning: it does not stop rendering on its own
    assert "on-demand-survey: stray: unreachable:" not in str(error.value)


def test_unused_binding_is_an_error() -> None:
    bindings = {**fake_bindings("on-demand-survey"), "queue.supervisor": "arn:fake:q"}
    with pytest.raises(
        RenderError, match=r"binding\(s\) never used by the template: queue.supervisor"
    ):
        render_flow("on-demand-survey", INPUTS, bindings)


# Renders every flow of the prod stage and prints them as one JSON object.
RENDER_ALL = """
import json
from pathlib import Path
from connect_survey.flows.catalog import FLOW_KEYS
from connect_survey.flows.render import to_content
from connect_survey.config.stage import load_stage, read_context
stage = load_stage(read_context(Path("cdk.json")), "prod").offline
print(json.dumps({key: to_content(stage.render(key)) for key in FLOW_KEYS}))
"""


def test_rendering_is_the_same_in_two_processes_with_different_hash_seeds() -> None:
    # GIVEN two fresh interpreters whose set and dict-of-str orders differ (hash randomisation)
    def render_in_a_new_process(hash_seed: str) -> str:
        result = subprocess.run(
            [sys.executable, "-c", RENDER_ALL],
            cwd=ROOT,
            env={**os.environ, "PYTHONHASHSEED": hash_seed},
            capture_output=True,
            text=True,
            check=False,
            timeout=120,
        )
        assert result.returncode == 0, result.stderr[-2000:]
        return result.stdout

    # WHEN each renders every flow
    first, second = render_in_a_new_process("1"), render_in_a_new_process("2")

    # THEN the deployed contents are byte for byte the same
    assert len(json.loads(first)) == len(FLOWS)
    assert first == second
