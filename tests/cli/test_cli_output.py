"""Outputs the CLI cannot write, and what it says about the ones it wrote: one line each."""

from __future__ import annotations

import subprocess
import sys
from typing import TYPE_CHECKING

import pytest

from connect_survey import PROJECT_ROOT, cli

if TYPE_CHECKING:
    from pathlib import Path


@pytest.fixture(autouse=True)
def in_project_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(PROJECT_ROOT)


@pytest.fixture
def ctr_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    """One simulated call's contact record."""
    folder = tmp_path / "ctr"
    argv = ["simulate", "on-demand-survey", "--keys", "1,2,3", "--ctr-out", str(folder)]
    assert cli.main(argv) == 0
    capsys.readouterr()
    return folder


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="/dev/full is Linux's")
def test_a_full_standard_output_is_one_line_and_exit_2() -> None:
    # WHEN render writes to a device that is always full
    with open("/dev/full", "w") as full:  # noqa: PTH123
        done = subprocess.run(
            [sys.executable, "-m", "connect_survey.cli", "render", "on-demand-survey"],
            stdout=full, stderr=subprocess.PIPE, text=True, cwd=PROJECT_ROOT, check=False,
        )  # fmt: skip

    # THEN one line says so, no traceback, exit 2
    assert done.returncode == 2
    assert done.stderr == "connect-survey: cannot write standard output: No space left on device\n"


def test_an_html_page_in_a_missing_folder_is_one_line_and_exit_2(
    ctr_folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    page = tmp_path / "missing" / "r.html"
    code = cli.main(["report", str(ctr_folder), "--html", str(page)])
    err = capsys.readouterr().err
    assert code == 2
    assert err == f"connect-survey: cannot write {page}: No such file or directory\n"


def test_report_html_says_where_it_wrote(
    ctr_folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    page = tmp_path / "r.html"
    code = cli.main(["report", str(ctr_folder), "--html", str(page), "--json"])
    captured = capsys.readouterr()
    assert code == 0
    assert page.is_file()
    assert f"wrote {page}\n" in captured.err


def test_report_on_an_empty_folder_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = cli.main(["report", str(tmp_path)])
    captured = capsys.readouterr()
    assert code == 1
    assert captured.out == ""
    assert captured.err == (
        f"connect-survey: no survey contacts; skipped {tmp_path}: folder holds no files\n"
    )
