"""The call around the flows: queues, agents hanging up, disconnect flows, the transcript."""

from __future__ import annotations

from typing import Any

import pytest

from connect_survey.flow_language.engine import (
    CallResult,
    Flow,
    FlowRunLimitError,
    InvalidFlowError,
    SimulatedContact,
    Simulation,
    UnknownFlowError,
    UnknownQueueError,
    format_transcript,
)
from tests.flow_language.fixtures.flowdocs import HANG_UP, action, flow, load, say

SURVEY_ARN = "arn:aws:connect:us-east-1:123456789012:instance/i/contact-flow/survey"
SALES_ARN = "arn:aws:connect:us-east-1:123456789012:instance/i/queue/sales"
SUPERVISOR_ARN = "arn:aws:connect:us-east-1:123456789012:instance/i/queue/supervisor"
QUEUES = {SALES_ARN: "sales", SUPERVISOR_ARN: "supervisor"}


def transfer(identifier: str, queue_arn: str, then: str = HANG_UP) -> list[dict[str, Any]]:
    """Set the target queue, then transfer to it (full queue → `queue-full`)."""
    return [
        action(
            f"{identifier}-queue",
            "UpdateContactTargetQueue",
            {"QueueId": queue_arn},
            next_action=identifier,
        ),
        action(
            identifier,
            "TransferContactToQueue",
            next_action=None,
            errors=[("QueueAtCapacity", "queue-full"), ("NoMatchingError", then)],
        ),
    ]


INBOUND = flow(
    action(
        "opt-in",
        "UpdateContactAttributes",
        {"Attributes": {"Survey_Opt_in": "true"}},
        next_action="set-survey",
    ),
    action(
        "set-survey",
        "UpdateContactEventHooks",
        {"EventHooks": {"CustomerRemaining": SURVEY_ARN}},
        next_action="sales-queue",
    ),
    *transfer("sales", SALES_ARN),
    say("queue-full", "All agents are busy."),
)

# The disconnect flow: survey once; a low score is offered a supervisor; a second run ends.
SURVEY = flow(
    action(
        "check-done",
        "Compare",
        {"ComparisonValue": "$.Attributes.Survey_Opt_in"},
        next_action=None,
        conditions=[("Equals", "Complete", HANG_UP), ("Equals", "true", "ask")],
        errors=[("NoMatchingCondition", HANG_UP)],
    ),
    action(
        "ask",
        "GetParticipantInput",
        {
            "Text": "Rate us from 1 to 5.",
            "StoreInput": "True",
            "InputTimeLimitSeconds": "5",
            "InputValidation": {"CustomValidation": {"MaximumLength": "1"}},
        },
        next_action="save",
        errors=[("NoMatchingError", HANG_UP)],
    ),
    action(
        "save",
        "UpdateContactAttributes",
        {"Attributes": {"Score": "$.StoredCustomerInput"}},
        next_action="low",
    ),
    action(
        "low",
        "Compare",
        {"ComparisonValue": "$.Attributes.Score"},
        next_action=None,
        conditions=[("NumberLessThan", "3", "complete")],
        errors=[("NoMatchingCondition", "thanks")],
    ),
    action(
        "complete",
        "UpdateContactAttributes",
        {"Attributes": {"Survey_Opt_in": "Complete"}},
        next_action="supervisor-queue",
    ),
    *transfer("supervisor", SUPERVISOR_ARN),
    say("queue-full", "Supervisors are busy.", next_action="callback"),
    action(
        "callback",
        "CreateCallbackContact",
        {
            "InitialCallDelaySeconds": "5",
            "MaximumConnectionAttempts": "2",
            "RetryDelaySeconds": "60",
        },
    ),
    say("thanks", "Thank you."),
)


def play(inputs: list[str], *, start: dict[str, Any] = INBOUND, **options: Any) -> CallResult:
    settings: dict[str, Any] = {
        "flows": {SURVEY_ARN: Flow("survey", SURVEY)},
        "queues": QUEUES,
        **options,
    }
    return Simulation(**settings).run(Flow("inbound", start), inputs=inputs)


def test_engine_runs_the_disconnect_flow_after_the_agent_hangs_up() -> None:
    # GIVEN a caller who rates 4 after talking to sales
    result = play(["4"])
    # THEN the survey ran after the agent hung up, with the attributes of the inbound flow
    assert result.flows == ["inbound", "survey"]
    assert result.transfers == [{"queue": "sales"}]
    assert result.attributes == {"Survey_Opt_in": "true", "Score": "4"}
    assert result.prompts == ["Rate us from 1 to 5.", "Thank you."]
    assert result.ended_by == "flow"


def test_engine_runs_the_disconnect_flow_again_after_a_transfer_from_it() -> None:
    # GIVEN a caller who rates 2 and is put through to a supervisor
    result = play(["2"])
    # THEN the disconnect flow runs again when the supervisor hangs up, sees Complete, and ends
    assert result.flows == ["inbound", "survey", "survey"]
    assert result.transfers == [{"queue": "sales"}, {"queue": "supervisor"}]
    assert result.attributes["Survey_Opt_in"] == "Complete"
    assert result.visited[-2:] == [("survey", "check-done"), ("survey", HANG_UP)]


def test_engine_offers_a_callback_when_the_supervisor_queue_is_full() -> None:
    result = play(["2"], queues_at_capacity={"supervisor"})
    assert result.transfers == [{"queue": "sales"}]
    assert result.callbacks == [{"queue": "supervisor", "number": "+15555550100"}]
    assert result.prompts[-1] == "Supervisors are busy."
    assert result.flows == ["inbound", "survey"]


def test_engine_full_queue_takes_queue_at_capacity_then_runs_the_disconnect_flow_uncalled() -> None:
    # GIVEN a full sales queue, after the inbound flow set the disconnect flow
    result = play([], queues_at_capacity={"sales"})
    # THEN the inbound flow ends the call, and the disconnect flow runs with nobody to hear it
    assert result.transfers == []
    assert result.prompts == ["All agents are busy."]
    assert result.flows == ["inbound", "survey"]
    assert "Score" not in result.attributes


def test_engine_caller_hang_up_skips_the_disconnect_flow() -> None:
    # GIVEN a caller who hangs up at the first survey question
    result = play(["hangup", "5"])
    # THEN the call ends there: no further flow, the rest of the script unused
    assert result.ended_by == "caller"
    assert result.flows == ["inbound", "survey"]
    assert "Score" not in result.attributes
    assert result.unused_input == ["5"]


def test_engine_call_ends_when_the_agent_hangs_up_without_a_disconnect_flow() -> None:
    inbound = flow(*transfer("sales", SALES_ARN), say("queue-full", "Busy."))
    result = play([], start=inbound)
    assert (result.flows, result.ended_by) == (["inbound"], "agent")


def test_engine_stops_a_disconnect_flow_that_keeps_transferring() -> None:
    # GIVEN a disconnect flow that always transfers to the supervisor again
    survey = flow(*transfer("supervisor", SUPERVISOR_ARN), say("queue-full", "Busy."))
    simulation = Simulation(
        flows={SURVEY_ARN: Flow("survey", survey)}, queues=QUEUES, max_flow_runs=5
    )
    # THEN the call is stopped with a clear error instead of running forever
    with pytest.raises(
        FlowRunLimitError, match="survey: \\(flow\\): the call ran 5 flows; is it looping"
    ):
        simulation.run(Flow("inbound", INBOUND))


def test_engine_transfer_without_a_target_queue_takes_no_matching_error() -> None:
    inbound = flow(
        action(
            "sales",
            "TransferContactToQueue",
            next_action=None,
            errors=[("NoMatchingError", "oops")],
        ),
        say("oops", "Something went wrong."),
    )
    assert play([], start=inbound).prompts == ["Something went wrong."]


def test_engine_unknown_queue_is_an_error() -> None:
    inbound = flow(*transfer("sales", "arn:queue/unknown"), say("queue-full", "Busy."))
    with pytest.raises(
        UnknownQueueError, match="inbound: sales-queue: no queue known for 'arn:queue/unknown'"
    ):
        play([], start=inbound)


def test_engine_names_queues_by_reference_without_a_resolver() -> None:
    inbound = flow(*transfer("sales", SALES_ARN), say("queue-full", "Busy."))
    result = Simulation().run(Flow("inbound", inbound))
    assert result.transfers == [{"queue": SALES_ARN}]


def test_engine_unknown_disconnect_flow_is_an_error_where_it_is_set() -> None:
    with pytest.raises(
        UnknownFlowError, match=f"inbound: set-survey: no flow known for '{SURVEY_ARN}'"
    ):
        Simulation(queues=QUEUES).run(Flow("inbound", INBOUND))


def test_engine_disconnect_flow_does_not_see_the_last_lambda_answer() -> None:
    # GIVEN an inbound flow whose Lambda answers before the transfer
    arn = "arn:aws:lambda:us-east-1:123456789012:function:lookup"
    inbound = flow(
        action(
            "lookup",
            "InvokeLambdaFunction",
            {"LambdaFunctionARN": arn, "InvocationTimeLimitSeconds": "2"},
            next_action="opt-in",
            errors=["NoMatchingError"],
        ),
        *INBOUND["Actions"][:-1],
    )
    survey = flow(say("hello", "Tier '$.External.tier'"))
    result = Simulation(
        functions={arn: lambda _e, _c: {"tier": "gold"}},
        flows={SURVEY_ARN: Flow("survey", survey)},
        queues=QUEUES,
    ).run(Flow("inbound", inbound))
    # THEN $.External starts empty in the disconnect flow (a new flow run)
    assert result.prompts == ["Tier ''"]


def test_engine_refuses_bad_settings() -> None:
    with pytest.raises(
        ValueError, match="max_flow_runs \\(0\\) and max_steps \\(1000\\) must be at least 1"
    ):
        Simulation(max_flow_runs=0)
    with pytest.raises(ValueError, match="attributes\\['Score'\\]: 4 must be a string"):
        Simulation().run(Flow("inbound", INBOUND), attributes={"Score": 4})  # type: ignore[dict-item]


def test_engine_transcript_reads_like_the_call() -> None:
    result = play(["2"], queues_at_capacity={"supervisor"})
    assert format_transcript(result) == "\n".join(
        [
            "== inbound (the call starts) ==",
            "  opt-in            set Survey_Opt_in = 'true'",
            f"  set-survey        event hook CustomerRemaining -> {SURVEY_ARN}",
            "  sales-queue       target queue sales",
            "  sales             transfer to queue sales: an agent answers",
            "                    the agent hangs up",
            "== survey (disconnect flow: the agent hung up first) ==",
            "  check-done        -> $.Attributes.Survey_Opt_in is 'true'",
            '  ask               says "Rate us from 1 to 5."',
            "  ask               caller presses 2",
            "  ask               $.StoredCustomerInput = '2'",
            "  save              set Score = '2'",
            "  low               -> $.Attributes.Score is '2'",
            "  complete          set Survey_Opt_in = 'Complete'",
            "  supervisor-queue  target queue supervisor",
            "  supervisor        transfer to queue supervisor fails: the queue is full",
            "  supervisor        -> QueueAtCapacity: queue supervisor is at capacity -> queue-full",
            '  queue-full        says "Supervisors are busy."',
            "  callback          callback to +15555550100 on queue supervisor",
            "  hang-up           the flow hangs up",
            "The flow ended the call.",
        ]
    )


# -- one flow with every action type ----------------------------------------------------------

EVERY = "arn:aws:connect:us-east-1:123456789012:instance/i/contact-flow/"
SCORE = "arn:aws:lambda:us-east-1:123456789012:function:score"


def score(event: dict[str, Any], _context: Any) -> dict[str, str]:
    digits = event["Details"]["Parameters"]["digits"]
    valid = digits in {"1", "2", "3", "4", "5"}
    return {"valid": "true" if valid else "false", "score": digits if valid else ""}


def play_every(inputs: list[str], **options: Any) -> CallResult:
    simulation = Simulation(
        functions={SCORE: score},
        flows={
            f"{EVERY}billing": Flow("billing", flow(say("billing", "Billing."))),
            f"{EVERY}survey": Flow("survey", flow(say("survey", "Survey."))),
        },
        queues={"arn:aws:connect:us-east-1:123456789012:instance/i/queue/sales": "sales"},
        **options,
    )
    return simulation.run(
        Flow("every", load("every-action-type")), inputs=inputs, attributes={"name": "Ann"}
    )


def test_engine_runs_every_action_type_of_the_fixture() -> None:
    # GIVEN calls through every branch of a flow that uses every action type
    runs = [
        play_every(["1", "9", "4"]),
        play_every(["1", "5"], queues_at_capacity={"sales"}),
        play_every(["2"]),
        play_every([], hours_open=False),
    ]
    # THEN together they visit every action, and each ends as it should
    visited = {
        action_id for run in runs for flow_name, action_id in run.visited if flow_name == "every"
    }
    assert visited == {a["Identifier"] for a in load("every-action-type")["Actions"]}
    assert [run.ended_by for run in runs] == ["flow", "flow", "flow", "flow"]
    assert runs[0].flows == ["every", "survey"] and runs[0].attributes["Score"] == "4"
    assert runs[0].prompts[0] == "Hello Ann, you are calling on VOICE."
    assert runs[1].callbacks == [{"queue": "sales", "number": "+15555550100"}]
    assert runs[1].transfers == []
    assert runs[2].flows == ["every", "billing"]
    assert runs[3].prompts[-1] == "We are closed. Goodbye."


def test_engine_fails_a_chosen_action_down_its_no_matching_error_branch() -> None:
    # GIVEN an inbound flow whose transfer falls back to hanging up on an error
    survey = Flow("survey", flow(say("thanks", "Thanks.")))
    simulation = Simulation(queues=QUEUES, flows={SURVEY_ARN: survey}, failing_actions={"sales"})

    # WHEN the run makes the transfer fail as Connect does on a platform error
    result = simulation.run(Flow("inbound", INBOUND))

    # THEN the call takes the error branch instead of reaching an agent
    assert result.transfers == []
    assert ("inbound", HANG_UP) in result.visited
    assert result.ended_by == "flow"


CALLBACK_FLOW = flow(
    action(
        "agents",
        "CheckMetricData",
        {"MetricType": "NumberOfAgentsAvailable", "QueueId": SUPERVISOR_ARN},
        next_action="number",
        conditions=[("NumberGreaterThan", "0", "transfer-queue")],
        errors=[("NoMatchingCondition", "number"), ("NoMatchingError", "number")],
    ),
    *transfer("transfer", SUPERVISOR_ARN),
    action(
        "number",
        "UpdateContactCallbackNumber",
        {"CallbackNumber": "$.CustomerEndpoint.Address"},
        next_action="callback",
        errors=[("InvalidCallbackNumber", "invalid"), ("CallbackNumberNotDialable", "undialable")],
    ),
    action(
        "callback",
        "CreateCallbackContact",
        {
            "QueueId": SALES_ARN,
            "InitialCallDelaySeconds": "5",
            "MaximumConnectionAttempts": "2",
            "RetryDelaySeconds": "60",
        },
    ),
    say("invalid", "We cannot call that number."),
    say("undialable", "We cannot dial that number."),
    say("queue-full", "Busy."),
)


def play_callback(address: str = "+15555550100", **options: Any) -> CallResult:
    simulation = Simulation(
        queues=QUEUES, contact=SimulatedContact(customer_address=address), **options
    )
    return simulation.run(Flow("callback", CALLBACK_FLOW))


@pytest.mark.parametrize(("available", "transferred"), [(0, False), (2, True)])
def test_engine_check_metric_data_branches_on_the_agents_available(
    available: int, transferred: bool
) -> None:
    result = play_callback(agents_available={"supervisor": available})
    assert bool(result.transfers) is transferred
    assert bool(result.callbacks) is not transferred


def test_engine_callback_number_takes_its_documented_error_branches() -> None:
    # GIVEN a withheld number, and a valid number the instance may not dial
    withheld = play_callback("anonymous", agents_available={"supervisor": 0})
    undialable = play_callback(
        "+447700900123",
        agents_available={"supervisor": 0},
        dialable=lambda number: not number.startswith("+44"),
    )
    # THEN neither gets a callback, each hears why
    assert withheld.callbacks == [] and withheld.prompts == ["We cannot call that number."]
    assert undialable.callbacks == [] and undialable.prompts == ["We cannot dial that number."]


def test_engine_refuses_a_static_callback_number() -> None:
    document = flow(
        action(
            "number",
            "UpdateContactCallbackNumber",
            {"CallbackNumber": "+15555550100"},
            errors=["InvalidCallbackNumber", "CallbackNumberNotDialable"],
        )
    )
    with pytest.raises(InvalidFlowError) as raised:
        Flow("static", document)
    assert str(raised.value) == (
        "static: number: json-path: CallbackNumber must be one JSONPath (never static), "
        "got '+15555550100'"
    )


def test_engine_refuses_an_agent_metric_compared_with_anything_but_greater_than_zero() -> None:
    document = flow(
        action(
            "agents",
            "CheckMetricData",
            {"MetricType": "NumberOfAgentsStaffed", "QueueId": SALES_ARN},
            conditions=[("NumberGreaterThan", "2")],
            errors=["NoMatchingCondition"],
        )
    )
    with pytest.raises(InvalidFlowError, match=r"^metric: agents: conditions: a condition must"):
        Flow("metric", document)


@pytest.mark.parametrize("metric", ["NumberOfAgentsAvailable", "NumberOfContactsInQueue"])
def test_engine_takes_no_matching_condition_on_agent_and_queue_metrics(metric: str) -> None:
    # GIVEN a metric check whose one condition does not hold, with a NoMatchingCondition branch
    # (the docs allow it on queue metrics only; console exports wire it on agent metrics too)
    condition = ("NumberGreaterThan", "0", "transfer-queue")
    document = flow(
        action(
            "agents",
            "CheckMetricData",
            {"MetricType": metric, "QueueId": SUPERVISOR_ARN},
            next_action="busy",
            conditions=[condition if "Agents" in metric else ("Equals", "5", "transfer-queue")],
            errors=[("NoMatchingCondition", "busy"), ("NoMatchingError", HANG_UP)],
        ),
        *transfer("transfer", SUPERVISOR_ARN),
        say("busy", "Busy."),
        say("queue-full", "Full."),
    )
    # WHEN no supervisor is available THEN the call goes down NoMatchingCondition
    result = Simulation(queues=QUEUES, agents_available={"supervisor": 0}).run(
        Flow("metric", document)
    )
    assert result.prompts == ["Busy."]


def test_engine_runs_the_survey_flow_with_no_caller_after_the_caller_hangs_up_first() -> None:
    # GIVEN a caller who talks to sales and hangs up before the agent
    result = play(["4"], hangs_up_first="caller")
    # THEN the disconnect flow runs, but its input fails: nobody is there to answer
    assert result.flows == ["inbound", "survey"]
    assert result.prompts == []
    assert "Score" not in result.attributes
    assert result.unused_input == ["4"] and result.ended_by == "caller"


@pytest.mark.parametrize(("engine", "ok"), [("Neural", True), ("Generative", False)])
def test_engine_voice_without_the_engine_takes_the_error_branch(engine: str, ok: bool) -> None:
    document = flow(
        action(
            "voice",
            "UpdateContactTextToSpeechVoice",
            {"TextToSpeechVoice": "Seoyeon", "TextToSpeechEngine": engine},
            next_action="hello",
            errors=[("NoMatchingError", "sorry")],
        ),
        say("hello", "Hello."),
        say("sorry", "Sorry."),
    )
    result = Simulation().run(Flow("voice", document))
    assert result.prompts == (["Hello."] if ok else ["Sorry."])
