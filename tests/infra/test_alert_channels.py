"""The stack reads the alert channel registry: a channel of the test's own, bound to a construct
that grants its send, is granted and configured with no change to the stack's code."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest
from aws_cdk import aws_sqs as sqs
from aws_cdk.assertions import Template
from constructs import Construct

from connect_survey.config.stage import load_stage
from connect_survey.infra.alerting import Alerting
from connect_survey.lambda_asset.survey.channels import CHANNELS
from tests.infra.conftest import build_stack
from tests.lambda_asset.test_alert_channels import QUEUE_URL, PagerChannel

if TYPE_CHECKING:
    from collections.abc import Iterator, Mapping

    from aws_cdk import aws_iam as iam

SENDERS = ("survey-dev-alert", "survey-dev-sweeper")


class PagerQueue(Construct):
    """The pager channel's resource: the construct that owns the queue grants the send."""

    channel = PagerChannel.name

    def __init__(self, scope: Construct, construct_id: str) -> None:
        super().__init__(scope, construct_id)
        self.queue = sqs.Queue(self, "Queue", enforce_ssl=True)

    @property
    def environment(self) -> Mapping[str, str]:
        return {QUEUE_URL: self.queue.queue_url}

    def grant_send(self, grantee: iam.IGrantable) -> None:
        self.queue.grant_send_messages(grantee)


@pytest.fixture
def registered_pager() -> Iterator[None]:
    CHANNELS.register(PagerChannel())
    yield
    CHANNELS.unregister(PagerChannel.name)


def test_stack_grants_and_configures_a_registered_channel_from_its_construct(
    registered_pager: None, stages: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    # GIVEN the pager registered, and its construct created where the stack's alert resources
    # are (the one line a real channel adds to Alerting)
    created = Alerting.__init__

    def with_pager(self: Alerting, *args: Any, **kwargs: Any) -> None:
        created(self, *args, **kwargs)
        self.channels.append(PagerQueue(self, "Pager"))

    monkeypatch.setattr(Alerting, "__init__", with_pager)

    # WHEN the dev stack is synthesized
    template = Template.from_stack(build_stack(load_stage({"stages": stages}, "dev")))

    # THEN the senders (the alert function, and the sweeper that sends what the stream left)
    # and they alone may send to the pager's queue and are told its URL
    functions = template.find_resources("AWS::Lambda::Function")
    [queue_id] = [
        key
        for key, queue in template.find_resources("AWS::SQS::Queue").items()
        if "Pager" in key and "MessageRetentionPeriod" not in queue.get("Properties", {})
    ]
    for function in functions.values():
        env = function["Properties"]["Environment"]["Variables"]
        is_sender = function["Properties"]["FunctionName"] in SENDERS
        assert (env.get(QUEUE_URL) == {"Ref": queue_id}) is is_sender
    senders = [
        policy["Properties"]["Roles"]
        for policy in template.find_resources("AWS::IAM::Policy").values()
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]
        if "sqs:SendMessage" in statement["Action"]
        and statement["Resource"] == {"Fn::GetAtt": [queue_id, "Arn"]}
    ]
    sender_roles = sorted(
        f["Properties"]["Role"]["Fn::GetAtt"][0]
        for f in functions.values()
        if f["Properties"]["FunctionName"] in SENDERS
    )
    assert sorted(role["Ref"] for roles in senders for role in roles) == sender_roles


def test_stack_refuses_a_registered_channel_no_construct_serves(
    registered_pager: None, stages: dict[str, Any]
) -> None:
    # GIVEN the pager registered, and nothing in the stack serving it
    # WHEN the dev stack is synthesized
    # THEN synthesis stops, naming the channel
    with pytest.raises(ValueError, match="'pager' is registered but no construct serves it"):
        build_stack(load_stage({"stages": stages}, "dev"))
