"""Flow coverage: the curated calls in `calls.coverage_scenarios()` visit every action of the six
rendered flows. Run with `-s` to see the report."""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING

from connect_survey.flows.catalog import FLOW_KEYS
from tests.scenarios.calls import coverage_scenarios

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

    from connect_survey.flows.offline import OfflineStage
    from tests.scenarios.calls import Scenario
    from tests.scenarios.conftest import Player


def coverage_report(
    actions: Mapping[str, list[str]], visited: Mapping[str, set[str]], title: str
) -> tuple[str, dict[str, list[str]]]:
    """Lines `flow: visited/total`, each followed by the ids never visited; and those ids."""
    lines, missing = [title], {}
    for flow, ids in actions.items():
        missing[flow] = [action_id for action_id in ids if action_id not in visited[flow]]
        lines.append(f"  {flow}: {len(ids) - len(missing[flow])}/{len(ids)} actions visited")
        if missing[flow]:
            lines.append(f"    missing: {', '.join(missing[flow])}")
    return "\n".join(lines), {flow: ids for flow, ids in missing.items() if ids}


def forced_report(forced: Mapping[str, list[str]]) -> str:
    """Which actions only a stubbed Lambda or a failing block (`--fail-action`) reaches."""
    lines = ["reached only with a Lambda stub or a failing block:"]
    lines += [f"  {flow}: {', '.join(ids)}" for flow, ids in forced.items()] or ["  (none)"]
    return "\n".join(lines)


def visit(play: Player, scenarios: Iterable[Scenario]) -> dict[str, set[str]]:
    visited: dict[str, set[str]] = defaultdict(set)
    for scenario in scenarios:
        for flow, action_id in play.run(scenario.flow, scenario.setup).call.visited:
            visited[flow].add(action_id)
    return visited


def test_curated_calls_visit_every_action_of_the_six_flows(
    play: Player, stage: OfflineStage
) -> None:
    # GIVEN every action of the six flows as rendered for the dev stage
    actions = {
        key: [action["Identifier"] for action in stage.render(key)["Actions"]] for key in FLOW_KEYS
    }
    scenarios = coverage_scenarios()
    assert len({scenario.name for scenario in scenarios}) == len(scenarios)

    # WHEN the curated calls play, and again without the ones that need a stub or failing block
    visited = visit(play, scenarios)
    unforced = visit(play, [scenario for scenario in scenarios if not scenario.forced])

    # THEN every action was visited (the report says which were not)
    report, missing = coverage_report(actions, visited, f"flow coverage ({len(scenarios)} calls)")
    _, forced = coverage_report(actions, unforced, "")
    print(f"\n{report}\n{forced_report(forced)}")
    assert missing == {}, report
