"""`connect-survey simulate` options of the languages and sampling work: --language, --seed,
--caller-surveyed-days-ago, and what --json reports about them."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import pytest

from connect_survey import PROJECT_ROOT
from tests.cli.test_cli import run

if TYPE_CHECKING:
    from pathlib import Path


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


def test_simulate_keys_answer_the_language_menu(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    # GIVEN a cdk.json whose dev stage speaks English and Korean with the language menu
    document = json.loads((PROJECT_ROOT / "cdk.json").read_text(encoding="utf-8"))
    document["context"]["stages"]["dev"].update(languages=["en-US", "ko-KR"], languageMenu=True)
    config = tmp_path / "cdk.json"
    config.write_text(json.dumps(document), encoding="utf-8")

    # WHEN a call is simulated with 2 (Korean) as the first key, then the menu and the answers
    code, out, _ = run(
        capsys, "simulate", "on-demand-inbound", "--config", str(config),
        "--keys", "2,1,4,5,3", "--json",
    )  # fmt: skip

    # THEN the call went on in Korean, in the Korean flows
    report = json.loads(out)
    assert code == 0
    assert report["prompts"][0] == "For English, press 1."
    assert "전화해 주셔서 감사합니다." in report["prompts"]
    assert "on-demand-survey-ko-kr" in json.dumps(report)


def test_simulate_seed_makes_sampling_reproducible(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    # GIVEN a cdk.json whose dev stage samples 30 % of callers
    document = json.loads((PROJECT_ROOT / "cdk.json").read_text(encoding="utf-8"))
    document["context"]["stages"]["dev"]["sampling"] = {"percent": 30}
    config = tmp_path / "cdk.json"
    config.write_text(json.dumps(document), encoding="utf-8")

    def decision(seed: int) -> str:
        code, out, _ = run(
            capsys, "simulate", "opt-in-inbound", "--config", str(config), "--keys", "1,2",
            "--seed", str(seed), "--json",
        )  # fmt: skip
        assert code == 0
        return str(json.loads(out)["eligibility"]["decision"])

    # WHEN the same call is played with seeds 0 to 3, twice each
    first = [decision(seed) for seed in range(4)]
    again = [decision(seed) for seed in range(4)]

    # THEN each seed decides the same way both times, and the seeds do not all agree
    assert first == again
    assert set(first) == {"offered", "skipped_by_sampling"}
