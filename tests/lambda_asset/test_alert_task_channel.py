"""The follow-up task channel: one Amazon Connect task per low-score contact, under every fault
the outbox survives (issue 19).

StartTaskContact is answered in process by the embedded Connect (`EmbeddedTasks`), which keeps
every task it started and answers a ClientToken it has seen with that token's task, as Connect
does. Faults are injected on the alert function's own clients, as in the other alert tests.
"""

from __future__ import annotations

import json
import re
import uuid
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import pytest

from connect_survey.lambda_asset.survey import aws
from connect_survey.lambda_asset.survey.alerts import ALERT_NAMESPACE, LowScoreAlert
from connect_survey.lambda_asset.survey.budget import ALERT_GROUP_CONTACTS
from connect_survey.lambda_asset.survey.channels import CHANNELS
from connect_survey.lambda_asset.survey.channels import task as task_channel
from connect_survey.lambda_asset.survey.channels.task import (
    DESCRIPTION_CHARACTERS,
    NAME_CHARACTERS,
    TaskChannel,
    TaskSettings,
    task_request,
)
from connect_survey.lambda_asset.survey.contract import (
    ALERT_ID_ATTRIBUTE,
    ENV_INSTANCE_ALIAS,
    FOLLOW_UP_FOR_ATTRIBUTE,
)
from tests.lambda_asset.conftest import (
    TABLE,
    TASK_FLOW_ARN,
    TASK_FLOW_ID,
    TASK_INSTANCE_ID,
    read_state,
)
from tests.lambda_asset.test_alert_delivery import failed_contacts, per_contact_sns

if TYPE_CHECKING:
    from collections.abc import Callable

    from connect_survey.simulator.connect_tasks import EmbeddedTasks

ALL = "connectContactFlowEventAll"
CONTACT_ID = "6f1c2d3e-4a5b-4c6d-8e7f-a0b1c2d3e4f5"  # the sample event's contact
CONTACTS = ("contact-a", "contact-b", "contact-c")
ALIAS = "example-cc"
CONSOLE = f"https://{ALIAS}.my.connect.aws/contact-trace-records/details/{CONTACT_ID}"


@pytest.fixture
def answer(load_event: Any, score_handler: Any, results_table: Any) -> Callable[..., None]:
    """Store one contact's answers through the score handler, as the survey flow does."""

    def store(contact_id: str = CONTACT_ID, language: str = "en-US", **digits: str) -> None:
        for question, value in digits.items():
            parameters = {
                "question": question, "digits": value, "mode": "escalation", "language": language
            }  # fmt: skip
            event = load_event(ALL, parameters=parameters)
            event["Details"]["ContactData"]["ContactId"] = contact_id
            assert score_handler(event)["stored"] == "true"

    return store


def tasks_per_contact(tasks: EmbeddedTasks) -> Counter[str | None]:
    return Counter(task.related_contact_id for task in tasks.tasks)


def metric_total(output: str, name: str) -> float:
    blobs = [json.loads(line) for line in output.splitlines() if '"_aws"' in line]
    return sum(sum(blob.get(name, [])) for blob in blobs)


def alert_id(contact_id: str) -> str:
    return str(uuid.uuid5(ALERT_NAMESPACE, contact_id))


def test_task_carries_the_related_contact_the_link_and_the_answers(
    answer: Any,
    outbox: Any,
    alert_topic: Any,
    alert_bus: Any,
    follow_up_tasks: EmbeddedTasks,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # GIVEN a stage naming its instance alias, and a caller who rates effort 1 and
    # recommendation 4, then hangs up (finish never runs)
    monkeypatch.setenv(ENV_INSTANCE_ALIAS, ALIAS)
    answer(effort="1", recommend="4")

    # WHEN the stream delivers the answers
    assert outbox.deliver() == 0

    # THEN one task was started through the stage's task flow, linked to the surveyed contact,
    # carrying both answers, the link and the alert's ids, with the alert id as ClientToken
    [task] = follow_up_tasks.tasks
    request = task.request
    assert request["InstanceId"] == TASK_INSTANCE_ID
    assert request["ContactFlowId"] == TASK_FLOW_ID
    assert request["RelatedContactId"] == CONTACT_ID
    assert request["ClientToken"] == alert_id(CONTACT_ID)
    assert request["Attributes"] == {
        FOLLOW_UP_FOR_ATTRIBUTE: CONTACT_ID,
        ALERT_ID_ATTRIBUTE: alert_id(CONTACT_ID),
    }
    assert request["References"] == {
        "EffortScore": {"Type": "STRING", "Value": "1"},
        "PromoterScore": {"Type": "STRING", "Value": "4"},
        "Contact": {"Type": "URL", "Value": CONSOLE},
    }
    assert request["Name"] == "Low survey score 1: BasicQueue"
    description = request["Description"]
    for line in ("EffortScore = 1", "PromoterScore = 4", f"Contact: {CONSOLE}", "escalation"):
        assert line in description
    assert " UTC" in description  # the time of the answers
    assert "ScheduledTime" not in request and "SegmentAttributes" not in request
    assert read_state(TABLE, CONTACT_ID, "task").sent_at is not None


def test_task_is_named_and_described_in_the_language_the_caller_was_surveyed_in(
    answer: Any, outbox: Any, alert_topic: Any, alert_bus: Any, follow_up_tasks: EmbeddedTasks
) -> None:
    # GIVEN a caller surveyed in Korean who gives a low score; no instance alias
    answer(language="ko-KR", effort="2")

    # WHEN the stream delivers it
    outbox.deliver()

    # THEN the task's name and description are the Korean ones, and the description names the
    # contact by its id (no link without the alias), and it has no URL reference
    [task] = follow_up_tasks.tasks
    assert task.request["Name"] == "낮은 설문 점수 2점: BasicQueue"
    assert f"상담 내역: {CONTACT_ID}" in task.request["Description"]
    assert "해 주십시오." in task.request["Description"]
    assert "Contact" not in task.request["References"]


def test_task_channel_budget_is_one_attempt_for_a_group_of_ten_in_flight_together() -> None:
    # GIVEN the registry with the task channel
    # WHEN its time for a group is computed
    budget = CHANNELS.budget()

    # THEN ten one-contact calls in flight cost one 4 s attempt, counted in the function's margin
    assert TaskChannel().send_seconds(ALERT_GROUP_CONTACTS) == 4.0
    assert budget.send_seconds["task"] == 4.0
    assert budget.claimed_work_seconds == budget.storage_call_seconds + 4.0 + 4.0 + 4.0


def test_stage_without_follow_up_tasks_sends_none_and_is_done_without_them(
    answer: Any, outbox: Any, alert_topic: Any, alert_bus: Any
) -> None:
    # GIVEN a stage whose alert function has no task settings (no followUp)
    answer(effort="1")

    # WHEN the stream delivers the low answer
    left = outbox.deliver()

    # THEN SNS and EventBridge send it and the contact is done: no task claimed or waited for
    assert left == 0
    assert [channel.name for channel in CHANNELS.active()] == ["sns", "events"]
    assert read_state(TABLE, CONTACT_ID, "task").claim_token is None


# --- Done when: exactly one task per contact under every fault the outbox survives ---------


@pytest.mark.parametrize(
    ("service", "operation"), [("sns", "PublishBatch"), ("events", "PutEvents")]
)
def test_one_task_per_contact_while_sns_or_eventbridge_fails(
    answer: Any,
    outbox: Any,
    alert_topic: Any,
    alert_bus: Any,
    follow_up_tasks: EmbeddedTasks,
    faults: Any,
    service: str,
    operation: str,
) -> None:
    # GIVEN three low contacts, and SNS or EventBridge answering 500 twice
    for contact_id in CONTACTS:
        answer(contact_id, effort="1")
    faults.error_reply(aws.publisher(service), operation, times=2)

    # WHEN the stream delivers until nothing is left to retry
    deliveries = [outbox.deliver() for _ in range(3)]

    # THEN the retries resent the failed channel alone: one task per contact, started once
    assert deliveries == [3, 3, 0]
    assert tasks_per_contact(follow_up_tasks) == Counter(CONTACTS)
    assert follow_up_tasks.calls == len(CONTACTS)
    assert per_contact_sns(alert_topic) == Counter(CONTACTS)


@pytest.mark.parametrize("status", [429, 500])
def test_one_task_per_contact_when_start_task_contact_fails_then_recovers(
    answer: Any,
    outbox: Any,
    alert_topic: Any,
    alert_bus: Any,
    follow_up_tasks: EmbeddedTasks,
    faults: Any,
    captured_output: Any,
    status: int,
) -> None:
    # GIVEN three low contacts, and Connect throttling (429) or failing (500) the first four
    # StartTaskContact calls
    for contact_id in CONTACTS:
        answer(contact_id, effort="1")
    faults.error_reply(aws.publisher("connect"), "StartTaskContact", status=status, times=4)

    # WHEN the stream delivers until nothing is left to retry
    deliveries = [outbox.deliver() for _ in range(3)]

    # THEN the failed calls were retried, started no task, and each contact has exactly one;
    # the alert e-mail and event went out once each, not resent with the task
    assert deliveries[-1] == 0 and deliveries[0] > 0
    assert tasks_per_contact(follow_up_tasks) == Counter(CONTACTS)
    assert per_contact_sns(alert_topic) == Counter(CONTACTS)
    assert len(alert_bus.bodies()) == len(CONTACTS)
    output = captured_output()
    assert metric_total(output, "FollowUpTaskFailed") == 4
    assert metric_total(output, "FollowUpTaskCreated") == len(CONTACTS)
    assert metric_total(output, "AlertPossibleDuplicate") == 0


def test_one_task_when_the_reply_to_start_task_contact_is_lost(
    answer: Any,
    outbox: Any,
    alert_topic: Any,
    alert_bus: Any,
    follow_up_tasks: EmbeddedTasks,
    later: Any,
    captured_output: Any,
) -> None:
    # GIVEN a low answer, and Connect starting the task but its reply never arriving
    answer(effort="1")
    follow_up_tasks.lose_replies(1)

    # WHEN the stream delivers; retries while the claim lives; retries after it expired
    first = outbox.deliver()
    early = outbox.deliver()
    later()
    last = outbox.deliver()

    # THEN the task was maybe sent, so it waited for its claim, then was sent again with the
    # same ClientToken: Connect answered with the task it had started, and started no other.
    # The resend cannot duplicate, so it is not counted as a possible duplicate.
    assert (first > 0, early > 0, last) == (True, True, 0)
    assert follow_up_tasks.calls == 2
    assert tasks_per_contact(follow_up_tasks) == Counter({CONTACT_ID: 1})
    output = captured_output()
    assert metric_total(output, "FollowUpTaskCreated") == 1
    assert metric_total(output, "AlertPossibleDuplicate") == 0
    assert metric_total(output, "FollowUpTaskPossibleDuplicate") == 0


def test_task_resent_after_connect_may_have_forgotten_its_token_counts_a_possible_duplicate(
    answer: Any,
    outbox: Any,
    alert_topic: Any,
    alert_bus: Any,
    follow_up_tasks: EmbeddedTasks,
    later: Any,
    captured_output: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # GIVEN a lost StartTaskContact reply, and a resend later than the time we count on
    # Connect to dedupe its ClientToken
    answer(effort="1")
    follow_up_tasks.lose_replies(1)
    monkeypatch.setattr(task_channel, "DEDUPE_WINDOW", timedelta(0))

    # WHEN the stream delivers, and again once the claim expired
    outbox.deliver()
    later()
    outbox.deliver()

    # THEN the resend is counted as a possible duplicate task
    output = captured_output()
    assert metric_total(output, "FollowUpTaskPossibleDuplicate") == 1
    assert metric_total(output, "AlertPossibleDuplicate") == 1


def test_one_task_per_contact_from_duplicate_and_retried_stream_records(
    answer: Any, outbox: Any, alert_topic: Any, alert_bus: Any, follow_up_tasks: EmbeddedTasks
) -> None:
    # GIVEN three low contacts, each answering twice low (two records per contact)
    for contact_id in CONTACTS:
        answer(contact_id, effort="1", recommend="2")

    # WHEN the same batch reaches the function twice (a retried batch), then the stream goes on
    assert failed_contacts(outbox) == set()
    assert failed_contacts(outbox) == set()
    assert outbox.deliver() == 0

    # THEN each contact has one task, started by one call: the others found it sent
    assert tasks_per_contact(follow_up_tasks) == Counter(CONTACTS)
    assert follow_up_tasks.calls == len(CONTACTS)


def test_one_task_for_a_caller_who_hangs_up_after_the_low_answer(
    answer: Any, outbox: Any, alert_topic: Any, alert_bus: Any, follow_up_tasks: EmbeddedTasks
) -> None:
    # GIVEN a caller who gives a low first answer and hangs up: no other answer, no summary
    answer(effort="1")

    # WHEN the stream delivers
    outbox.deliver()

    # THEN the task is there, with the one answer given
    [task] = follow_up_tasks.tasks
    assert task.request["References"] == {"EffortScore": {"Type": "STRING", "Value": "1"}}
    assert "EffortScore = 1" in task.request["Description"]


def test_task_refused_by_connect_is_retried_and_never_marked_sent(
    answer: Any,
    outbox: Any,
    alert_topic: Any,
    alert_bus: Any,
    follow_up_tasks: EmbeddedTasks,
) -> None:
    # GIVEN a task flow Connect does not know (a stage deployed without it)
    answer(effort="1")
    follow_up_tasks.flow_ids = frozenset({"another-flow"})

    # WHEN the stream delivers twice
    deliveries = [outbox.deliver(), outbox.deliver()]

    # THEN no task was started; the record is retried, SNS and EventBridge sent once
    assert deliveries == [1, 1]
    assert follow_up_tasks.tasks == []
    assert read_state(TABLE, CONTACT_ID, "task").sent_at is None
    assert len(alert_topic.bodies()) == len(alert_bus.bodies()) == 1


# --- The request ---------------------------------------------------------------------------


def low_alert(**changes: Any) -> LowScoreAlert:
    values: dict[str, Any] = {
        "contact_id": CONTACT_ID,
        "initial_contact_id": None,
        "mode": "on-demand",
        "queue": "sales",
        "scores": {"EffortScore": 1},
        "threshold": 3,
        "answered_at": "2026-10-30T14:05:12.345Z",
    }
    return LowScoreAlert(**{**values, **changes})


def test_task_request_schedules_the_task_from_the_answer_while_that_is_ahead() -> None:
    # GIVEN a stage routing tasks 30 minutes after the low answer, expiring them after a day
    settings = TaskSettings(
        texts={"en-US": ("n", "{answers} {link}")}, expiry_minutes=1440, schedule_delay_minutes=30
    )
    answered = datetime(2026, 10, 30, 14, 5, 12, 345000, tzinfo=UTC)

    # WHEN the request is built 10 minutes after the answer, and again 29.5 minutes after it
    soon = task_request(low_alert(), settings, TASK_FLOW_ARN, answered + timedelta(minutes=10))
    late = task_request(low_alert(), settings, TASK_FLOW_ARN, answered + timedelta(minutes=29.5))

    # THEN the first is scheduled at the answer + 30 min; the second, under a minute before
    # that, starts at once (a past ScheduledTime is refused); both expire after 1440 minutes
    assert soon["ScheduledTime"] == int((answered + timedelta(minutes=30)).timestamp())
    assert "ScheduledTime" not in late
    expiry = {"connect:ContactExpiry": {"ValueMap": {"ExpiryDuration": {"ValueInteger": 1440}}}}
    assert soon["SegmentAttributes"] == late["SegmentAttributes"] == expiry


def test_task_request_keeps_name_and_description_within_connect_limits() -> None:
    # GIVEN templates that grow past Connect's limits once filled in
    settings = TaskSettings(texts={"en-US": ("{queue}" * 200, "{answers}{link}" * 400)})
    alert_ = low_alert(queue="q" * 30, scores={f"Score{i}": 1 for i in range(20)})

    # WHEN the request is built
    request = task_request(alert_, settings, TASK_FLOW_ARN, datetime.now(UTC))

    # THEN both are cut at Connect's limits rather than refused
    assert len(request["Name"]) == NAME_CHARACTERS
    assert len(request["Description"]) == DESCRIPTION_CHARACTERS


def test_task_request_fills_only_known_placeholders_and_no_format_language() -> None:
    # GIVEN a template with a known placeholder, an unknown one, and an attribute lookup
    settings = TaskSettings(texts={"en-US": ("{lowest} {agent} {queue.__class__}", "{answers}")})

    # WHEN the request is built
    request = task_request(low_alert(), settings, TASK_FLOW_ARN, datetime.now(UTC))

    # THEN only {lowest} is filled in; the rest stays as written
    assert request["Name"] == "1 {agent} {queue.__class__}"


def test_task_channel_without_its_flow_arn_fails_the_send_and_names_the_setting(
    monkeypatch: pytest.MonkeyPatch, follow_up_tasks: EmbeddedTasks
) -> None:
    # GIVEN the task channel with a flow ARN that is no flow's
    monkeypatch.setenv(task_channel.FLOW_ARN, "arn:aws:connect:us-east-1:1:instance/x")

    # WHEN an alert is sent
    outcomes = TaskChannel().send([low_alert()])

    # THEN it certainly was not sent (nothing was called), and no task exists
    assert outcomes == {CONTACT_ID: "failed"}
    assert follow_up_tasks.calls == 0


def test_task_says_when_the_caller_answered(
    answer: Any, outbox: Any, alert_topic: Any, alert_bus: Any, follow_up_tasks: EmbeddedTasks
) -> None:
    # GIVEN a low answer stored now
    answer(effort="1")

    # WHEN the stream delivers
    outbox.deliver()

    # THEN the description gives the answer's time, to the minute, in UTC
    [task] = follow_up_tasks.tasks
    found = re.search(r"at (\d{4}-\d\d-\d\d \d\d:\d\d) UTC", task.request["Description"])
    assert found is not None
    said = datetime.strptime(found[1], "%Y-%m-%d %H:%M").replace(tzinfo=UTC)
    assert timedelta(0) <= datetime.now(UTC) - said < timedelta(minutes=2)
