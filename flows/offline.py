"""A stage as the offline tools see it: the flows rendered with ARNs built from configuration.

Deployed flow ARNs end in ids Connect assigns, so offline each flow and function gets a stable
ARN made from the stage's names; the simulator maps them back to the project's own flows and
handlers, and `connect-survey render` prints flows ready for the console's import.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from flows.catalog import FLOWS, SUPERVISOR_QUEUE, FlowSpec, flow_spec
from flows.render import FlowInputs, binding_names, render_flow

if TYPE_CHECKING:
    from collections.abc import Mapping


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

    def resource_name(self, key: str) -> str:
        return f"{self.name_prefix}-{key}"

    def function_arn(self, key: str) -> str:
        return (
            f"arn:{self.partition}:lambda:{self.region}:{self.account}:function:"
            f"{self.resource_name(key)}"
        )

    def flow_arn(self, key: str) -> str:
        return f"{self.instance_arn}/contact-flow/{self.resource_name(key)}"

    def bindings(self, spec: FlowSpec) -> dict[str, str]:
        available = {
            **{f"lambda.{key}": self.function_arn(key) for key in spec.functions},
            **{f"queue.{name}": arn for name, arn in self.queues.items()},
        }
        if spec.survey_flow:
            available["flow.survey"] = self.flow_arn(spec.survey_flow)
        return {name: available[name] for name in binding_names(spec, self.inputs.menu)}

    def render(self, key: str) -> dict[str, Any]:
        return render_flow(key, self.inputs, self.bindings(flow_spec(key)))

    def render_all(self) -> dict[str, dict[str, Any]]:
        return {spec.key: self.render(spec.key) for spec in FLOWS}


def created_supervisor_queue_arn(instance_arn: str, name_prefix: str) -> str:
    """Offline stand-in for the supervisor queue the stack creates when none is configured."""
    return f"{instance_arn}/queue/{name_prefix}-{SUPERVISOR_QUEUE}"
