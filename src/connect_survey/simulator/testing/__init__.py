"""Amazon Connect test cases played offline: Connect's test-runner semantics on simulated calls.

`connect-survey test` runs `run_cases`; `record` turns a simulated call into a case file.
"""

from __future__ import annotations

from connect_survey.simulator.testing.runner import (
    CaseRunner,
    OfflineRefusalError,
    case_runner,
    run_cases,
)

__all__ = ["CaseRunner", "OfflineRefusalError", "case_runner", "run_cases"]
