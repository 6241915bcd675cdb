"""A stage as the offline tools see it: the flows rendered with ARNs built from configuration.

Deployed flow ARNs end in ids Connect assigns, so offline each flow and function gets a stable
ARN made from the stage's names; the simulator maps them back to the project's own flows and
handlers, and `connect-survey render` prints flows ready for the console's import.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from connect_survey.flows.catalog import (
    CALLBACK_QUEUE,
    HANDLERS,
    SUPERVISOR_QUEUE,
    FlowSpec,
    follow_up_task_flow,
    resource_name,
    stage_flows,
)
from connect_survey.flows.render import (
    FlowInputs,
    RenderError,
    display_names,
    flow_bindings,
    render_flow,
)

if TYPE_CHECKING:
    from collections.abc import Mapping

    from connect_survey.lambda_asset.survey.channels.task import TaskSettings


class UnknownFlowKeyError(RenderError):
    """Raised when a key names none of the flows the stage deploys; lists the ones it does."""

    def __init__(self, key: str, stage: str, keys: tuple[str, ...]) -> None:
        super().__init__(key, f"not a flow of stage {stage}; its flows are {', '.join(keys)}")
        self.keys = keys


@dataclass(frozen=True)
class FollowUpTasks:
    """A stage's follow-up tasks: the logical queue its task flow routes them to, and what the
    task channel reads (names, descriptions, expiry, schedule)."""

    queue: str
    settings: TaskSettings


@dataclass(frozen=True)
class OfflineStage:
    """What rendering and simulating a stage need, without CDK."""

    name: str
    account: str
    region: str
    partition: str
    instance_arn: str
    name_prefix: str
    inputs: FlowInputs
    queues: Mapping[str, str]  # logical name -> queue ARN, the supervisor queue included
    retention_days: int
    # BCP-47 code -> what the flows are rendered from for callers in that language; the
    # default language's are `inputs`. Empty: the stage speaks only `inputs.language`.
    languages: Mapping[str, FlowInputs] = field(default_factory=dict)
    follow_up: FollowUpTasks | None = None  # None: low scores start no task

    @property
    def flows(self) -> tuple[FlowSpec, ...]:
        """The stage's flows in creation order: the task flow (with follow-up tasks; it refers
        to no flow), then FLOWS, plus copies per other language."""
        others = stage_flows([code for code in self.languages if code != self.inputs.language])
        if self.follow_up is None:
            return others
        return (follow_up_task_flow(self.follow_up.queue), *others)

    @property
    def flow_keys(self) -> tuple[str, ...]:
        """Every flow key the stage deploys, per mode and language, in creation order: what the
        CLI accepts, verify checks and the stack creates."""
        return tuple(spec.key for spec in self.flows)

    def spec(self, key: str) -> FlowSpec:
        for spec in self.flows:
            if spec.key == key:
                return spec
        raise UnknownFlowKeyError(key, self.name, self.flow_keys)

    def inputs_for(self, spec: FlowSpec) -> FlowInputs:
        """What `spec` renders from: its language's inputs, or the default language's."""
        return self.languages[spec.language] if spec.language else self.inputs

    def resource_name(self, key: str) -> str:
        return resource_name(self.name_prefix, key)

    def function_arn(self, key: str) -> str:
        return (
            f"arn:{self.partition}:lambda:{self.region}:{self.account}:function:"
            f"{self.resource_name(key)}"
        )

    def flow_arn(self, key: str) -> str:
        """Offline stand-in for a flow's ARN, as long as the real one (its id is a UUID)."""
        return f"{self.instance_arn}/contact-flow/{stand_in_id(self.instance_arn, key)}"

    def stand_ins(self, key: str) -> dict[str, str]:
        """Values in the rendered flow that are offline stand-ins, not real ARNs, with what to
        pick in the designer after a console import: the ids Connect assigns to created queues
        and flows are unknown until the stack is deployed."""
        spec = self.spec(key)
        found: dict[str, str] = {}
        for _, other in spec.language_flows:
            found[self.flow_arn(other)] = f"transfer to flow: pick {self.resource_name(other)}"
        if spec.survey_flow:
            found[self.flow_arn(spec.survey_flow)] = (
                f"set disconnect flow: pick {self.resource_name(spec.survey_flow)}"
            )
        queues = [SUPERVISOR_QUEUE, CALLBACK_QUEUE] if spec.uses_supervisor_queue else []
        if spec.follow_up_queue:
            queues.append(spec.follow_up_queue)
        for queue in queues:
            arn = self.queues[queue]
            if arn == created_queue_arn(self.instance_arn, self.name_prefix, queue):
                found[arn] = f"queue: pick {self.resource_name(queue)}"
        return found

    def render(self, key: str) -> dict[str, Any]:
        spec = self.spec(key)
        inputs = self.inputs_for(spec)
        bindings = flow_bindings(
            spec,
            inputs.menu,
            function_arns={k: self.function_arn(k) for k in HANDLERS},
            queue_arns=self.queues,
            flow_arns={other.key: self.flow_arn(other.key) for other in self.flows},
        )
        names = display_names(spec, inputs.menu, self.name_prefix)
        return render_flow(key, inputs, bindings, names=names, spec=spec)


def created_queue_arn(instance_arn: str, name_prefix: str, queue: str) -> str:
    """Offline stand-in for a queue the stack creates (supervisor, callbacks) when none is given.

    Connect assigns queue ids at creation, so rendered flows carry this made-up ARN; `render`
    output for console import needs the real queue picked in the designer (see README).
    """
    return f"{instance_arn}/queue/{stand_in_id(instance_arn, resource_name(name_prefix, queue))}"


def stand_in_id(instance_arn: str, name: str) -> str:
    """A stable UUID for something Connect will name with a UUID of its own: the rendered flow
    is then exactly as long as the deployed one, so the content limit is checked for real."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"{instance_arn}/{name}"))
