"""What the survey stack publishes for others to find: its name and its outputs.

The stack writes them; `make deploy`, the pipeline and `connect-survey verify` read them. No CDK
here, so verify reads a deployed stack without loading the CDK.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    from connect_survey.config.stage import StageConfig

STACK_KEY: Final = "stack"  # the stack is `{namePrefix}-stack`
RESULTS_TABLE_OUTPUT: Final = "ResultsTableName"
ALERT_TOPIC_OUTPUT: Final = "AlertTopicArn"
ALERT_EVENT_BUS_OUTPUT: Final = "AlertEventBusName"
REPORTS_BUCKET_OUTPUT: Final = "ReportsBucketName"
REPORTS_WORKGROUP_OUTPUT: Final = "ReportsWorkgroup"


def stack_name(config: StageConfig) -> str:
    """The survey stack's name and construct id, the same for `make deploy` and the pipeline."""
    return config.offline.resource_name(STACK_KEY)


def flow_arn_output(flow_key: str) -> str:
    """The output holding one flow's ARN (on-demand-survey: OnDemandSurveyFlowArn)."""
    return f"{flow_key.title().replace('-', '')}FlowArn"
