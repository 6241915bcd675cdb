"""The test cases on the instance: what a deployed case is called, and what Connect allows a run.

The stack deploys each case (`infra.live_tests`), the verify role may run them, and
`connect-survey verify --live-tests` runs them; all three read these facts from here.
Limits: https://docs.aws.amazon.com/connect/latest/adminguide/testing-simulation-execute-test-cases.html
(not Service Quotas: they cannot be raised).
"""

from __future__ import annotations

import math
import re
from typing import TYPE_CHECKING, Final

from connect_survey.flows.catalog import resource_name
from connect_survey.test_cases.files import MAX_NAME, CaseFileError

if TYPE_CHECKING:
    from connect_survey.test_cases.files import CaseFile

# Connect runs at most 5 executions per instance at a time and queues up to 100 (the 5 running
# included), rejecting more with ServiceQuotaExceededException (HTTP 402); it ends a run after
# 5 minutes, and a run with no EndTest times out then.
MAX_RUNNING: Final = 5
MAX_QUEUED: Final = 100
MAX_RUN_SECONDS: Final = 300
# How long the runner waits for one case before it stops the run and fails it: Connect's own
# limit plus a minute for starting and for the last records to arrive.
DEFAULT_CASE_TIMEOUT_SECONDS: Final = 360
# Deployed cases are published: Connect validates the content at deploy and runs only those.
PUBLISHED: Final = "PUBLISHED"

# The Connect operations the live runner calls, and so the IAM actions its role is granted
# (the Service Authorization Reference lists none of the test-case actions yet: the names
# follow the operations, as for every other Connect action).
RUNNER_OPERATIONS: Final = (
    "ListTestCases",
    "StartTestCaseExecution",
    "GetTestCaseExecutionSummary",
    "ListTestCaseExecutionRecords",
    "StopTestCaseExecution",
)
RUNNER_ACTIONS: Final = tuple(f"connect:{operation}" for operation in RUNNER_OPERATIONS)


# The pattern AWS publishes for a test case's SourcePhoneNumber (CloudFormation schema and API
# reference alike) is escaped twice: it asks for literal backslashes, so no E.164 number
# matches it. The API itself takes real numbers (reported live), but CloudFormation validates a
# resource against its published schema, so a stack carrying a number would fail to deploy
# (CDK's own validation and cfn-lint refuse it at synth already). A case with a number of its
# own therefore runs offline only, and says so in both runtimes. A test compares this with the
# schema cfn-lint bundles: when AWS fixes the pattern, that test fails and this is updated.
PUBLISHED_PHONE_NUMBER_PATTERN: Final = r"^\\+[1-9]\\d{1,14}$"
UNDEPLOYABLE_NUMBER: Final = (
    "CloudFormation cannot deploy a test case's SourcePhoneNumber yet (AWS publishes its pattern "
    "escaped twice, so it rejects every E.164 number)"
)


def deployable_number(number: str) -> bool:
    """Whether CloudFormation accepts `number` as a test case's SourcePhoneNumber."""
    return re.match(PUBLISHED_PHONE_NUMBER_PATTERN, number) is not None


def offline_only(case: CaseFile) -> str | None:
    """Why `case` cannot be deployed as it is written, or None: it runs in both runtimes."""
    number = case.source_phone_number
    if number is not None and not deployable_number(number):
        return f"not deployed, runs offline only: {UNDEPLOYABLE_NUMBER}"
    return None


def deployed_name(name_prefix: str, case: CaseFile) -> str:
    """`{namePrefix}-{file stem}`: unique per stage, so stages can share an instance."""
    name = resource_name(name_prefix, case.stem)
    if len(name) > MAX_NAME:
        raise CaseFileError(
            case.path,
            f"deployed as {name!r}, longer than Connect's {MAX_NAME} characters; "
            "shorten the file name",
        )
    return name


def run_budget_seconds(cases: int, case_timeout: int = DEFAULT_CASE_TIMEOUT_SECONDS) -> int:
    """The longest a live run of `cases` can take: batches of MAX_RUNNING, each case bounded by
    its timeout (starting and waiting for a slot included)."""
    return math.ceil(cases / MAX_RUNNING) * case_timeout
