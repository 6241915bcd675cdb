"""One stack per stage: every resource the post-call surveys need, wired together."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aws_cdk import CfnOutput, Environment, Stack
from aws_cdk import aws_cloudwatch_actions as cloudwatch_actions

from connect_survey import PROJECT_ROOT
from connect_survey.config.errors import ConfigError
from connect_survey.flows.catalog import (
    CALLBACK_QUEUE,
    FOLLOW_UP_TASK,
    SUPERVISOR_QUEUE,
    SUPERVISOR_ROUTING_PROFILE,
)
from connect_survey.infra.alerting import Alerting
from connect_survey.infra.connect_integration import LambdaIntegration
from connect_survey.infra.contact_flows import ContactFlows
from connect_survey.infra.cooldown_store import CooldownStore
from connect_survey.infra.follow_up_tasks import FollowUpTaskBinding
from connect_survey.infra.handlers import SurveyHandlers
from connect_survey.infra.live_tests import LiveTestCases
from connect_survey.infra.nag import suppress_findings, suppress_reporting_findings
from connect_survey.infra.operations import Operations
from connect_survey.infra.outputs import (
    ALERT_EVENT_BUS_OUTPUT,
    ALERT_TOPIC_OUTPUT,
    REPORTS_BUCKET_OUTPUT,
    REPORTS_WORKGROUP_OUTPUT,
    RESULTS_TABLE_OUTPUT,
    flow_arn_output,
)
from connect_survey.infra.reporting import ContactRecordReports, contact_record_stream
from connect_survey.infra.results_store import ResultsStore
from connect_survey.infra.stage_key import StageKey
from connect_survey.infra.supervisor_queue import SupervisorRouting
from connect_survey.lambda_asset.survey.contract import ALERT_FUNCTION, SWEEPER_FUNCTION
from connect_survey.test_cases.files import CASES_FOLDER, CaseFile, load_cases
from connect_survey.test_cases.references import StageResources

if TYPE_CHECKING:
    from pathlib import Path

    from constructs import Construct

    from connect_survey.config.stage import StageConfig


DEFAULT_CASES = PROJECT_ROOT / CASES_FOLDER


class SurveyStack(Stack):
    """The same class for every stage; only the configuration differs."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: StageConfig,
        cases_folder: Path = DEFAULT_CASES,
        **kwargs: Any,
    ):
        """`cases_folder` holds the test cases deployed when the stage sets `liveTests`."""
        stage, settings = config.offline, config.settings
        super().__init__(
            scope,
            construct_id,
            env=Environment(account=stage.account, region=stage.region),
            description=f"Post-call surveys for Amazon Connect ({stage.name})",
            **kwargs,
        )
        results = ResultsStore(
            self, "Results", deletion_protection=settings.table_deletion_protection
        )
        # One customer-managed key for the stage: topics, reports bucket, Athena results.
        stage_key = StageKey(self, "StageKey", name_prefix=stage.name_prefix)
        alerting = Alerting(
            self,
            "Alerting",
            name_prefix=stage.name_prefix,
            emails=settings.alert_emails,
            key=stage_key,
        )
        cooldown = CooldownStore(self, "Cooldown")
        # Low scores start a task through the stage's task flow, where the stage has followUp.
        task_binding = (
            FollowUpTaskBinding(instance_arn=stage.instance_arn, settings=stage.follow_up.settings)
            if stage.follow_up is not None
            else None
        )
        handlers = SurveyHandlers(
            self,
            "Handlers",
            name_prefix=stage.name_prefix,
            partition=stage.partition,
            survey=stage.inputs.survey,
            results=results,
            alert_channels=[*alerting.channels, *([task_binding] if task_binding else [])],
            log_retention_days=settings.log_retention_days,
            result_retention_days=stage.retention_days,
            powertools_layer_version=settings.powertools_layer_version,
            sampling=stage.inputs.sampling,
            cooldown=cooldown,
            instance_alias=settings.instance_alias,
        )
        operations = Operations(
            self,
            "Operations",
            name_prefix=stage.name_prefix,
            functions={
                **handlers.functions,
                ALERT_FUNCTION: handlers.alert,
                SWEEPER_FUNCTION: handlers.sweeper,
            },
            dead_letters=handlers.dead_letters,
            emails=settings.ops_emails,
            stage_key=stage_key,
            follow_up_tasks=task_binding is not None,
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
        supervisors = SupervisorRouting(
            self,
            "Supervisor",
            instance_arn=stage.instance_arn,
            supervisor_name=stage.resource_name(SUPERVISOR_QUEUE),
            callback_name=stage.resource_name(CALLBACK_QUEUE),
            routing_profile_name=stage.resource_name(SUPERVISOR_ROUTING_PROFILE),
            supervisor_queue_arn=settings.supervisor_queue_arn,
            callback_queue_arn=settings.callback_queue_arn,
            max_contacts=settings.supervisor_max_contacts,
            callback_caller_id_number_arn=settings.callback_caller_id_number_arn,
            supervisor_tasks=stage.follow_up is not None
            and stage.follow_up.queue == SUPERVISOR_QUEUE,
        )
        # CDK tokens stand for ARNs in the synthesized Content and are far shorter than them: the
        # offline rendering has ARNs as long as the deployed ones, so the content limit is
        # checked (with every other lint rule) on what Connect will get.
        for spec in stage.flows:
            stage.render(spec.key)
        function_arns = {key: fn.function_arn for key, fn in handlers.functions.items()}
        queue_arns = {
            **stage.queues,
            SUPERVISOR_QUEUE: supervisors.supervisor_queue_arn,
            CALLBACK_QUEUE: supervisors.callback_queue_arn,
        }
        flows = ContactFlows(
            self,
            "Flows",
            instance_arn=stage.instance_arn,
            name_prefix=stage.name_prefix,
            specs=stage.flows,
            inputs=stage.inputs_for,
            function_arns=function_arns,
            queue_arns=queue_arns,
            depends_on=list(integrations),
        )
        if task_binding is not None:
            task_binding.bind_flow(flows.arn(FOLLOW_UP_TASK))
        self.live_tests: LiveTestCases | None = None
        if settings.live_tests:
            self.live_tests = LiveTestCases(
                self,
                "LiveTests",
                instance_arn=stage.instance_arn,
                name_prefix=stage.name_prefix,
                cases=live_cases(cases_folder, stage.name),
                resources=StageResources(
                    flows={spec.key: flows.arn(spec.key) for spec in stage.flows},
                    functions=function_arns,
                    queues=queue_arns,
                ),
                source_phone_number=settings.live_test_source_phone_number,
                depends_on=[flows, supervisors, *integrations],
            )
        # The flows by key, for the verify role to read exactly these.
        self.flow_arns = {spec.key: flows.arn(spec.key) for spec in stage.flows}
        for spec in stage.flows:  # every mode in every language
            CfnOutput(
                self,
                flow_arn_output(spec.key),
                value=flows.arn(spec.key),
                description=f"ARN of the {spec.key} contact flow",
            )
        CfnOutput(self, RESULTS_TABLE_OUTPUT, value=results.table.table_name)
        CfnOutput(self, ALERT_TOPIC_OUTPUT, value=alerting.topic.topic_arn)
        CfnOutput(self, ALERT_EVENT_BUS_OUTPUT, value=alerting.bus.event_bus_name)
        suppress_findings(
            handlers=handlers,
            task_contacts=task_binding.related_contacts if task_binding else None,
        )
        if settings.reporting is not None:
            reporting = settings.reporting
            reports = ContactRecordReports(
                self,
                "Reports",
                name_prefix=stage.name_prefix,
                survey=stage.inputs.survey,
                stream=contact_record_stream(
                    self,
                    ctr_source=reporting.ctr_source,
                    stream_arn=reporting.stream_arn,
                    instance_arn=stage.instance_arn,
                ),
                retention_days=settings.record_retention_days,
                query_limit_gb=reporting.query_limit_gb,
                log_retention_days=settings.log_retention_days,
                key=stage_key,
            )
            for alarm in reports.alarms:  # delivery failures reach the same people
                alarm.add_alarm_action(cloudwatch_actions.SnsAction(operations.topic))
            CfnOutput(self, REPORTS_BUCKET_OUTPUT, value=reports.bucket.bucket_name)
            CfnOutput(self, REPORTS_WORKGROUP_OUTPUT, value=reports.workgroup.ref)
            suppress_reporting_findings(reports=reports)


def live_cases(folder: Path, stage: str) -> list[CaseFile]:
    """The cases a stage with `liveTests` deploys: every case file in `folder`, at least one."""
    cases = load_cases([folder]) if folder.is_dir() else []
    if not cases:
        raise ConfigError(
            f"stages.{stage}.liveTests",
            f"is true but {folder} holds no test cases (*.json); add cases or set it to false",
        )
    return cases
