"""`connect-survey render`, `lint` and `simulate` take every flow key the stage deploys: the six
flows of its default language and, per further language it lists, their copies (`-ko-kr`)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import pytest

from connect_survey import cli
from connect_survey.cli.common import stage_from
from connect_survey.flows.catalog import FLOW_KEYS, FOLLOW_UP_TASK
from connect_survey.flows.languages import KOREAN, LANGUAGES
from connect_survey.flows.offline import UnknownFlowKeyError
from tests.cli.test_cli import ROOT, one_line_error, run

if TYPE_CHECKING:
    from pathlib import Path

KOREAN_KEYS = tuple(f"{key}-ko-kr" for key in FLOW_KEYS)


@pytest.fixture(autouse=True)
def in_project_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)


@pytest.fixture
def bilingual(tmp_path: Path) -> str:
    """A cdk.json whose dev stage speaks English and Korean (twelve flows)."""
    document = json.loads((ROOT / "cdk.json").read_text(encoding="utf-8"))
    document["context"]["stages"]["dev"].update(languages=["en-US", "ko-KR"], languageMenu=True)
    path = tmp_path / "cdk.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    return str(path)


def test_render_prints_a_korean_flow_of_a_two_language_stage(
    capsys: pytest.CaptureFixture[str], bilingual: str
) -> None:
    # WHEN the Korean opt-in survey of a two-language stage is rendered
    code, out, err = run(capsys, "render", "opt-in-survey-ko-kr", "--config", bilingual)

    # THEN stdout is that flow, speaking Korean in the Korean voice
    assert code == 0
    document = json.loads(out)
    voices = [
        action["Parameters"]["TextToSpeechVoice"]
        for action in document["Actions"]
        if action["Type"] == "UpdateContactTextToSpeechVoice"
    ]
    assert voices and set(voices) == {"Seoyeon"}
    assert LANGUAGES[KOREAN].prompts.survey_intro in out
    assert "Thank you for taking our short survey." not in out
    assert err == ""  # a survey flow names no flow or created queue


def test_render_names_the_korean_disconnect_flow_to_pick_after_import(
    capsys: pytest.CaptureFixture[str], bilingual: str
) -> None:
    # WHEN the Korean opt-in inbound flow is rendered
    code, _, err = run(capsys, "render", "opt-in-inbound-ko-kr", "--config", bilingual)

    # THEN stderr says to re-pick the Korean survey flow as the disconnect flow
    assert code == 0
    assert err.splitlines()[-1].endswith("set disconnect flow: pick survey-dev-opt-in-survey-ko-kr")


@pytest.mark.parametrize(
    "argv",
    [
        ["render", "opt-in-survey-ja-jp"],
        ["lint", "opt-in-survey-ja-jp"],
        ["simulate", "opt-in-survey-ja-jp"],
    ],
    ids=["render", "lint", "simulate"],
)
def test_unknown_flow_key_is_one_line_listing_the_stages_keys(
    capsys: pytest.CaptureFixture[str], bilingual: str, argv: list[str]
) -> None:
    # GIVEN a stage in English and Korean
    # WHEN a command is given a key of a language the stage does not list
    err = one_line_error(*run(capsys, *argv, "--config", bilingual))

    # THEN the one line names the key, the stage and every flow key it deploys
    assert "'opt-in-survey-ja-jp' is" in err
    assert "flow key of stage dev" in err
    for key in (*FLOW_KEYS, *KOREAN_KEYS):
        assert key in err


def test_korean_key_of_a_one_language_stage_is_one_line_listing_its_own_keys(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    # GIVEN a dev stage that speaks only English (the example also speaks Korean)
    document = json.loads((ROOT / "cdk.json").read_text(encoding="utf-8"))
    document["context"]["stages"]["dev"].pop("languages", None)
    english = tmp_path / "cdk.json"
    english.write_text(json.dumps(document), encoding="utf-8")
    # WHEN a Korean flow is rendered
    err = one_line_error(*run(capsys, "render", "opt-in-survey-ko-kr", "--config", str(english)))

    # THEN the line lists the flows it has (the task flow and the six), and no Korean one
    assert f"choose one of {', '.join((FOLLOW_UP_TASK, *FLOW_KEYS))}\n" in err


def test_lint_passes_every_flow_of_a_two_language_stage(
    capsys: pytest.CaptureFixture[str], bilingual: str
) -> None:
    # WHEN all twelve flow keys of the two-language stage are linted as rendered
    code, out, _ = run(capsys, "lint", *FLOW_KEYS, *KOREAN_KEYS, "--config", bilingual)

    # THEN none has an error, and the only warnings are the language hand-off's missing
    # NextAction (console exports carry one on TransferToFlow; issue 17 C.1 adds it to the
    # template, and then this stage has no finding at all)
    *findings, summary = out.splitlines()
    assert code == 0 and summary.startswith("12 flows, 0 errors, ")
    assert all(
        ": to-ko-KR: console-next-action: no NextAction: console exports of TransferToFlow" in line
        for line in findings
    ), out


def test_lint_of_files_alone_needs_no_stage(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # GIVEN a flow file, in a folder without cdk.json
    path = tmp_path / "flow.json"
    path.write_text(json.dumps(cli_flow()), encoding="utf-8")
    monkeypatch.chdir(tmp_path)

    # WHEN it is linted
    code, out, _ = run(capsys, "lint", str(path))

    # THEN it is checked without a stage
    assert (code, out) == (0, "1 flow, 0 errors, 0 warnings\n")


def test_simulate_plays_a_korean_survey_flow_by_its_key(
    capsys: pytest.CaptureFixture[str], bilingual: str
) -> None:
    # WHEN the Korean on-demand survey is played as the disconnect flow, answering 5, 4, 3
    code, out, _ = run(
        capsys, "simulate", "on-demand-survey-ko-kr", "--config", bilingual,
        "--keys", "5,4,3", "--json",
    )  # fmt: skip

    # THEN the Korean questions are asked, and the answers stored in the usual attributes
    report = json.loads(out)
    assert code == 0
    assert report["language"] == "ko-KR"
    assert report["flows"] == ["on-demand-survey-ko-kr"]
    assert LANGUAGES[KOREAN].questions["effort"] in report["prompts"]
    assert [r["attribute"] for r in report["results"]] == [
        "EffortScore", "PromoterScore", "SatisfactionScore",
    ]  # fmt: skip


def test_simulate_json_reports_the_language_the_caller_chose(
    capsys: pytest.CaptureFixture[str], bilingual: str
) -> None:
    # WHEN a caller of the two-language stage presses 2 (Korean) in the language menu
    code, out, _ = run(
        capsys, "simulate", "opt-in-inbound", "--config", bilingual, "--keys", "2,1,2", "--json"
    )

    # THEN the report's language is the one the call went on in, not the stage's default
    assert code == 0
    assert json.loads(out)["language"] == "ko-KR"


def test_fail_action_accepts_an_action_of_a_korean_flow(
    capsys: pytest.CaptureFixture[str], bilingual: str
) -> None:
    # WHEN a call fails the Korean inbound flow's queue transfer
    code, out, _ = run(
        capsys, "simulate", "on-demand-inbound-ko-kr", "--config", bilingual, "--keys", "1",
        "--fail-action", "transfer-to-queue", "--json",
    )  # fmt: skip

    # THEN the call takes the error branch, in Korean
    assert code == 0
    prompts = " ".join(json.loads(out)["prompts"])
    assert LANGUAGES[KOREAN].prompts.transfer_error in prompts


@pytest.mark.parametrize("command", ["render", "lint", "simulate"])
def test_help_explains_the_flow_keys_of_further_languages(
    capsys: pytest.CaptureFixture[str], command: str
) -> None:
    # WHEN a command's help is asked for
    with pytest.raises(SystemExit):
        cli.parser().parse_args([command, "--help"])

    # THEN it names the six keys and the per-language keys
    out = " ".join(capsys.readouterr().out.split()).replace("- ", "-")  # argparse's wrapping
    assert "escalation-inbound, and for each further language the stage lists the same keys" in out
    assert "e.g. opt-in-survey-ko-kr" in out


def cli_flow() -> dict[str, object]:
    return {
        "Version": "2019-10-30",
        "StartAction": "bye",
        "Actions": [
            {"Identifier": "bye", "Type": "DisconnectParticipant", "Parameters": {},
             "Transitions": {}},
        ],
    }  # fmt: skip


def test_simulate_language_the_stage_lists_arrives_as_the_contacts_language_code(
    capsys: pytest.CaptureFixture[str], bilingual: str
) -> None:
    # WHEN a call to the two-language stage's opt-in inbound flow is simulated with --language
    code, out, _ = run(
        capsys, "simulate", "opt-in-inbound", "--config", bilingual, "--language", "ko-KR",
        "--keys", "1,1,4,5,3", "--json",
    )  # fmt: skip

    # THEN the deployed flows play it as Connect would: handed to the Korean flows, no menu
    report = json.loads(out)
    assert code == 0
    assert report["language"] == "ko-KR"
    assert report["flows"] == ["opt-in-inbound", "opt-in-inbound-ko-kr", "opt-in-survey-ko-kr"]
    assert "For English, press 1." not in report["prompts"]
    assert report["attributes"]["SurveyLanguage"] == "ko-KR"


def test_offline_stage_names_its_flows_for_an_unknown_key(bilingual: str) -> None:
    stage = stage_from(cli.parser().parse_args(["render", "x", "--config", bilingual]))
    with pytest.raises(UnknownFlowKeyError) as raised:
        stage.render("opt-in-survey-ja-jp")
    assert str(raised.value) == (
        f"flow opt-in-survey-ja-jp: not a flow of stage dev; its flows are "
        f"{', '.join(stage.flow_keys)}"
    )
    assert len(stage.flow_keys) == 13  # six per language and the follow-up task flow
