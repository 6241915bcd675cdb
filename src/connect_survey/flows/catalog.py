"""The six flows: their keys, what each one references, and the order they must be created in;
and the follow-up task flow of a stage with follow-up tasks."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Final

from connect_survey.lambda_asset.survey.contract import (
    ELIGIBILITY_FUNCTION,
    ENTRY_POINTS,
    FINISH_FUNCTION,
    MODE_ESCALATION,
    MODE_ON_DEMAND,
    MODE_OPT_IN,
    SCORE_FUNCTION,
)

if TYPE_CHECKING:
    from collections.abc import Sequence

ON_DEMAND_INBOUND: Final = "on-demand-inbound"
ON_DEMAND_SURVEY: Final = "on-demand-survey"
OPT_IN_INBOUND: Final = "opt-in-inbound"
OPT_IN_SURVEY: Final = "opt-in-survey"
ESCALATION_INBOUND: Final = "escalation-inbound"
ESCALATION_SURVEY: Final = "escalation-survey"
# The flow a low score's follow-up task runs (StartTaskContact): to the follow-up queue.
FOLLOW_UP_TASK: Final = "follow-up-task"

# The handlers the flows invoke, by logical name (the handler contract in lambdas/ owns them;
# function names are `resource_name(namePrefix, key)`).
HANDLERS: Final = ENTRY_POINTS

# Logical names of the queue the escalation flow transfers to, of the queue its callbacks go
# to, and of the routing profile holding both (created names are `{namePrefix}-{name}`).
SUPERVISOR_QUEUE: Final = "supervisor"
CALLBACK_QUEUE: Final = "supervisor-callbacks"
SUPERVISOR_ROUTING_PROFILE: Final = "supervisors"

# All flows are CONTACT_FLOW: a disconnect flow has no type of its own in CloudFormation.
FLOW_TYPE: Final = "CONTACT_FLOW"


@dataclass(frozen=True)
class FlowSpec:
    """What a flow is and which deployed things its template refers to."""

    key: str
    mode: str
    description: str
    survey_flow: str | None = None  # inbound flows: the disconnect flow they set
    functions: tuple[str, ...] = ()
    uses_supervisor_queue: bool = False
    uses_menu: bool = False
    # A copy for callers in another language than the stage's default: its language, and the
    # flow whose template it renders.
    language: str = ""
    template: str = ""
    # The default language's inbound flows: (language, inbound flow key) for every other
    # language, the flows its callers are handed to.
    language_flows: tuple[tuple[str, str], ...] = ()
    # The task flow: the logical queue it routes follow-up tasks to.
    follow_up_queue: str | None = None

    @property
    def is_survey(self) -> bool:
        return self.survey_flow is None and not self.is_task

    @property
    def is_inbound(self) -> bool:
        return self.survey_flow is not None

    @property
    def is_task(self) -> bool:
        return self.follow_up_queue is not None

    @property
    def template_key(self) -> str:
        return self.template or self.key


def _survey(key: str, mode: str, description: str, supervisor: bool = False) -> FlowSpec:
    return FlowSpec(
        key=key,
        mode=mode,
        description=description,
        functions=(SCORE_FUNCTION, FINISH_FUNCTION),
        uses_supervisor_queue=supervisor,
    )


def _inbound(key: str, mode: str, survey_flow: str, description: str) -> FlowSpec:
    return FlowSpec(
        key=key,
        mode=mode,
        description=description,
        survey_flow=survey_flow,
        functions=(ELIGIBILITY_FUNCTION,),
        uses_menu=True,
    )


# Survey (disconnect) flows come first: the inbound flows reference their ARNs, and
# CloudFormation publishes every flow, which fails if a referenced flow does not exist yet.
FLOWS: Final[tuple[FlowSpec, ...]] = (
    _survey(ON_DEMAND_SURVEY, MODE_ON_DEMAND, "Post-call survey for every caller."),
    _survey(OPT_IN_SURVEY, MODE_OPT_IN, "Post-call survey for callers who opted in."),
    _survey(
        ESCALATION_SURVEY,
        MODE_ESCALATION,
        "Opt-in post-call survey that offers a supervisor after a low score.",
        supervisor=True,
    ),
    _inbound(
        ON_DEMAND_INBOUND,
        MODE_ON_DEMAND,
        ON_DEMAND_SURVEY,
        "Menu, then queue; everyone is surveyed.",
    ),
    _inbound(
        OPT_IN_INBOUND, MODE_OPT_IN, OPT_IN_SURVEY, "Menu, survey offer, then queue (opt-in)."
    ),
    _inbound(
        ESCALATION_INBOUND,
        MODE_ESCALATION,
        ESCALATION_SURVEY,
        "Menu, survey offer, then queue (opt-in with escalation).",
    ),
)

FLOW_KEYS: Final = tuple(spec.key for spec in FLOWS)


def language_key(key: str, language: str) -> str:
    """The key of flow `key`'s copy for callers in `language` (not the stage's default)."""
    return f"{key}-{language.lower()}"


def stage_flows(other_languages: Sequence[str] = ()) -> tuple[FlowSpec, ...]:
    """A stage's flows in creation order: each survey flow per language, then the other
    languages' inbound flows, then the default language's inbound flows (keys as in FLOWS),
    which hand callers of another language to that language's inbound flow."""
    surveys = [spec for spec in FLOWS if spec.is_survey]
    inbound = [spec for spec in FLOWS if spec.is_inbound]
    copies = [
        replace(
            spec,
            key=language_key(spec.key, code),
            language=code,
            template=spec.key,
            survey_flow=language_key(spec.survey_flow, code) if spec.survey_flow else None,
        )
        for spec in (*surveys, *inbound)
        for code in other_languages
    ]
    choosing = [
        replace(
            spec,
            language_flows=tuple((code, language_key(spec.key, code)) for code in other_languages),
        )
        for spec in inbound
    ]
    return (*surveys, *copies, *choosing)


def follow_up_task_flow(queue: str) -> FlowSpec:
    """The task flow of a stage whose low scores start tasks on `queue` (a logical name)."""
    return FlowSpec(
        key=FOLLOW_UP_TASK,
        mode="",
        description="Routes the follow-up task of a low survey score to its queue.",
        follow_up_queue=queue,
    )


def resource_name(name_prefix: str, key: str) -> str:
    """Stage-prefixed name of a flow, function or queue, so stages can share an instance."""
    return f"{name_prefix}-{key}"


def flow_spec(key: str) -> FlowSpec:
    for spec in FLOWS:
        if spec.key == key:
            return spec
    raise KeyError(f"unknown flow {key!r}; flows are: {', '.join(FLOW_KEYS)}")
