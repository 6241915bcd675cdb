"""Every one of the 125 score combinations, in every survey mode: escalation happens exactly
when the lowest score is below 3.

One embedded AWS for all 375 calls; each call reads only its own alerts (by contact id).
"""

from __future__ import annotations

import itertools
from typing import TYPE_CHECKING

import pytest

from connect_survey.lambda_asset.survey.contract import MODE_ESCALATION
from tests.scenarios.calls import (
    DEV_ALERT_CHANNELS,
    MODES,
    SCORE_ATTRIBUTES,
    channels,
    finish_response,
    opted_in,
    said,
    survey,
)

if TYPE_CHECKING:
    from connect_survey.flows.offline import OfflineStage
    from tests.scenarios.conftest import Player

LOW_SCORE_THRESHOLD = 3  # the default survey: a score below 3 is low
SCALE = range(1, 6)


@pytest.mark.parametrize("mode", MODES)
def test_escalation_happens_exactly_when_the_lowest_score_is_below_3(
    play: Player,
    stage: OfflineStage,
    texts: dict[str, str],
    mode: str,
) -> None:
    # GIVEN the dev stage keeps the default threshold
    assert stage.inputs.survey.low_score_threshold == LOW_SCORE_THRESHOLD
    wrong: list[str] = []

    for combination in itertools.product(SCALE, repeat=len(SCORE_ATTRIBUTES)):
        # WHEN an opted-in caller gives these three scores and then presses nothing more
        keys = [str(score) for score in combination]
        report = play(survey(mode), keys, attributes=opted_in(mode))

        # THEN escalation (finish answer, alert, and in the escalation flow the apology and
        # the supervisor offer) happens exactly when the lowest score is below 3
        low = min(combination) < LOW_SCORE_THRESHOLD
        offered = low and mode == MODE_ESCALATION
        finish = finish_response(report)
        observed = (
            finish["escalate"],
            finish["lowest"],
            channels(report),
            said(report, texts["apology"]),
            said(report, texts["supervisorOffer"]),
            [report.call.attributes.get(name) for name in SCORE_ATTRIBUTES],
        )
        expected = (
            "true" if low else "false",
            str(min(combination)),
            DEV_ALERT_CHANNELS if low else [],
            int(offered),
            int(offered),
            keys,
        )
        if observed != expected:
            wrong.append(f"{keys}: expected {expected}, got {observed}")

    assert wrong == [], "\n".join(wrong)
