"""What the flow audit asked of every rendered flow of every stage (one language or two): the
console's NextAction on TransferToFlow, CheckMetricData's two errors, Survey_Ended_In_Flow set
before any apology, and flow logging in the survey flows."""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any

import pytest

from connect_survey.config.stage import load_stage
from connect_survey.flow_language.spec import (
    NO_MATCHING_CONDITION,
    NO_MATCHING_ERROR,
    QUEUE_AT_CAPACITY,
    entries,
    transitions,
)
from connect_survey.lambda_asset.survey.contract import ENDED_IN_FLOW_ATTRIBUTE, TRUE

if TYPE_CHECKING:
    from connect_survey.flows.offline import OfflineStage


def stages(context: dict[str, Any]) -> list[OfflineStage]:
    """Every example stage, and the dev stage speaking English and Korean."""
    both = copy.deepcopy(context)
    both["stages"]["dev"].update(languages=["en-US", "ko-KR"], languageMenu=True)
    return [load_stage(context, name).offline for name in context["stages"]] + [
        load_stage(both, "dev").offline
    ]


@pytest.fixture(scope="module")
def documents(context: dict[str, Any]) -> list[tuple[OfflineStage, str, dict[str, Any]]]:
    return [(stage, key, stage.render(key)) for stage in stages(context) for key in stage.flow_keys]


def of_type(document: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [action for action in document["Actions"] if action["Type"] == kind]


def error_target(action: dict[str, Any], error: str) -> str | None:
    return next(
        (e["NextAction"] for e in entries(action, "Errors") if e["ErrorType"] == error), None
    )


def test_every_transfer_to_flow_carries_the_consoles_next_action(
    documents: list[tuple[OfflineStage, str, dict[str, Any]]],
) -> None:
    transfers = [
        (key, action) for _, key, doc in documents for action in of_type(doc, "TransferToFlow")
    ]
    assert transfers  # the two-language stage hands callers on
    for key, action in transfers:
        target = error_target(action, NO_MATCHING_ERROR)
        assert target is not None, key
        assert transitions(action).get("NextAction") == target, (key, action["Identifier"])


def test_every_check_metric_data_declares_both_errors_leading_where_next_action_does(
    documents: list[tuple[OfflineStage, str, dict[str, Any]]],
) -> None:
    checks = [(key, a) for _, key, doc in documents for a in of_type(doc, "CheckMetricData")]
    assert checks
    for key, action in checks:
        fallback = transitions(action)["NextAction"]
        assert error_target(action, NO_MATCHING_CONDITION) == fallback, key
        assert error_target(action, NO_MATCHING_ERROR) == fallback, key


def test_every_flow_enables_flow_logging_first(
    documents: list[tuple[OfflineStage, str, dict[str, Any]]],
) -> None:
    assert any(stage.spec(key).is_survey for stage, key, _ in documents)
    for _, key, document in documents:
        start = next(a for a in document["Actions"] if a["Identifier"] == document["StartAction"])
        assert start["Type"] == "UpdateFlowLoggingBehavior", key
        assert start["Parameters"] == {"FlowLoggingBehavior": "Enabled"}, key


def test_every_queue_transfer_error_marks_the_call_ended_before_the_apology(
    documents: list[tuple[OfflineStage, str, dict[str, Any]]],
) -> None:
    inbound = [(key, doc) for stage, key, doc in documents if stage.spec(key).is_inbound]
    assert inbound
    for key, document in inbound:
        actions = {a["Identifier"]: a for a in document["Actions"]}
        transfer = actions["transfer-to-queue"]
        for error in (QUEUE_AT_CAPACITY, NO_MATCHING_ERROR):
            mark = actions[str(error_target(transfer, error))]
            # THEN the error leads first to the mark, and from it to the apology
            assert mark["Type"] == "UpdateContactAttributes", (key, error)
            assert mark["Parameters"]["Attributes"] == {ENDED_IN_FLOW_ATTRIBUTE: TRUE}
            apology = actions[mark["Transitions"]["NextAction"]]
            assert apology["Type"] == "MessageParticipant", (key, error)
            assert error_target(mark, NO_MATCHING_ERROR) == apology["Identifier"]
