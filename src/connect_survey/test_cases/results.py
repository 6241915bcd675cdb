"""A case's verdict, said the same way by both runtimes: one line, JSON, and JUnit XML.

Offline (`connect-survey test`) and live (`connect-survey verify --live-tests`) print the same
lines, so a case that passes in one and fails in the other shows up side by side.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from xml.etree import ElementTree

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence
    from pathlib import Path


class Verdict(enum.StrEnum):
    PASS = "PASS"
    FAIL = "FAIL"  # the case ran; an observation or assertion did not hold
    REFUSED = "REFUSED"  # the case is outside the documented language: it never ran


@dataclass(frozen=True)
class CaseResult:
    """What one run of one case came to."""

    name: str
    verdict: Verdict
    observations: int = 0  # observations matched (PASS: all of them)
    milliseconds: int = 0
    observation: str | None = None  # FAIL: the observation that did not hold
    reason: str = ""  # FAIL/REFUSED: what went wrong, in one line
    runtime: str = "offline"  # or "live"
    transcript: Sequence[Any] = field(default_factory=tuple)  # what happened, for --json
    logged: Sequence[Any] = field(default_factory=tuple)  # LogData values

    @property
    def passed(self) -> bool:
        return self.verdict is Verdict.PASS

    def line(self) -> str:
        """`PASS name (N observations, T ms)` or `FAIL name: observation X: reason`."""
        if self.verdict is Verdict.PASS:
            noun = "observation" if self.observations == 1 else "observations"
            return f"PASS {self.name} ({self.observations} {noun}, {self.milliseconds} ms)"
        where = f"observation {self.observation}: " if self.observation else ""
        return f"{self.verdict} {self.name}: {where}{self.reason}"

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "verdict": str(self.verdict),
            "runtime": self.runtime,
            "observations": self.observations,
            "milliseconds": self.milliseconds,
            "observation": self.observation,
            "reason": self.reason,
            "logged": list(self.logged),
            "transcript": list(self.transcript),
        }


def exit_status(results: Iterable[CaseResult]) -> int:
    """0 when all pass, 2 when a case is refused, else 1 on any failure."""
    verdicts = {result.verdict for result in results}
    if Verdict.REFUSED in verdicts:
        return 2
    return 1 if Verdict.FAIL in verdicts else 0


def write_junit(results: Sequence[CaseResult], path: Path, *, suite: str) -> None:
    """JUnit XML (one testsuite, a testcase per case) as CodeBuild reports and GitHub read it."""
    failures = sum(r.verdict is Verdict.FAIL for r in results)
    errors = sum(r.verdict is Verdict.REFUSED for r in results)
    root = ElementTree.Element(
        "testsuite",
        name=suite,
        tests=str(len(results)),
        failures=str(failures),
        errors=str(errors),
        time=f"{sum(r.milliseconds for r in results) / 1000:.3f}",
    )
    for result in results:
        case = ElementTree.SubElement(
            root,
            "testcase",
            classname=f"{suite}.{result.runtime}",
            name=result.name,
            time=f"{result.milliseconds / 1000:.3f}",
        )
        if result.verdict is Verdict.FAIL:
            ElementTree.SubElement(case, "failure", message=result.line()).text = result.reason
        elif result.verdict is Verdict.REFUSED:
            ElementTree.SubElement(case, "error", message=result.line()).text = result.reason
    ElementTree.indent(root)
    path.write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        + ElementTree.tostring(root, encoding="unicode")
        + "\n",
        encoding="utf-8",
    )
