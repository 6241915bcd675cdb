"""The followUp section: validated like every other setting, each mistake naming the setting
and the fix (issue 19)."""

from __future__ import annotations

from typing import Any

import pytest

from connect_survey.config.errors import ConfigError
from connect_survey.config.stage import load_stage
from connect_survey.flows.catalog import FOLLOW_UP_TASK, SUPERVISOR_QUEUE


def with_follow_up(stages: dict[str, Any], follow_up: dict[str, Any]) -> dict[str, Any]:
    stages["dev"]["followUp"] = follow_up
    return {"stages": stages}


def test_empty_follow_up_section_turns_tasks_on_for_the_supervisor_queue(
    stages: dict[str, Any],
) -> None:
    # GIVEN followUp present with nothing in it
    # WHEN the stage is loaded
    stage = load_stage(with_follow_up(stages, {}), "dev").offline

    # THEN tasks are on, go to the supervisor queue, with the built-in texts in both languages,
    # and the task flow is the first of the stage's flows
    assert stage.follow_up is not None
    assert stage.follow_up.queue == SUPERVISOR_QUEUE
    assert list(stage.follow_up.settings.texts) == ["en-US", "ko-KR"]
    assert stage.flows[0].key == FOLLOW_UP_TASK


def test_task_off_deploys_no_task_flow(stages: dict[str, Any]) -> None:
    # GIVEN no followUp at all, and followUp with task off
    off = load_stage(with_follow_up(stages, {"task": False}), "dev").offline
    del stages["dev"]["followUp"]
    absent = load_stage({"stages": stages}, "dev").offline

    # THEN neither has follow-up tasks nor the task flow
    for stage in (absent, off):
        assert stage.follow_up is None
        assert FOLLOW_UP_TASK not in stage.flow_keys


@pytest.mark.parametrize(
    ("follow_up", "message"),
    [
        ({"queue": "billing"}, r"followUp\.queue: 'billing' is not 'supervisor' nor one of the"),
        ({"expiryMinutes": 0}, r"followUp\.expiryMinutes: "),
        ({"expiryMinutes": 20000}, r"followUp\.expiryMinutes: "),
        ({"scheduleDelayMinutes": 9000}, r"followUp\.scheduleDelayMinutes: "),
        (
            {"expiryMinutes": 30, "scheduleDelayMinutes": 30},
            r"followUp\.expiryMinutes: 30 is not after scheduleDelayMinutes \(30\)",
        ),
        (
            {"templates": {"ja-JP": {"name": "n", "description": "{answers} {link}"}}},
            r"followUp\.templates\.ja-JP: 'ja-JP' is not one of the stage's languages",
        ),
        (
            {"templates": {"en-US": {"name": "Low {agent}", "description": "{answers} {link}"}}},
            r"followUp\.templates\.en-US\.name: .*\{agent\} is not a placeholder",
        ),
        (
            {"templates": {"en-US": {"name": "a\nb", "description": "{answers} {link}"}}},
            r"followUp\.templates\.en-US\.name: .*must be one line",
        ),
        (
            {"templates": {"en-US": {"name": "n", "description": "{answers}"}}},
            r"followUp\.templates\.en-US\.description: .*must contain \{link\}",
        ),
        ({"tasks": True}, r"followUp\.tasks: "),
    ],
    ids=[
        "unknown-queue", "expiry-zero", "expiry-over-7-days", "delay-over-6-days",
        "expires-before-routed", "template-language-not-spoken", "unknown-placeholder",
        "two-line-name", "description-without-link", "misspelled-setting",
    ],
)  # fmt: skip
def test_follow_up_mistake_names_the_setting_and_the_fix(
    stages: dict[str, Any], follow_up: dict[str, Any], message: str
) -> None:
    # GIVEN a followUp section with one mistake
    # WHEN the stage is loaded
    with pytest.raises(ConfigError, match=rf"stages\.dev\.{message}"):
        load_stage(with_follow_up(stages, follow_up), "dev")


def test_stage_language_without_built_in_texts_must_bring_its_own(
    stages: dict[str, Any],
) -> None:
    # GIVEN a stage whose texts in one language are its own
    own = {"name": "Niedrige Bewertung {lowest}", "description": "{answers}\n{link}"}
    follow_up = {"templates": {"en-US": own}}

    # WHEN it is loaded
    stage = load_stage(with_follow_up(stages, follow_up), "dev").offline

    # THEN its own texts replace the built-in ones there, and Korean keeps the built-in ones
    assert stage.follow_up is not None
    assert stage.follow_up.settings.texts["en-US"] == (own["name"], own["description"])
    assert stage.follow_up.settings.texts["ko-KR"][0].startswith("낮은 설문 점수")
