"""A seeded 30 % sample over 1,000 callers, each call played through the real inbound flow (the
eligibility Lambda's decision, the flow's branch on it, the disconnect survey set or not)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from connect_survey.lambda_asset.survey.contract import MODES
from connect_survey.simulator.simulate import CallSetup, Simulator
from tests.scenarios.calls import caller, inbound, survey

if TYPE_CHECKING:
    from tests.sampling.conftest import SimulatorFor

CALLERS = 1000


def offered_callers(sim: Simulator, mode: str, seed: int) -> list[int]:
    """Which of 1,000 different callers (call seeds `seed`*10,000 + n) got the survey."""
    offered = []
    for index in range(CALLERS):
        setup = CallSetup(
            keys=caller(mode),  # the first menu option, and yes to any offer
            seed=seed * 10_000 + index,
            caller_number=f"+1555{index:07d}",
            hangs_up_first="caller",  # the survey flow, if set, runs and ends at once
        )
        report = sim.run(inbound(mode), setup)
        if survey(mode) in report.call.flows:
            offered.append(index)
        else:
            assert not any("survey" in prompt.lower() for prompt in report.call.prompts)
    return offered


@pytest.mark.parametrize("mode", MODES)
def test_seeded_thirty_percent_of_a_thousand_played_callers_are_surveyed(
    simulator_for: SimulatorFor, mode: str
) -> None:
    # GIVEN a stage sampling 30 % of callers
    with simulator_for(percent=30) as sim:
        # WHEN 1,000 different callers call, with seed 7
        first = offered_callers(sim, mode, seed=7)

        # THEN 30 % of them, within 5 points, are offered (told to stay on the line) and get
        # the disconnect survey; the others hear nothing about one
        assert 25 <= len(first) / CALLERS * 100 <= 35, len(first)
        if mode == MODES[0]:
            # AND the same seed picks the same callers; another seed picks others
            assert offered_callers(sim, mode, seed=7) == first
            other = offered_callers(sim, mode, seed=8)
            assert other != first and 25 <= len(other) / CALLERS * 100 <= 35
