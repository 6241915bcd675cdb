"""All 125 score combinations in every survey mode: escalation iff the lowest score is below 3."""

from __future__ import annotations

import itertools
from typing import Any

import pytest

from flows.prompts import Prompts
from tests.simulation.conftest import finish_calls, said

APOLOGY = Prompts().apology
# The inbound flow of each mode and the keys before the scores: menu 1, then opt in if offered.
MODES = {
    "on-demand-inbound": ["1"],
    "opt-in-inbound": ["1", "1"],
    "escalation-inbound": ["1", "1"],
}


@pytest.mark.parametrize("flow", MODES)
def test_every_score_combination_escalates_iff_a_score_is_below_three(play: Any, flow: str) -> None:
    mismatches = []
    for scores in itertools.product("12345", repeat=3):
        # GIVEN a caller who answers the three questions, then declines the supervisor
        report = play(flow, [*MODES[flow], *scores, "2"])
        low = min(int(s) for s in scores) < 3

        # THEN the finish handler, the in-call offer and the alerts all agree with the rule
        seen = {
            "stored": [r["score"] for r in report.results] == list(scores),
            "escalate": finish_calls(report)[0]["response"]["escalate"] == str(low).lower(),
            "offer": said(report, APOLOGY) == int(low and flow.startswith("escalation")),
            "alerts": len(report.alerts) == (2 if low else 0),
        }
        if not all(seen.values()):
            mismatches.append((scores, seen))
    assert mismatches == []
