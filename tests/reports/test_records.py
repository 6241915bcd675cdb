"""The demo generator: follow-up tasks only for what has ended by the end of the period."""

from __future__ import annotations

from datetime import date

from connect_survey.reports.records import DemoCentre, generate


def test_tasks_still_open_at_the_end_of_the_period_have_no_record() -> None:
    # GIVEN supervisors who take days to accept a task, over a two-day period
    slow = DemoCentre(follow_up_median_minutes=2_000.0, expired_share=0.3)

    # WHEN records are generated
    records = list(generate(3_000, days=2, last_day=date(2026, 3, 10), seed=3, centre=slow))

    # THEN only tasks that ended within the period have a record, with every time inside it
    tasks = [r for r in records if r["Channel"] == "TASK"]
    assert tasks
    for task in tasks:
        accepted = (task["Agent"] or {}).get("ConnectedToAgentTimestamp", "")
        assert max(task["DisconnectTimestamp"], accepted) < "2026-03-11"
        assert task["DisconnectReason"] != "EXPIRED"  # a 7-day expiry cannot end in 2 days
