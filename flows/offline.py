"""A stage as the offline tools see it: the flows rendered with ARNs built from configuration.

Deployed flow ARNs end in ids Connect assigns, so offline each flow and function gets a stable
ARN made from the stage's names; the simulator maps them back to the project's own flows and
handlers, and `connect-survey render` prints flows ready for the console's import.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from flows.catalog import FLOWS, HANDLERS, SUPERVISOR_QUEUE, flow_spec, resource_name
from flows.render import FlowInputs, flow_bindings, render_flow

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
        return resource_name(self.name_prefix, key)

    def function_arn(self, key: str) -> str:
        return (
            f"arn:{self.partition}:lambda:{self.region}:{self.account}:function:"
            f"{self.resource_name(key)}"
        )

    def flow_arn(self, key: str) -> str:
        return f"{self.instance_arn}/contact-flow/{self.resource_name(key)}"

    def render(self, key: str) -> dict[str, Any]:
        bindings = flow_bindings(
            flow_spec(key),
            self.inputs.menu,
            function_arns={k: self.function_arn(k) for k in HANDLERS},
            queue_arns=self.queues,
            flow_arns={spec.key: self.flow_arn(spec.key) for spec in FLOWS},
        )
        return render_flow(key, self.inputs, bindings)


def created_supervisor_queue_arn(instance_arn: str, name_prefix: str) -> str:
    """Offline stand-in for the supervisor queue the stack creates when none is configured."""
    return f"{instance_arn}/queue/{resource_name(name_prefix, SUPERVISOR_QUEUE)}"
