"""`connect-survey simulate` options of the languages and sampling work: --language, --seed,
--caller-surveyed-days-ago, and what --json reports about them."""

from __future__ import annotations

import json

import pytest

from tests.test_cli import run


def test_simulate_language_plays_the_call_in_korean_and_reports_it(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # WHEN an on-demand call is simulated with --language ko-KR
    code, out, _ = run(
        capsys, "simulate", "on-demand-inbound", "--language", "ko-KR", "--keys", "1,4,5,3",
        "--json",
    )  # fmt: skip

    # THEN the prompts are Korean and the report names the language and the eligibility decision
    report = json.loads(out)
    assert code == 0
    assert report["language"] == "ko-KR"
    assert "전화해 주셔서 감사합니다." in report["prompts"]
    assert report["eligibility"]["decision"] == "offered"


def test_simulate_rejects_a_language_without_texts_with_exit_code_2(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, err = run(capsys, "simulate", "on-demand-inbound", "--language", "fr-FR")
    assert code == 2
    assert out == ""
    assert err.startswith("connect-survey: stages.dev.language: 'fr-FR' has no built-in")
    assert err.count("\n") == 1


@pytest.mark.parametrize(("days", "decision"), [("3", "skipped_by_cooldown"), ("40", "offered")])
def test_simulate_caller_surveyed_days_ago_meets_the_thirty_day_cooldown(
    capsys: pytest.CaptureFixture[str], days: str, decision: str
) -> None:
    # GIVEN the dev stage's 30-day cooldown, and a caller surveyed `days` days ago
    code, out, _ = run(
        capsys, "simulate", "opt-in-inbound", "--keys", "1,1",
        "--caller-surveyed-days-ago", days, "--json",
    )  # fmt: skip

    # THEN the eligibility decision follows the cooldown
    assert code == 0
    assert json.loads(out)["eligibility"]["decision"] == decision
