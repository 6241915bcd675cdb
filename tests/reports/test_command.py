"""`connect-survey report` and `generate-ctrs` end to end: output shapes, filters, bad input."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from typing import TYPE_CHECKING

import cli
from reports.queries import GROUPINGS

if TYPE_CHECKING:
    from pathlib import Path

    import pytest

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
    assert list(report)[:5] == ["overall", *GROUPINGS]
    assert list(report["overall"]) == [
        "contacts", "offered", "answered", "responseRate", "csat", "nps", "ces",
    ]  # fmt: skip
    assert "amira.haddad" in report["byAgent"]
    assert set(report["byMode"]) >= {"on-demand", "opt-in", "escalation"}


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
    assert browser, "chromium is a test prerequisite: make setup installs it"

    # WHEN Chromium loads it with no network and dumps the DOM it built
    result = subprocess.run(
        [browser, *CHROMIUM_FLAGS, f"--user-data-dir={tmp_path / 'profile'}",
         "--dump-dom", page.as_uri()],
        capture_output=True, text=True, timeout=120, check=True,
    )  # fmt: skip

    # THEN the four charts are there, each an SVG with drawn paths
    dom = result.stdout
    assert dom.count('<figure class="chart">') == 4
    assert dom.count("<svg") >= 4
    for title in ("CSAT, NPS and CES per day", "CSAT and NPS per agent",
                  "Score distribution per question", "Response rate per day"):  # fmt: skip
        assert title in dom
    assert dom.count("<path") > 100


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
