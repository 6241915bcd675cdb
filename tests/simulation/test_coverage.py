"""Flow coverage: the scenarios below visit every action of the six rendered flows."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from flows.catalog import FLOW_KEYS
from lambdas.survey.contract import OPT_IN_ATTRIBUTE

if TYPE_CHECKING:
    import pytest

    from flows.offline import OfflineStage

OPTED_IN = {OPT_IN_ATTRIBUTE: "true"}
LOW_THEN_ACCEPT = ["1", "1", "1", "1", "1"]


def scenarios() -> list[tuple[str, list[str], dict[str, Any]]]:
    """(flow, keys, setup) for each path worth covering, per mode."""
    plays: list[tuple[str, list[str], dict[str, Any]]] = []
    for mode in ("on-demand", "opt-in", "escalation"):
        inbound, survey = f"{mode}-inbound", f"{mode}-survey"
        plays += [
            (inbound, ["1", "1", "5", "5", "5"], {}),
            (inbound, ["2", "2"], {}),
            (inbound, ["9", "2"], {}),
            (inbound, ["timeout", "timeout"], {}),
            (inbound, ["1", "1"], {"queues_at_capacity": ["sales"]}),
            (inbound, ["1", "1"], {"failing_actions": ["transfer-to-queue"]}),
            (inbound, ["1", "1"], {"failing_actions": ["route-to-1"]}),
            (survey, ["9", "4", "0", "4", "6", "4"], {"attributes": OPTED_IN}),
            (survey, ["5"] * 9, {"attributes": OPTED_IN, "stubs": ["-score=!error"]}),
            (survey, [], {}),
        ]
    plays += [
        ("escalation-survey", LOW_THEN_ACCEPT, {"attributes": OPTED_IN}),
        ("escalation-survey", ["1", "1", "1", "2"], {"attributes": OPTED_IN}),
        (
            "escalation-survey",
            LOW_THEN_ACCEPT,
            {"attributes": OPTED_IN, "queues_at_capacity": ["supervisor"]},
        ),
        (
            "escalation-survey",
            [*LOW_THEN_ACCEPT[:4], "2"],
            {"attributes": OPTED_IN, "queues_at_capacity": ["supervisor"]},
        ),
        (
            "escalation-survey",
            LOW_THEN_ACCEPT,
            {"attributes": OPTED_IN, "failing_actions": ["target-supervisor"]},
        ),
    ]
    return plays


def test_scenarios_visit_every_action_of_the_six_flows(
    play: Any, stage: OfflineStage, capsys: pytest.CaptureFixture[str]
) -> None:
    visited: dict[str, set[str]] = {key: set() for key in FLOW_KEYS}
    for flow, keys, setup in scenarios():
        for flow_name, action in play(flow, keys, **setup).call.visited:
            visited[flow_name].add(action)

    report, missing = [], {}
    for key in FLOW_KEYS:
        actions = {a["Identifier"] for a in stage.render(key)["Actions"]}
        missing[key] = sorted(actions - visited[key])
        report.append(f"{key:20} {len(actions & visited[key]):3}/{len(actions):3} actions")
    with capsys.disabled():
        print("\nflow coverage\n" + "\n".join(report))
    assert missing == {key: [] for key in FLOW_KEYS}
