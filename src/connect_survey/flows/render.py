"""Render a flow template into Flow Language JSON for one stage.

Templates are Flow Language documents (`templates/<flow key>.json`) with three additions, all
resolved here on the parsed JSON, never by text replacement:

* `${name}` placeholders inside string values and keys. `text.*`, `survey.*`, `question.*`,
  `option.*` come from the survey definition, prompts and menu; everything else is a *binding*
  the caller passes (ARNs, often CDK tokens). An unknown placeholder, or a binding the template
  never uses, is an error naming the flow and the placeholder.
* `{"Include": "<fragment>", "With": {...}}` in a list splices `templates/fragments/<fragment>.json`
  (a list), with the `With` values as extra placeholders inside it.
* `{"ForEach": "question" | "option", "Items": [...], "Then": "<id>"}` in a list repeats `Items`
  once per survey question or menu option. For questions, `${question.next}` is the first action
  of the next question (or `Then` after the last) and `${question.first}` anywhere is the first
  action of the first question.

Block positions for the console designer are laid out here, so templates carry none.
"""

from __future__ import annotations

import json
import re
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from connect_survey.flow_language.lint import LintError, require_clean
from connect_survey.flow_language.spec import STORED_TIMEOUT, targets
from connect_survey.flows.catalog import (
    CALLBACK_QUEUE,
    SUPERVISOR_QUEUE,
    FlowSpec,
    flow_spec,
    resource_name,
)
from connect_survey.lambda_asset.survey import contract, sampling
from connect_survey.lambda_asset.survey.budget import CALL_PATH
from connect_survey.lambda_asset.survey.sampling import OFFER, SamplingPolicy

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

    from connect_survey.flows.prompts import Prompts
    from connect_survey.lambda_asset.survey.definition import Question, SurveyDefinition

TEMPLATES = Path(__file__).parent / "templates"
FRAGMENTS = TEMPLATES / "fragments"
PLACEHOLDER = re.compile(r"\$\{([A-Za-z0-9_.\-]+)\}")
COLUMN_WIDTH = 280
FIRST_COLUMN = 240  # the entry point sits at x=40, left of the first block
ROW_HEIGHT = 200

# Names shared with the handlers, so templates never spell them on their own.
CONTRACT_NAMES = {
    "attr.optIn": contract.OPT_IN_ATTRIBUTE,
    "optIn.accepted": contract.OPT_IN_ACCEPTED,
    "optIn.complete": contract.OPT_IN_COMPLETE,
    "attr.endedInFlow": contract.ENDED_IN_FLOW_ATTRIBUTE,
    "attr.surveyStatus": contract.SURVEY_STATUS_ATTRIBUTE,
    "attr.surveyMode": contract.SURVEY_MODE_ATTRIBUTE,
    "status.offered": contract.STATUS_OFFERED,
    "param.question": contract.PARAM_QUESTION,
    "param.digits": contract.PARAM_DIGITS,
    "param.mode": contract.PARAM_MODE,
    "param.language": contract.PARAM_LANGUAGE,
    "attr.language": contract.LANGUAGE_ATTRIBUTE,
    "attr.followUpRouting": contract.FOLLOW_UP_ROUTING_ATTRIBUTE,
    "routing.queueFull": contract.ROUTING_QUEUE_FULL,
    "routing.transferError": contract.ROUTING_TRANSFER_ERROR,
    "reply.valid": contract.VALID,
    "reply.score": contract.SCORE,
    "reply.escalate": contract.ESCALATE,
    "reply.status": contract.STATUS,
    "reply.true": contract.TRUE,
    "reply.false": contract.FALSE,
    "reply.eligible": sampling.ELIGIBLE,
    "reply.callerKey": sampling.CALLER_KEY,
    "attr.callerKey": sampling.CALLER_KEY_ATTRIBUTE,
    "attr.eligible": sampling.ELIGIBLE_ATTRIBUTE,
    "attr.eligibility": sampling.DECISION_ATTRIBUTE,
    "attr.numberWithheld": sampling.NUMBER_WITHHELD_ATTRIBUTE,
    "reply.numberWithheld": sampling.NUMBER_WITHHELD,
    "reply.decision": sampling.DECISION,
    "decision.undecided": sampling.Decision.UNDECIDED.value,
    # How long Connect waits for a handler: the time budget's flow limit.
    "budget.flowLimitSeconds": str(CALL_PATH.flow_limit_seconds),
    # What stored input holds when the caller keyed nothing in time.
    "input.timeout": STORED_TIMEOUT,
}


# Identifiers the language choice leads to (fragments language-choice and language-menu).
OWN_LANGUAGE_START = "set-language-code"  # the flow's own language: its code, voice and greeting
LANGUAGE_START = "language-by-attribute"
LANGUAGE_MENU_START = "language-menu-"  # + code: the language's voice, then its option
TRANSFER_START = "to-"  # + code: the transfer to the language's inbound flow
# The task flow's queue: the stage's follow-up queue, whichever logical queue it is.
FOLLOW_UP_QUEUE = "queue.followUp"
# Seconds the caller has to press a key after each language's option, and after the last.
OPTION_SECONDS = "2"
LAST_OPTION_SECONDS = "5"


class RenderError(ValueError):
    """Raised when a template cannot be rendered; names the flow and what is wrong."""

    def __init__(self, flow: str, message: str) -> None:
        super().__init__(f"flow {flow}: {message}")
        self.flow = flow


@dataclass(frozen=True)
class MenuOption:
    """One key of the inbound menu, the logical queue it leads to, and how the menu says that
    queue in the flow's language (empty: by its logical name)."""

    digit: str
    queue: str
    spoken: str = ""


@dataclass(frozen=True)
class LanguageChoice:
    """A language a caller can be surveyed in, as the language menu offers it in its own voice."""

    code: str  # BCP-47
    digit: str  # the key that picks it in the language menu
    voice: str
    engine: str  # as a flow writes it
    option: str  # "For English, press 1.", in the language itself


@dataclass(frozen=True)
class FlowInputs:
    """What every flow of a stage is rendered from, besides the deployed ARNs."""

    survey: SurveyDefinition
    prompts: Prompts
    menu: tuple[MenuOption, ...]
    sampling: SamplingPolicy = field(default_factory=SamplingPolicy)
    language: str = "en-US"  # BCP-47: what the prompts and questions are written in
    # Every language of a stage that has more than one (the default first), else empty.
    languages: tuple[LanguageChoice, ...] = ()
    language_attribute: str = contract.LANGUAGE_ATTRIBUTE  # an upstream choice of language
    language_menu: bool = False  # whether callers without one are asked for their language

    def texts(self) -> dict[str, str]:
        prompts = self.prompts.with_menu([(o.digit, o.spoken or o.queue) for o in self.menu])
        return prompts.with_scale(self.survey.scale_min, self.survey.scale_max).texts()


def binding_names(spec: FlowSpec, menu: Sequence[MenuOption]) -> set[str]:
    """The bindings a flow's template needs, so callers pass exactly these."""
    names = {f"lambda.{function}" for function in spec.functions}
    if spec.survey_flow:
        names.add("flow.survey")
    if spec.uses_supervisor_queue:
        names.update(("queue.supervisor", f"queue.{CALLBACK_QUEUE}"))
    if spec.uses_menu:
        names.update(f"queue.{option.queue}" for option in menu)
    names.update(f"flow.language.{code}" for code, _ in spec.language_flows)
    if spec.follow_up_queue:
        names.add(FOLLOW_UP_QUEUE)
    return names


def flow_bindings(
    spec: FlowSpec,
    menu: Sequence[MenuOption],
    *,
    function_arns: Mapping[str, str],
    queue_arns: Mapping[str, str],
    flow_arns: Mapping[str, str],
) -> dict[str, str]:
    """Exactly the bindings a flow's template needs, picked from deployed or offline ARNs."""
    available = {
        **{f"lambda.{key}": arn for key, arn in function_arns.items()},
        **{f"queue.{name}": arn for name, arn in queue_arns.items()},
    }
    if spec.survey_flow:
        available["flow.survey"] = flow_arns[spec.survey_flow]
    for code, key in spec.language_flows:
        available[f"flow.language.{code}"] = flow_arns[key]
    if spec.follow_up_queue:
        available[FOLLOW_UP_QUEUE] = queue_arns[spec.follow_up_queue]
    return {name: available[name] for name in binding_names(spec, menu)}


def display_names(spec: FlowSpec, menu: Sequence[MenuOption], name_prefix: str) -> dict[str, str]:
    """What the designer shows for each binding: the names the stack gives functions, flows and
    created queues; a configured queue goes by its logical name (its real name is not known)."""
    names = {
        f"lambda.{function}": resource_name(name_prefix, function) for function in spec.functions
    }
    if spec.survey_flow:
        names["flow.survey"] = resource_name(name_prefix, spec.survey_flow)
    if spec.uses_supervisor_queue:
        for queue in (SUPERVISOR_QUEUE, CALLBACK_QUEUE):
            names[f"queue.{queue}"] = resource_name(name_prefix, queue)
    if spec.uses_menu:
        names.update({f"queue.{option.queue}": option.queue for option in menu})
    for code, key in spec.language_flows:
        names[f"flow.language.{code}"] = resource_name(name_prefix, key)
    follow_up = spec.follow_up_queue
    if follow_up:
        created = follow_up in (SUPERVISOR_QUEUE, CALLBACK_QUEUE)
        names[FOLLOW_UP_QUEUE] = resource_name(name_prefix, follow_up) if created else follow_up
    return names


def render_flow(
    key: str,
    inputs: FlowInputs,
    bindings: Mapping[str, str],
    *,
    names: Mapping[str, str] | None = None,
    spec: FlowSpec | None = None,
) -> dict[str, Any]:
    """The flow document for `key`, with every placeholder resolved and positions laid out;
    `names` (binding -> display name) label queues, flows and functions in the designer;
    `spec` is the stage's spec of a flow in another language (default: the catalog's)."""
    spec = spec or flow_spec(key)
    expected = binding_names(spec, inputs.menu)
    missing = sorted(expected - set(bindings))
    if missing:
        raise RenderError(key, f"missing binding(s) {', '.join(missing)}")
    renderer = _Renderer(key, inputs, bindings, spec)
    document = renderer.render(_load(TEMPLATES / f"{spec.template_key}.json", key))
    unused = sorted(set(bindings) - renderer.used)
    if unused:
        raise RenderError(key, f"binding(s) never used by the template: {', '.join(unused)}")
    labels = {bindings[name]: label for name, label in (names or {}).items() if name in bindings}
    document["Metadata"] = layout(document, labels)
    # A broken flow fails here, at synth, instead of at publish time in the account.
    try:
        require_clean(document, key, content=to_content(document))
    except LintError as error:
        raise RenderError(key, str(error)) from None
    return document


def to_content(document: Mapping[str, Any]) -> str:
    """Serialize for AWS::Connect::ContactFlow `Content` (stable, human-diffable)."""
    return json.dumps(document, indent=1, ensure_ascii=False)


def layout(document: Mapping[str, Any], labels: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Designer metadata as console exports write it: positions (one column per step from the
    start, one row per block in a column, the entry point left of the first block) and display
    names for the queues, flows and functions blocks refer to (`labels`: value -> name)."""
    actions = {a["Identifier"]: a for a in document["Actions"]}
    depth: dict[str, int] = {}
    queue = deque([(document["StartAction"], 0)])
    while queue:
        ident, level = queue.popleft()
        if ident in depth or ident not in actions:
            continue
        depth[ident] = level
        queue.extend((t, level + 1) for t in targets(actions[ident]) if isinstance(t, str))
    for ident in actions:  # unreachable blocks still get a place (the linter reports them)
        depth.setdefault(ident, max(depth.values(), default=0) + 1)
    rows: dict[int, int] = {}
    positions: dict[str, Any] = {}
    for ident in actions:
        column = depth[ident]
        row = rows.get(column, 0)
        rows[column] = row + 1
        positions[ident] = {
            "position": {"x": FIRST_COLUMN + column * COLUMN_WIDTH, "y": 40 + row * ROW_HEIGHT},
            **_display_metadata(actions[ident], labels or {}),
        }
    return {"entryPointPosition": {"x": 40, "y": 40}, "ActionMetadata": positions}


def _display_metadata(action: Mapping[str, Any], labels: Mapping[str, str]) -> dict[str, Any]:
    params = action.get("Parameters") or {}
    found: dict[str, Any] = {}
    for name in ("QueueId", "LambdaFunctionARN", "ContactFlowId"):
        value = params.get(name)
        label = labels.get(value) if isinstance(value, str) else None
        if label is not None:
            found.setdefault("parameters", {})[name] = {"displayName": label}
            if name == "QueueId":
                found["queue"] = {"text": label}
    hooks = params.get("EventHooks")
    if isinstance(hooks, Mapping):
        for hook, flow in hooks.items():
            label = labels.get(flow) if isinstance(flow, str) else None
            if label is not None:
                found["contactFlow"] = {"text": label}
                found.setdefault("parameters", {}).setdefault("EventHooks", {})[hook] = {
                    "displayName": label
                }
    return found


def _load(path: Path, flow: str) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise RenderError(flow, f"template {path.name} not found in {path.parent}") from None
    except json.JSONDecodeError as error:
        raise RenderError(flow, f"{path.name} is not valid JSON: {error}") from None


class _Renderer:
    """One rendering: splices fragments, repeats blocks, substitutes placeholders, tracks use."""

    def __init__(
        self, flow: str, inputs: FlowInputs, bindings: Mapping[str, str], spec: FlowSpec
    ) -> None:
        self.flow = flow
        self.spec = spec
        self.inputs = inputs
        self.bindings = dict(bindings)
        self.used: set[str] = set()
        survey = inputs.survey
        self.globals: dict[str, str] = {
            **{f"text.{name}": text for name, text in inputs.texts().items()},
            "survey.attempts": str(survey.attempts),
            "survey.inputTimeLimitSeconds": str(survey.input_time_limit_seconds),
            "survey.maxDigits": str(survey.max_digits),
            "survey.lowScoreThreshold": str(survey.low_score_threshold),
            "flow.mode": spec.mode,
            # Choosing the caller's language (default language's inbound flows only).
            "language.attribute": inputs.language_attribute,
            "language.start": LANGUAGE_START if spec.language_flows else OWN_LANGUAGE_START,
            "language.menu": (
                f"{LANGUAGE_MENU_START}{inputs.languages[0].code}"
                if inputs.language_menu and inputs.languages
                else OWN_LANGUAGE_START
            ),
            "flow.language": inputs.language,
            "menu.default": inputs.menu[0].digit if inputs.menu else "",
            # Where an undecided eligibility (handler error or timeout) leads: offer or skip.
            "eligibility.onError": (
                contract.TRUE if inputs.sampling.on_error == OFFER else contract.FALSE
            ),
            **CONTRACT_NAMES,
        }

    def render(self, template: Any) -> dict[str, Any]:
        spliced = self._splice(template)
        if not isinstance(spliced, dict):
            raise RenderError(self.flow, "a template must be a JSON object")
        block = _find_question_block(spliced)
        if block is not None:
            first = self.inputs.survey.questions[0]
            self.globals["question.first"] = self._entry(block, first)
        expanded = self._expand(spliced, {})
        assert isinstance(expanded, dict)
        return expanded

    def _splice(self, node: Any) -> Any:
        """Replace every Include by its fragment, with the Include's `With` values bound."""
        if isinstance(node, dict):
            return {k: self._splice(v) for k, v in node.items()}
        if not isinstance(node, list):
            return node
        out: list[Any] = []
        for item in node:
            if isinstance(item, dict) and "Include" in item:
                if not self._wanted(item.get("When")):
                    continue
                fragment = _load(FRAGMENTS / f"{item['Include']}.json", self.flow)
                if not isinstance(fragment, list):
                    raise RenderError(self.flow, f"fragment {item['Include']} must be a JSON list")
                out.extend(self._splice(_bind(fragment, item.get("With", {}))))
            else:
                out.append(self._splice(item))
        return out

    def _wanted(self, when: Any) -> bool:
        """Whether an Include's `When` holds: `languages` (this flow hands callers of other
        languages on), `languageMenu` (and it asks callers for their language)."""
        if when is None:
            return True
        if when == "languages":
            return bool(self.spec.language_flows)
        if when == "languageMenu":
            return bool(self.spec.language_flows) and self.inputs.language_menu
        raise RenderError(self.flow, f"When {when!r} is unknown; use languages or languageMenu")

    def _expand(self, node: Any, scope: Mapping[str, str]) -> Any:
        if isinstance(node, str):
            return self._substitute(node, scope)
        if isinstance(node, dict):
            return {self._substitute(k, scope): self._expand(v, scope) for k, v in node.items()}
        if isinstance(node, list):
            out: list[Any] = []
            for item in node:
                if isinstance(item, dict) and "ForEach" in item:
                    for extra in self._repeat_scopes(item):
                        out.extend(self._expand(item.get("Items", []), {**scope, **extra}))
                else:
                    out.append(self._expand(item, scope))
            return out
        return node

    def _repeat_scopes(self, block: Mapping[str, Any]) -> list[dict[str, str]]:
        kind = block["ForEach"]
        if kind == "option":
            return [
                {
                    "option.digit": o.digit,
                    "option.queue": o.queue,
                    "option.queueArn": self._lookup(f"queue.{o.queue}", {}),
                }
                for o in self.inputs.menu
            ]
        if kind in ("language", "otherLanguage"):
            return self._language_scopes(kind, block.get("Then"))
        if kind != "question":
            raise RenderError(
                self.flow,
                f"ForEach {kind!r} is unknown; use question, option, language or otherLanguage",
            )
        then = block.get("Then")
        if not isinstance(then, str):
            raise RenderError(self.flow, "ForEach question needs Then: the action after the last")
        questions = self.inputs.survey.questions
        entries = [self._entry(block, q) for q in questions]
        return [
            {
                **_question_values(q),
                "question.next": entries[i + 1] if i + 1 < len(entries) else then,
            }
            for i, q in enumerate(questions)
        ]

    def _language_scopes(self, kind: str, then: Any) -> list[dict[str, str]]:
        """Per language: its code, menu digit, voice and option; where choosing it leads (on in
        this flow for the default language, else the transfer to its flow); the next prompt."""
        others = dict(self.spec.language_flows)
        choices = [c for c in self.inputs.languages if kind == "language" or c.code in others]
        scopes = []
        for i, choice in enumerate(choices):
            default = choice.code == self.inputs.language
            scope = {
                "language.code": choice.code,
                "language.digit": choice.digit,
                "language.voice": choice.voice,
                "language.engine": choice.engine,
                "language.option": choice.option,
                "language.target": (
                    OWN_LANGUAGE_START if default else f"{TRANSFER_START}{choice.code}"
                ),
                "language.next": (
                    f"{LANGUAGE_MENU_START}{choices[i + 1].code}"
                    if i + 1 < len(choices)
                    else then
                    if isinstance(then, str)
                    else OWN_LANGUAGE_START
                ),
                "language.wait": LAST_OPTION_SECONDS if i + 1 == len(choices) else OPTION_SECONDS,
            }
            if not default:
                scope["language.flow"] = self._lookup(f"flow.language.{choice.code}", {})
            scopes.append(scope)
        return scopes

    def _entry(self, block: Mapping[str, Any], question: Question) -> str:
        items = block.get("Items") or [{}]
        if not isinstance(items[0], dict) or "Identifier" not in items[0]:
            raise RenderError(self.flow, "ForEach question needs actions; the first is the entry")
        return self._substitute(items[0]["Identifier"], _question_values(question))

    def _substitute(self, text: str, scope: Mapping[str, str]) -> str:
        return PLACEHOLDER.sub(lambda match: self._lookup(match.group(1), scope), text)

    def _lookup(self, name: str, scope: Mapping[str, str]) -> str:
        if name in scope:
            return scope[name]
        if name in self.globals:
            return self.globals[name]
        if name in self.bindings:
            self.used.add(name)
            return self.bindings[name]
        raise RenderError(self.flow, f"unknown placeholder ${{{name}}}")


def _bind(node: Any, values: Mapping[str, str]) -> Any:
    """Substitute only the given placeholders (an Include's `With`), leaving the rest."""
    if isinstance(node, str):
        return PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), node)
    if isinstance(node, dict):
        return {_bind(k, values): _bind(v, values) for k, v in node.items()}
    if isinstance(node, list):
        return [_bind(item, values) for item in node]
    return node


def _find_question_block(node: Any) -> Mapping[str, Any] | None:
    if isinstance(node, dict):
        if node.get("ForEach") == "question":
            return node
        children: Iterable[Any] = node.values()
    elif isinstance(node, list):
        children = node
    else:
        return None
    for child in children:
        found = _find_question_block(child)
        if found is not None:
            return found
    return None


def _question_values(question: Question) -> dict[str, str]:
    return {
        "question.key": question.key,
        "question.attribute": question.attribute,
        "question.prompt": question.prompt,
    }
