"""The project's own cdk-nag pack: AWS behaviour learned the hard way, each kept by a rule.

cdk-nag's extension point (https://github.com/cdklabs/cdk-nag/blob/main/docs/NagPack.md): a
`NagPack` visits every construct and applies rules, each one function of one resource answering
compliant, non-compliant (or a list of findings, each suppressible on its own with `applies_to`)
or not applicable. The rules live one per module and know nothing of the pack; the pack gives each
its id (`ConnectSurvey-<suffix>`), one-line info and explanation. It runs next to AwsSolutions
wherever that runs: `app.py` (`make synth`, `make synth-pipeline`), each pipeline stage, the tests.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final, cast

import jsii
from aws_cdk import CfnResource
from cdk_nag import IApplyRule, NagMessageLevel, NagPack

from connect_survey.infra.nag import (
    alarm_topic_key,
    endpoints_at_rest,
    flow_next_action,
    pinned_tools,
    root_trust,
)

if TYPE_CHECKING:
    from collections.abc import Callable

    from constructs import IConstruct

    from connect_survey.infra.nag.template import Compliance

PACK_NAME: Final = "ConnectSurvey"


@dataclass(frozen=True)
class ProjectRule:
    """A rule as the pack registers it: id suffix, what is wrong, why it matters, the check and
    the L1 types it reads."""

    suffix: str
    info: str
    explanation: str
    check: Callable[[CfnResource], Compliance]
    reads: tuple[type[CfnResource], ...]

    @property
    def rule_id(self) -> str:
        return f"{PACK_NAME}-{self.suffix}"


RULES: Final = (
    ProjectRule(
        "AlarmTopicKey",
        "An alarm notifies a topic whose key (or policy) does not let CloudWatch publish: the "
        "alarm would fire into nothing.",
        "CloudWatch publishes alarms with its service principal. The topic's key must be "
        "customer-managed, its key policy must allow cloudwatch.amazonaws.com kms:Decrypt and "
        "kms:GenerateDataKey* conditioned on aws:SourceAccount, and a topic policy must allow "
        "it sns:Publish. StageKey.admit_alarms(topic) does both.",
        alarm_topic_key.alarm_topics_admit_cloudwatch,
        alarm_topic_key.READS,
    ),
    ProjectRule(
        "FlowNextAction",
        "A contact flow action lacks the NextAction console exports carry (the Flow Language "
        "linter's console-next-action rule).",
        "Connect's console writes Transitions.NextAction on TransferToFlow, "
        "TransferContactToQueue and Loop although they leave by errors or conditions; a flow "
        "without it is one the console never produces. connect-survey lint names the action.",
        flow_next_action.flows_carry_console_next_action,
        flow_next_action.READS,
    ),
    ProjectRule(
        "RoleTrustsAccount",
        "The role trusts an account root (or everyone) without an aws:PrincipalArn condition "
        "naming the one principal meant.",
        "Trusting arn:aws:iam::ACCOUNT:root lets every user and role of that account with "
        "sts:AssumeRole on * assume the role. Trust the role's one caller by its ARN, or keep the "
        "account and add a condition aws:PrincipalArn equal to the caller's exact ARN.",
        root_trust.role_trusts_no_bare_account,
        root_trust.READS,
    ),
    ProjectRule(
        "EndpointsAtRest",
        "The reporting path can write a phone number (CustomerEndpoint, SystemEndpoint) or the "
        "caller key to S3.",
        "Firehose's Parquet conversion writes only the Glue table's columns: keep endpoints, the "
        "caller key and maps (which hold any attribute) out of the table, convert every record "
        "(raw JSON carries the endpoints), and keep no raw source backup.",
        endpoints_at_rest.reporting_path_holds_no_endpoints,
        endpoints_at_rest.READS,
    ),
    ProjectRule(
        "UnpinnedBuildTool",
        "A build step installs a tool without an exact version (a range, @latest or none).",
        "CDK Pipelines installs the CDK CLI and cdk-assets with npm at aws-cdk@2, "
        "cdk-assets@latest and an unversioned aws-cdk unless told otherwise: a release published "
        "between two runs changes what deploys production. Pin cli_version and "
        "cdk_assets_cli_version to the versions in package.json, and the security check's CLI.",
        pinned_tools.build_tools_are_pinned,
        pinned_tools.READS,
    ),
)
"""Every rule of the pack, in the order their findings are reported."""


@jsii.implements(IApplyRule)
class _Application:
    """One rule applied to one resource, as cdk-nag's `applyRule` reads it.

    jsii hands JavaScript only properties and methods of this class, never plain attributes;
    `rule_suffix_override` is required, since JavaScript would name a Python function `value`.
    """

    def __init__(self, rule: ProjectRule, node: CfnResource) -> None:
        self._rule = rule
        self._node = node

    @property
    def node(self) -> CfnResource:
        return self._node

    @property
    def rule_suffix_override(self) -> str:
        return self._rule.suffix

    @property
    def info(self) -> str:
        return self._rule.info

    @property
    def explanation(self) -> str:
        return self._rule.explanation

    @property
    def level(self) -> NagMessageLevel:
        return NagMessageLevel.ERROR

    @property
    def ignore_suppression_condition(self) -> None:
        return None

    def rule(self, node: CfnResource) -> Any:
        return self._rule.check(node)


class ConnectSurveyChecks(NagPack):
    """Applies each rule of `RULES` to every resource of the types it reads, as errors. Each
    application is some ten calls between JavaScript and Python: handing a rule only what it
    reads keeps a stage's check to seconds."""

    def __init__(self, *, verbose: bool = False, log_ignores: bool = False) -> None:
        super().__init__(verbose=verbose, log_ignores=log_ignores)
        self._pack_name = PACK_NAME

    def visit(self, node: IConstruct) -> None:
        if isinstance(node, CfnResource):
            for rule in (r for r in RULES if isinstance(node, r.reads)):
                # jsii's typing declares the interface's members settable; ours are read-only.
                self._apply_rule(cast("IApplyRule", _Application(rule, node)))
