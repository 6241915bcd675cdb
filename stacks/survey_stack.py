"""One stack per stage: every resource the post-call surveys need, wired together."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aws_cdk import CfnOutput, Environment, Stack

from flows.catalog import FLOWS, SUPERVISOR_QUEUE
from stacks.alerting import Alerting
from stacks.connect_integration import LambdaIntegration
from stacks.contact_flows import ContactFlows
from stacks.cooldown_store import CooldownStore
from stacks.handlers import SurveyHandlers
from stacks.nag import suppress_findings
from stacks.results_store import ResultsStore
from stacks.supervisor_queue import SupervisorQueue

if TYPE_CHECKING:
    from constructs import Construct

    from stacks.config import StageConfig


class SurveyStack(Stack):
    """The same class for every stage; only the configuration differs."""

    def __init__(self, scope: Construct, construct_id: str, *, config: StageConfig, **kwargs: Any):
        stage, settings = config.offline, config.settings
        super().__init__(
            scope,
            construct_id,
            env=Environment(account=stage.account, region=stage.region),
            description=f"Post-call surveys for Amazon Connect ({stage.name})",
            **kwargs,
        )
        results = ResultsStore(self, "Results")
        alerting = Alerting(self, "Alerting", emails=settings.alert_emails)
        cooldown = CooldownStore(self, "Cooldown")
        handlers = SurveyHandlers(
            self,
            "Handlers",
            name_prefix=stage.name_prefix,
            partition=stage.partition,
            survey=stage.inputs.survey,
            table=results.table,
            topic=alerting.topic,
            bus=alerting.bus,
            log_retention_days=settings.log_retention_days,
            result_retention_days=stage.retention_days,
            powertools_layer_version=settings.powertools_layer_version,
            sampling=stage.inputs.sampling,
            cooldown_table=cooldown.table,
            caller_key_secret=cooldown.secret,
        )
        integrations = [
            LambdaIntegration(
                self,
                f"{key.title()}Integration",
                function=function,
                instance_arn=stage.instance_arn,
                account=stage.account,
            )
            for key, function in handlers.functions.items()
        ]
        supervisor_arn = settings.supervisor_queue_arn
        if supervisor_arn is None:
            supervisor_arn = SupervisorQueue(
                self,
                "Supervisor",
                instance_arn=stage.instance_arn,
                name=stage.resource_name(SUPERVISOR_QUEUE),
            ).queue_arn
        flows = ContactFlows(
            self,
            "Flows",
            instance_arn=stage.instance_arn,
            name_prefix=stage.name_prefix,
            inputs=stage.inputs,
            function_arns={key: fn.function_arn for key, fn in handlers.functions.items()},
            queue_arns={**stage.queues, SUPERVISOR_QUEUE: supervisor_arn},
            depends_on=list(integrations),
        )
        for spec in FLOWS:
            CfnOutput(
                self,
                f"{spec.key.title().replace('-', '')}FlowArn",
                value=flows.arn(spec.key),
                description=f"ARN of the {spec.key} contact flow",
            )
        CfnOutput(self, "ResultsTableName", value=results.table.table_name)
        CfnOutput(self, "AlertTopicArn", value=alerting.topic.topic_arn)
        suppress_findings(handlers=handlers)
