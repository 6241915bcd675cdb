"""Sampling and the per-caller cooldown, played through the real inbound flows and handlers."""

from __future__ import annotations

import io
import json
import logging
from typing import TYPE_CHECKING, Any

import pytest

from connect_survey.lambda_asset.survey import sampling
from connect_survey.lambda_asset.survey.contract import ELIGIBILITY_FUNCTION, MODES
from connect_survey.lambda_asset.survey.telemetry import logger
from connect_survey.simulator.simulate import STUB_ERROR, STUB_TIMEOUT, CallSetup, Report, Simulator
from tests.sampling.conftest import cooldown_records, stored_items
from tests.scenarios.calls import caller, inbound, survey

if TYPE_CHECKING:
    from tests.sampling.conftest import SimulatorFor

NUMBER = "+821012345678"
ELIGIBILITY_FAILS = f"-{ELIGIBILITY_FUNCTION}={STUB_ERROR}"
ELIGIBILITY_TIMES_OUT = f"-{ELIGIBILITY_FUNCTION}={STUB_TIMEOUT}"


def play(sim: Simulator, mode: str, *answers: str, seed: int = 1, **setup: Any) -> Report:
    """A caller who takes the menu's first option, accepts any offer, then gives `answers`."""
    keys = caller(mode, *answers)
    return sim.run(inbound(mode), CallSetup(keys=keys, seed=seed, **setup)).read_back()


def offered(report: Report, mode: str) -> bool:
    """Whether the caller heard about a survey and the disconnect survey was set."""
    return survey(mode) in report.call.flows


def decision(report: Report) -> str | None:
    return (report.eligibility or {}).get(sampling.DECISION)


@pytest.mark.parametrize("mode", MODES)
def test_no_caller_hears_about_a_survey_at_zero_percent(
    simulator_for: SimulatorFor, mode: str
) -> None:
    # GIVEN a stage that samples 0 % of callers
    with simulator_for(percent=0) as sim:
        # WHEN a caller calls and would accept a survey
        report = play(sim, mode, "5", "5", "5")

        # THEN they hear no offer, get no disconnect survey, and the decision says why
        assert report.call.flows == [inbound(mode)]
        assert not any("survey" in prompt.lower() for prompt in report.call.prompts)
        assert decision(report) == sampling.Decision.SAMPLING
        assert report.call.attributes[sampling.DECISION_ATTRIBUTE] == sampling.Decision.SAMPLING
        assert report.results == []


@pytest.mark.parametrize("mode", MODES)
def test_every_caller_is_surveyed_at_one_hundred_percent(
    simulator_for: SimulatorFor, mode: str
) -> None:
    # GIVEN a stage that samples 100 % of callers
    with simulator_for(percent=100) as sim:
        # WHEN ten different callers call and answer
        reports = [
            play(sim, mode, "5", "4", "3", seed=seed, caller_number=f"+1555000{seed:04d}")
            for seed in range(10)
        ]

        # THEN every one of them is surveyed and their answers are stored
        assert all(offered(report, mode) for report in reports)
        assert all(len(report.results) == 3 for report in reports)


def test_seeded_thirty_percent_samples_thirty_of_a_thousand_callers_reproducibly(
    simulator_for: SimulatorFor,
) -> None:
    # GIVEN a stage sampling 30 % and the eligibility handler the inbound flows call
    with simulator_for(percent=30) as sim:
        decide = sim.functions[sim.stage.function_arn(ELIGIBILITY_FUNCTION)]

        def thousand_callers(seed: int) -> list[str]:
            sampling.sampler.seed(seed)
            return [
                decide(_event(f"+1555{index:07d}", f"contact-{index}"), None)[sampling.ELIGIBLE]
                for index in range(1000)
            ]

        # WHEN 1,000 different callers are decided, twice with seed 7 and once with seed 8
        first, again, other = thousand_callers(7), thousand_callers(7), thousand_callers(8)

        # THEN about 30 % are offered, and the same seed offers exactly the same callers
        share = first.count("true") / 10
        assert 25 <= share <= 35, share
        assert 25 <= other.count("true") / 10 <= 35
        assert first == again
        assert first != other


@pytest.mark.parametrize(("days_ago", "is_offered"), [(3, False), (40, True)])
def test_caller_surveyed_within_the_cooldown_is_not_offered_again(
    simulator_for: SimulatorFor, days_ago: int, is_offered: bool
) -> None:
    # GIVEN a 30-day cooldown and a caller who answered a survey `days_ago` days ago
    with simulator_for(cooldown_days=30) as sim:
        # WHEN they call again (opt-in: the offer is the first thing they would hear about it)
        report = play(sim, "opt-in", "5", "5", "5", caller_surveyed_days_ago=days_ago)

        # THEN within the cooldown they hear nothing about a survey; after it, they are offered
        assert offered(report, "opt-in") is is_offered
        expected = sampling.Decision.OFFER if is_offered else sampling.Decision.COOLDOWN
        assert decision(report) == expected
        # AND the contact record says why, for reports
        assert report.call.attributes[sampling.DECISION_ATTRIBUTE] == expected


def test_first_stored_answer_starts_the_cooldown_but_a_declined_offer_does_not(
    simulator_for: SimulatorFor,
) -> None:
    # GIVEN a 30-day cooldown
    with simulator_for(cooldown_days=30) as sim:
        # WHEN a caller declines the offer, calls again, then answers, then calls a third time
        declined = sim.run(
            inbound("opt-in"), CallSetup(keys=caller("opt-in", offer="2"), caller_number=NUMBER)
        ).read_back()
        answered = play(sim, "opt-in", "4", "hangup", seed=2, caller_number=NUMBER)
        third = play(sim, "opt-in", seed=3, caller_number=NUMBER)

        # THEN declining kept them eligible, one answer (then a hang-up) started the cooldown
        assert decision(declined) == sampling.Decision.OFFER
        assert decision(answered) == sampling.Decision.OFFER
        assert len(answered.results) == 1
        assert decision(third) == sampling.Decision.COOLDOWN
        assert not offered(third, "opt-in")
        # AND the record expires by TTL when the cooldown ends
        (record,) = cooldown_records(sim)
        assert record.expires_at - record.surveyed_at == 30 * sampling.SECONDS_PER_DAY


@pytest.mark.parametrize(
    ("setting", "is_offered"), [(sampling.OFFER, True), (sampling.SKIP, False)]
)
def test_withheld_number_follows_the_setting(
    simulator_for: SimulatorFor, setting: str, is_offered: bool
) -> None:
    # GIVEN a stage whose withheldNumbers setting is `setting`
    with simulator_for(cooldown_days=30, withheld_numbers=setting) as sim:
        # WHEN a caller with a withheld number calls
        report = play(sim, "on-demand", "5", "5", "5", caller_number="")

        # THEN they are surveyed or not as the setting says, and no cooldown is kept for them
        assert offered(report, "on-demand") is is_offered
        if not is_offered:
            assert decision(report) == sampling.Decision.WITHHELD
            withheld = report.call.attributes[sampling.DECISION_ATTRIBUTE]
            assert withheld == sampling.Decision.WITHHELD
        assert cooldown_records(sim) == []


@pytest.mark.parametrize(
    ("setting", "is_offered"), [(sampling.OFFER, True), (sampling.SKIP, False)]
)
@pytest.mark.parametrize(
    "failure", [ELIGIBILITY_FAILS, ELIGIBILITY_TIMES_OUT], ids=["error", "timeout"]
)
@pytest.mark.parametrize("mode", MODES)
def test_failing_eligibility_lambda_follows_on_error_and_the_call_goes_on(
    simulator_for: SimulatorFor, mode: str, setting: str, is_offered: bool, failure: str
) -> None:
    # GIVEN a stage whose onError setting is `setting`, and an eligibility Lambda that fails or
    # times out
    with simulator_for(on_error=setting) as sim:
        # WHEN a caller calls
        report = play(sim, mode, "5", "5", "5", stubs=[failure])

        # THEN the call still reaches the queue, and the survey follows the setting
        assert report.call.transfers[0] == {"queue": "sales"}
        assert offered(report, mode) is is_offered
        assert report.call.attributes[sampling.ELIGIBLE_ATTRIBUTE] == str(is_offered).lower()
        assert report.call.attributes[sampling.DECISION_ATTRIBUTE] == sampling.Decision.UNDECIDED


def test_handler_that_cannot_decide_answers_per_on_error(simulator_for: SimulatorFor) -> None:
    # GIVEN onError skip, and a caller-key secret the handler cannot read
    with simulator_for(cooldown_days=30, on_error=sampling.SKIP) as sim:
        sim.sandbox.client("secretsmanager").delete_secret(
            SecretId=sim.sandbox.caller_secret_arn, ForceDeleteWithoutRecovery=True
        )
        # WHEN a caller calls
        report = play(sim, "on-demand", "5", "5", "5")

        # THEN the handler answers "undecided" with a reason, and the flow skips the survey
        assert decision(report) == sampling.Decision.UNDECIDED
        assert not offered(report, "on-demand")


def test_caller_number_appears_in_no_log_line_item_or_attribute(
    simulator_for: SimulatorFor, capsys: pytest.CaptureFixture[str]
) -> None:
    # GIVEN a 30-day cooldown and the handlers' log lines, at INFO, kept as they are written
    level, buffer = logger.log_level, io.StringIO()
    handler = logging.StreamHandler(buffer)
    handler.setFormatter(logger.registered_formatter)
    logger.addHandler(handler)
    try:
        with simulator_for(cooldown_days=30) as sim:
            logger.setLevel("INFO")  # after the sandbox starts: it quiets the handlers
            # WHEN a caller answers a whole escalation survey with low scores
            report = play(sim, "escalation", "1", "2", "1", "2", caller_number=NUMBER)
            items = stored_items(sim)
    finally:
        logger.setLevel(level)
        logging.getLogger(logger.service).removeHandler(handler)
    output = capsys.readouterr()

    # THEN the number (with or without its +) is nowhere: logs, stored items, contact
    # attributes, the alerts sent
    assert len(report.results) == 3 and items and report.alerts
    logged = buffer.getvalue() + output.out + output.err
    assert "Eligibility decided" in logged and "Answer stored" in logged
    texts = (
        logged,
        json.dumps(items),
        json.dumps(report.call.attributes),
        json.dumps(report.alerts),
    )
    for text in texts:
        assert NUMBER not in text
        assert NUMBER.removeprefix("+") not in text


def _event(number: str, contact_id: str) -> dict[str, Any]:
    return {
        "Name": "ContactFlowEvent",
        "Details": {
            "ContactData": {
                "ContactId": contact_id,
                "CustomerEndpoint": {"Address": number, "Type": "TELEPHONE_NUMBER"},
            },
            "Parameters": {},
        },
    }
