"""`connect-survey report` and `generate-ctrs` end to end: output shapes, filters, bad input."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from typing import TYPE_CHECKING, Any

import pytest
from matplotlib import image

from connect_survey import PROJECT_ROOT, cli
from connect_survey.reports.output import (
    FOLLOW_UP_CHART,
    FOLLOW_UP_RATE_COLOUR,
    LANGUAGE_CHART,
    OUTCOME_COLOURS,
    RESPONSE_CHART,
)
from connect_survey.reports.queries import GROUPINGS
from tests.reports.conftest import records, reference

if TYPE_CHECKING:
    from pathlib import Path

    from numpy.typing import NDArray

    from connect_survey.lambda_asset.survey.definition import SurveyDefinition

# `--json` count -> the reference's name for it.
JSON_COUNTS = {
    "contacts": "contacts", "offered": "offered", "answered": "answered",
    "skipped": "skipped", "skippedBySampling": "skipped_sampling",
    "skippedByCooldown": "skipped_cooldown", "skippedWithheldNumber": "skipped_withheld",
    "undecided": "undecided",
}  # fmt: skip

FOLLOW_UP_COUNTS = {
    "lowScoreContacts": "low_score_contacts", "followedUp": "followed_up",
    "notFollowedUp": "not_followed_up",
}  # fmt: skip
FOLLOW_UP_RATIOS = {
    "followUpRate": "follow_up_rate", "followUpMinutesMedian": "follow_up_minutes_median",
    "followUpMinutesP90": "follow_up_minutes_p90",
}  # fmt: skip

# The top of the page, as the README shows it (docs/images/report.png).
README_SHOT = PROJECT_ROOT / "docs" / "images" / "report.png"
README_SHOT_HEIGHT = 1500
CHROMIUM_FLAGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-dev-shm-usage",
)  # fmt: skip


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_json_has_overall_and_every_grouping_with_the_documented_figures(
    ctr_folders: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "report", str(ctr_folders["parquet"]), "--json")
    report = json.loads(out)
    assert code == 0
    assert list(report)[:6] == ["overall", *GROUPINGS]
    figures = [
        "contacts", "offered", "answered", "responseRate", "skipped", "skippedBySampling",
        "skippedByCooldown", "skippedWithheldNumber", "undecided", "csat", "nps", "ces",
        "lowScoreContacts", "followedUp", "followUpRate", "followUpMinutesMedian",
        "followUpMinutesP90", "notFollowedUp",
    ]  # fmt: skip
    assert list(report["overall"]) == figures
    assert all(list(group) == figures for name in GROUPINGS for group in report[name].values())
    assert "amira.haddad" in report["byAgent"]
    assert set(report["byMode"]) >= {"on-demand", "opt-in", "escalation"}
    assert set(report["byLanguage"]) >= {"en-US", "ko-KR"}
    assert report["lowScores"][0]["language"] in report["byLanguage"]
    assert {c["followUp"] for c in report["notFollowedUpContacts"]} == {"expired", "ended", "open"}
    assert len(report["notFollowedUpContacts"]) == report["overall"]["notFollowedUp"]


def test_json_figures_per_language_and_skip_reason_equal_python(
    ctr_folders: dict[str, Path], survey: SurveyDefinition, capsys: pytest.CaptureFixture[str]
) -> None:
    # GIVEN the independent computation of the same records
    expected = reference(records(), survey)

    # WHEN the report runs
    _, out, _ = run(capsys, "report", str(ctr_folders["parquet"]), "--json")
    report = json.loads(out)

    # THEN every language's figures and every contact skipped, by reason, agree
    assert set(report["byLanguage"]) == set(expected["byLanguage"])
    for name, figures in [("all", report["overall"]), *report["byLanguage"].items()]:
        python = expected["overall" if name == "all" else "byLanguage"][name]
        assert [figures[k] for k in JSON_COUNTS] == [python[k] for k in JSON_COUNTS.values()]
        assert figures["responseRate"] == pytest.approx(python["response_rate"], abs=0.005)
    assert report["overall"]["skippedBySampling"] > 0  # the generator samples, too


def test_mode_filter_keeps_the_skipped_contacts_of_that_mode(
    ctr_folders: dict[str, Path], survey: SurveyDefinition, capsys: pytest.CaptureFixture[str]
) -> None:
    expected = reference(records(), survey)["byMode"]["opt-in"]
    _, out, _ = run(capsys, "report", str(ctr_folders["json"]), "--json", "--mode", "opt-in")
    overall = json.loads(out)["overall"]
    assert [overall[k] for k in JSON_COUNTS] == [expected[k] for k in JSON_COUNTS.values()]


def test_filters_narrow_the_report(
    ctr_folders: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    _, out, _ = run(
        capsys, "report", str(ctr_folders["json"]), "--json", "--queue", "sales",
        "--mode", "opt-in", "--from", "2026-03-05", "--to", "2026-03-06",
    )  # fmt: skip
    report = json.loads(out)
    assert set(report["byQueue"]) == {"sales"}
    assert set(report["byMode"]) == {"opt-in"}
    assert set(report["byDay"]) == {"2026-03-05", "2026-03-06"}


def test_bad_records_are_named_by_file_and_line_and_the_rest_is_reported(
    tmp_path: Path, ctr_folders: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    # GIVEN good data beside a file with a broken line, a non-CTR and a CTR without a survey
    shutil.copytree(ctr_folders["json"], tmp_path / "data")
    bad = tmp_path / "data" / "bad.jsonl"
    bad.write_text(
        '{"ContactId": "x", "InitiationTimestamp": "2026-03-01T10:00:00Z",'
        ' "Attributes": {"SurveyStatus": "offered"}}\n'
        "{not json\n"
        '{"hello": "world"}\n'
        '{"ContactId": "y", "InitiationTimestamp": "2026-03-01T10:00:00Z", "Attributes": {}}\n'
    )
    # WHEN the folder is reported
    code, out, err = run(capsys, "report", str(tmp_path / "data"), "--json")

    # THEN each bad line is named, and the good records are all counted
    assert code == 0
    assert f"skipped {bad}:2: not valid JSON" in err
    assert f"skipped {bad}:3: not a contact record (no ContactId)" in err
    assert f"skipped {bad}:4: contact record without survey attributes" in err
    _, clean, _ = run(capsys, "report", str(ctr_folders["json"]), "--json")
    assert json.loads(out)["overall"]["contacts"] == json.loads(clean)["overall"]["contacts"] + 1


def test_empty_folder_is_named_and_fails(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(capsys, "report", str(tmp_path))
    assert code == 1
    assert f"skipped {tmp_path}: folder holds no files" in err


def test_a_wrong_date_is_one_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(capsys, "report", str(tmp_path), "--from", "2026-13-01")
    assert code == 2
    assert err.count("\n") == 1
    assert "'2026-13-01' is not a date; write YYYY-MM-DD" in err


def test_generate_then_report_gives_a_full_report_in_two_commands(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "generate-ctrs", str(tmp_path / "ctr"), "--count", "2000")
    assert code == 0
    assert out.startswith("wrote 2000 contact records")
    code, out, _ = run(capsys, "report", str(tmp_path / "ctr"))
    assert code == 0
    assert "CSAT %" in out
    assert "grace.lee" in out
    assert "follow-up %" in out and "not followed up" in out


def test_html_report_renders_its_charts_in_a_headless_browser(
    ctr_folders: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # GIVEN an HTML report
    page = tmp_path / "report.html"
    code, _, _ = run(capsys, "report", str(ctr_folders["parquet"]), "--html", str(page))
    assert code == 0
    text = page.read_text()
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:|//)""", text)  # nothing to fetch
    assert "<script" not in text
    browser = shutil.which("chromium")
    if browser is None:  # make test installs no system package; .ci/run installs Chromium
        if os.environ.get("CONNECT_SURVEY_REQUIRE_BROWSER"):
            pytest.fail("CONNECT_SURVEY_REQUIRE_BROWSER is set but no chromium is on PATH")
        pytest.skip("no chromium on PATH: install Debian's chromium to check the HTML report")

    # WHEN Chromium loads it with no network and dumps the DOM it built
    result = subprocess.run(
        [browser, *CHROMIUM_FLAGS, f"--user-data-dir={tmp_path / 'profile'}",
         "--dump-dom", page.as_uri()],
        capture_output=True, text=True, timeout=120, check=True,
    )  # fmt: skip

    # THEN the six charts are there, each an SVG with drawn paths, and the tables per language
    dom = result.stdout
    assert dom.count('<figure class="chart">') == 6
    assert dom.count("<svg") >= 6
    for title in ("CSAT, NPS and CES per day", "CSAT and NPS per agent", LANGUAGE_CHART,
                  "Score distribution per question", RESPONSE_CHART, FOLLOW_UP_CHART):  # fmt: skip
        assert title in dom
    assert dom.count("<path") > 100
    assert "<h2>Per language</h2>" in dom and "<td>ko-KR</td>" in dom
    assert "<th>by cooldown</th>" in dom
    assert "<th>follow-up %</th>" in dom and "<th>p90 min</th>" in dom
    assert re.search(r"<h2>Not followed up \(\d+\)</h2>", dom)
    assert "<td>expired</td>" in dom

    # WHEN a person looks at the page (a screenshot tall enough for the charts)
    shot = tmp_path / "page.png"
    subprocess.run(
        [browser, *CHROMIUM_FLAGS, f"--user-data-dir={tmp_path / 'profile'}",
         "--window-size=1100,3200", f"--screenshot={shot}", page.as_uri()],
        capture_output=True, text=True, timeout=120, check=True,
    )  # fmt: skip
    pixels = image.imread(shot)[:, :, :3]

    # THEN the response chart shows each outcome the data has, in its own colour
    for label in ("answered", "offered, no answer", "skipped by sampling",
                  "skipped by cooldown", "skipped: withheld number"):  # fmt: skip
        colour = OUTCOME_COLOURS[label]
        rgb = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
        close = (abs(pixels - rgb) < 0.02).all(axis=2)
        assert close.sum() > 200, f"{label} bars are not visible"

    # AND the follow-up chart shows each day's follow-up rate as bars
    rgb = [int(FOLLOW_UP_RATE_COLOUR[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    assert (abs(pixels - rgb) < 0.02).all(axis=2).sum() > 2000, "follow-up bars are not visible"
    keep_readme_screenshot(pixels[:README_SHOT_HEIGHT])


def keep_readme_screenshot(pixels: NDArray[Any]) -> None:
    """Replace the README's picture of the report when the page looks different (git shows it).

    Compared by pixels, not bytes: a re-encoded but identical page leaves the file alone.
    """
    if README_SHOT.exists():
        committed = image.imread(README_SHOT)[:, :, :3]
        if committed.shape == pixels.shape and abs(committed - pixels).mean() < 0.001:
            return
    README_SHOT.parent.mkdir(parents=True, exist_ok=True)
    image.imsave(README_SHOT, pixels)


def test_simulated_calls_write_ctrs_the_report_reads(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # GIVEN two simulated opt-in calls answered 5,4,3 and 2,1,1, their CTRs written out
    for seed, keys in ((1, "1,1,5,4,3"), (2, "1,1,2,1,1")):
        code, _, _ = run(
            capsys, "simulate", "opt-in-inbound", "--keys", keys, "--seed", str(seed),
            "--ctr-out", str(tmp_path),
        )  # fmt: skip
        assert code == 0
    record = json.loads(next(tmp_path.iterdir()).read_text())
    for field in ("ContactId", "InitialContactId", "Channel", "InitiationTimestamp",
                  "DisconnectTimestamp", "Agent", "Queue", "Attributes",
                  "AWSContactTraceRecordFormatVersion"):  # fmt: skip
        assert field in record

    # WHEN they are reported
    _, out, _ = run(capsys, "report", str(tmp_path), "--json")
    overall = json.loads(out)["overall"]

    # THEN the scores the handlers stored drive the metrics (CSAT 3 and 1: none satisfied)
    assert (overall["contacts"], overall["answered"]) == (2, 2)
    assert overall["csat"] == 0.0
    assert overall["nps"] == -50.0  # one 4 (passive), one 1 (detractor)
    assert overall["ces"] == {"mean": 3.5, "share": 50.0}
    assert set(json.loads(out)["byQueue"]) == {"sales"}
    assert set(json.loads(out)["byLanguage"]) == {"en-US"}  # the flows' SurveyLanguage
    assert overall["skipped"] == 0


def test_a_simulated_call_skipped_by_cooldown_counts_as_skipped_not_offered(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # GIVEN a simulated Korean caller surveyed 3 days ago (30-day cooldown), and one offered
    for seed, days_ago in ((1, "3"), (2, "40")):
        code, _, _ = run(
            capsys, "simulate", "opt-in-inbound", "--keys", "1,1,5,5,5", "--language", "ko-KR",
            "--caller-surveyed-days-ago", days_ago, "--seed", str(seed),
            "--ctr-out", str(tmp_path),
        )  # fmt: skip
        assert code == 0

    # WHEN their CTRs are reported
    _, out, _ = run(capsys, "report", str(tmp_path), "--json")
    report = json.loads(out)

    # THEN one was skipped for the cooldown (the flow records why) and the rate counts the other
    overall = report["overall"]
    assert (overall["contacts"], overall["offered"], overall["answered"]) == (2, 1, 1)
    assert overall["skipped"] == overall["skippedByCooldown"] == 1
    assert overall["skippedBySampling"] == overall["skippedWithheldNumber"] == 0
    assert overall["responseRate"] == 100.0
    assert report["byLanguage"]["ko-KR"]["skippedByCooldown"] == 1


def test_a_missing_input_path_is_one_line_and_exit_2(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    # GIVEN a path that does not exist
    missing = tmp_path / "no-such-folder"

    # WHEN it is reported on
    code, out, err = run(capsys, "report", str(missing))

    # THEN one line names it, with no empty report, and the exit status is a usage mistake
    assert code == 2 and out == ""
    assert err.strip().splitlines() == [
        f"connect-survey: no such file or folder: {missing}; give the CTR files or folders to "
        "report on (e.g. from generate-ctrs or simulate --ctr-out)"
    ]


def test_follow_up_figures_equal_python_on_records_never_seen(
    tmp_path: Path, survey: SurveyDefinition, capsys: pytest.CaptureFixture[str]
) -> None:
    # GIVEN records no other test uses (another seed, period and size), tasks included
    code, _, _ = run(
        capsys, "generate-ctrs", str(tmp_path / "ctr"), "--count", "6000", "--days", "9",
        "--last-day", "2026-05-20", "--seed", "2024", "--format", "jsonl",
    )  # fmt: skip
    assert code == 0
    lines = (tmp_path / "ctr" / "ctr.jsonl").read_text().splitlines()
    fresh = [json.loads(line) for line in lines]
    expected = reference(fresh, survey)

    # WHEN they are reported
    _, out, _ = run(capsys, "report", str(tmp_path / "ctr"), "--json")
    report = json.loads(out)

    # THEN every day's, queue's and (surveyed) agent's follow-up equals the plain computation
    for grouping in ("overall", "byDay", "byQueue", "byAgent", "byMode", "byLanguage"):
        groups = {"all": report["overall"]} if grouping == "overall" else report[grouping]
        assert set(groups) == set(expected[grouping]), grouping
        for name, figures in groups.items():
            python = expected[grouping][name]
            assert [figures[k] for k in FOLLOW_UP_COUNTS] == [
                python[k] for k in FOLLOW_UP_COUNTS.values()
            ], (grouping, name)
            for key, reference_key in FOLLOW_UP_RATIOS.items():
                want = python[reference_key]
                assert figures[key] == (None if want is None else pytest.approx(want, abs=0.005))
    overall = report["overall"]
    assert overall["followedUp"] > 0 and overall["notFollowedUp"] > 0
    assert overall["followUpMinutesMedian"] < overall["followUpMinutesP90"]
    assert {"TASK", "VOICE"} == {record["Channel"] for record in fresh}
    assert any(record["DisconnectReason"] == "EXPIRED" for record in fresh)
