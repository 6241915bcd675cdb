"""Run every benchmark and print one line per figure with its target (`python -m bench`)."""

from __future__ import annotations

import io
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING

from connect_survey import PROJECT_ROOT
from connect_survey.infra.asset_bundle import bundle
from connect_survey.infra.handlers import ASSET_DIR

if TYPE_CHECKING:
    from collections.abc import Callable

PY = sys.executable
FAKE_AWS = {
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_EC2_METADATA_DISABLED": "true",
}


def median_seconds(command: list[str], runs: int, env: dict[str, str] | None = None) -> float:
    """Median wall time of a fresh process running `command`."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(command, check=True, env={**os.environ, **(env or {})}, cwd=PROJECT_ROOT)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def cold_import(runs: int = 15) -> tuple[float, float]:
    """Importing a handler as Lambda does vs importing boto3 and building one client."""
    handler = median_seconds(
        [
            PY,
            "-c",
            f"import sys; sys.path.insert(0, {str(ASSET_DIR)!r}); "
            "import survey.score, survey.finish",
        ],
        runs,
        FAKE_AWS,
    )
    baseline = median_seconds(
        [PY, "-c", "import boto3; boto3.client('dynamodb', region_name='us-east-1')"],
        runs,
        FAKE_AWS,
    )
    nothing = median_seconds([PY, "-c", "pass"], runs)
    return handler - nothing, baseline - nothing


def warm_calls(calls: int = 300) -> tuple[float, float]:
    """Per-call time of the score handler on moto vs a bare put_item to moto."""
    os.environ.update(FAKE_AWS)
    import boto3
    from moto import mock_aws

    from connect_survey.lambda_asset.survey import aws, contract, score
    from connect_survey.lambda_asset.survey.definition import SurveyDefinition
    from connect_survey.lambda_asset.survey.items import Answer

    with mock_aws():
        dynamodb = boto3.client("dynamodb", region_name="us-east-1")
        contract.RESULTS_TABLE.create(dynamodb, "results")
        os.environ.update(
            {
                contract.ENV_TABLE: "results",
                contract.ENV_SURVEY: SurveyDefinition().to_env(),
                "POWERTOOLS_METRICS_NAMESPACE": contract.METRICS_NAMESPACE,
                "POWERTOOLS_SERVICE_NAME": "bench",
            }
        )
        aws.reset_clients()

        def event(i: int) -> dict[str, object]:
            return {
                "Name": "ContactFlowEvent",
                "Details": {
                    "ContactData": {"ContactId": f"c-{i}", "Channel": "VOICE", "Attributes": {}},
                    "Parameters": {"question": "effort", "digits": "4"},
                },
            }

        def handler_call(i: int) -> None:
            assert score.handler(event(i), None)["stored"] == "true"

        def bare_put(i: int) -> None:
            item = Answer(contact_id=f"b-{i}", question="effort", score=4).to_item()
            dynamodb.put_item(TableName="results", Item=item)

        with _quiet():
            handler = _per_call(handler_call, calls)
        baseline = _per_call(bare_put, calls)
    return handler, baseline


def _per_call(call: Callable[[int], None], calls: int) -> float:
    for i in range(20):  # warm up
        call(-i - 1)
    start = time.perf_counter()
    for i in range(calls):
        call(i)
    return (time.perf_counter() - start) / calls


class _quiet:
    """Send the handler's log and metric lines (stdout, as in Lambda) to /dev/null while timing."""

    def __enter__(self) -> None:
        sys.stdout.flush()
        self.saved = os.dup(1)
        self.null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(self.null, 1)

    def __exit__(self, *_: object) -> None:
        sys.stdout.flush()
        os.dup2(self.saved, 1)
        os.close(self.null)
        os.close(self.saved)


def asset_size(*, deployed: bool = True) -> int:
    """Bytes of the zipped Lambda asset: as deployed (comments and docstrings blanked, as CDK
    bundles it), or the source as it is (caches excluded either way)."""
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        if deployed:
            bundle(ASSET_DIR, root)
        else:
            shutil.copytree(ASSET_DIR, root, dirs_exist_ok=True)
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for path in sorted(root.rglob("*")):
                if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc":
                    archive.write(path, path.relative_to(root))
        return len(buffer.getvalue())


ONE_FUNCTION_APP = """
import aws_cdk as cdk
from aws_cdk import aws_lambda as lambda_
app = cdk.App()
stack = cdk.Stack(app, "one", env=cdk.Environment(account="111122223333", region="us-east-1"))
lambda_.Function(stack, "F", runtime=lambda_.Runtime.PYTHON_3_14, handler="survey.score.handler",
                 code=lambda_.Code.from_asset("src/connect_survey/lambda_asset"))
app.synth()
"""


def synth_times(runs: int = 5) -> tuple[float, float]:
    """Synthesizing the whole app (with cdk-nag) vs a stack with one function, interleaved."""
    app, one = [], []
    with tempfile.TemporaryDirectory() as out:
        env = {"CDK_OUTDIR": out, "CDK_CONTEXT_JSON": json.dumps(_context())}
        for _ in range(runs):
            app.append(median_seconds([PY, "app.py"], 1, env))
            one.append(median_seconds([PY, "-c", ONE_FUNCTION_APP], 1, env))
    return statistics.median(app), statistics.median(one)


def _context() -> dict[str, object]:
    context: dict[str, object] = json.loads((PROJECT_ROOT / "cdk.json").read_text())["context"]
    return context


def main() -> None:
    """Print a Markdown table (pasted into README) of every figure against its target."""
    rows: list[tuple[str, str, str, str, str]] = []
    handler, boto = cold_import()
    rows.append(
        ("cold import: handler modules vs `import boto3` + one client",
         f"{handler * 1000:.0f} ms", f"{boto * 1000:.0f} ms", f"{handler / boto:.2f}x", "≤ 1.5x")
    )  # fmt: skip
    warm, put = warm_calls()
    rows.append(
        ("warm score-handler call on moto vs bare `put_item` on moto",
         f"{warm * 1000:.2f} ms", f"{put * 1000:.2f} ms", f"{warm / put:.2f}x", "≤ 1.5x")
    )  # fmt: skip
    rows.append(
        ("Lambda asset, zipped as deployed (comments and docstrings blanked) vs its source",
         f"{asset_size() / 1024:.1f} KB", f"{asset_size(deployed=False) / 1024:.1f} KB", "",
         "≤ 50 KB")
    )  # fmt: skip
    app, one = synth_times()
    rows.append(
        ("synth: whole app with cdk-nag vs a one-function stack",
         f"{app:.2f} s", f"{one:.2f} s", f"{app / one:.2f}x", "≤ 1.5x")
    )  # fmt: skip
    for extra in EXTRA_BENCHMARKS:
        rows.extend(extra())
    print("| benchmark | ours | baseline | ratio | target |")
    print("|---|---|---|---|---|")
    for row in rows:
        print("| " + " | ".join(row) + " |")


def _simulation() -> list[tuple[str, str, str, str, str]]:
    from connect_survey.bench.simulation import all_combinations

    with _quiet():
        return all_combinations()


def _outbox() -> list[tuple[str, str, str, str, str]]:
    from connect_survey.bench.outbox import alert_batch

    with _quiet():
        return alert_batch()


def _reports() -> list[tuple[str, str, str, str, str]]:
    from connect_survey.bench.reports import reports_benchmarks

    return reports_benchmarks()


def _test_cases() -> list[tuple[str, str, str, str, str]]:
    from connect_survey.bench.cases import test_case_benchmarks

    with _quiet():
        return test_case_benchmarks()


EXTRA_BENCHMARKS: list[Callable[[], list[tuple[str, str, str, str, str]]]] = [
    _simulation,
    _outbox,
    _reports,
    _test_cases,
]


if __name__ == "__main__":
    main()
