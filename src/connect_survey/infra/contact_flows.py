"""The six contact flows, rendered from their templates with the stack's ARNs bound in."""

from __future__ import annotations

from typing import TYPE_CHECKING

from aws_cdk import aws_connect as connect
from constructs import Construct, IConstruct

from connect_survey.flows.catalog import FLOW_TYPE, FlowSpec, resource_name
from connect_survey.flows.render import (
    FlowInputs,
    display_names,
    flow_bindings,
    render_flow,
    to_content,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping, Sequence


class ContactFlows(Construct):
    """Creates survey flows first, then the inbound flows that name them as disconnect flows."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        instance_arn: str,
        name_prefix: str,
        specs: Sequence[FlowSpec],
        inputs: Callable[[FlowSpec], FlowInputs],
        function_arns: Mapping[str, str],
        queue_arns: Mapping[str, str],
        depends_on: list[IConstruct],
    ) -> None:
        super().__init__(scope, construct_id)
        self.flows: dict[str, connect.CfnContactFlow] = {}
        # `specs` are in creation order: a flow exists before any flow that refers to it.
        for spec in specs:
            spec_inputs = inputs(spec)
            bindings = flow_bindings(
                spec,
                spec_inputs.menu,
                function_arns=function_arns,
                queue_arns=queue_arns,
                flow_arns={key: flow.attr_contact_flow_arn for key, flow in self.flows.items()},
            )
            flow = connect.CfnContactFlow(
                self,
                spec.key,
                instance_arn=instance_arn,
                name=resource_name(name_prefix, spec.key),
                type=FLOW_TYPE,
                description=spec.description,
                state="ACTIVE",
                content=to_content(
                    render_flow(
                        spec.key,
                        spec_inputs,
                        bindings,
                        names=display_names(spec, spec_inputs.menu, name_prefix),
                        spec=spec,
                    )
                ),
            )
            # Publishing validates every reference, so the Lambda associations and permissions
            # must exist first. (The survey flow an inbound flow names is ordered by its GetAtt.)
            for dependency in depends_on:
                flow.node.add_dependency(dependency)
            self.flows[spec.key] = flow

    def arn(self, key: str) -> str:
        return self.flows[key].attr_contact_flow_arn
