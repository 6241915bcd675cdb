"""The project's commands run a supported Node (22 or 24), so jsii prints no end-of-life banner."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from connect_survey import PROJECT_ROOT

ROOT = PROJECT_ROOT
SUPPORTED_MAJORS = {"22", "24"}


def makefile_environment() -> dict[str, str]:
    """PATH and JSII_NODE as the Makefile exports them to every recipe."""
    recipe = "show-node: ; @echo $$PATH; echo $$JSII_NODE"
    lines = subprocess.run(
        ["make", "-s", "--no-print-directory", f"--eval={recipe}", "show-node"],
        cwd=ROOT, capture_output=True, text=True, check=True, timeout=60,
    ).stdout.splitlines()  # fmt: skip
    return {"PATH": lines[0], "JSII_NODE": lines[1]}


def test_package_json_pins_a_supported_node_exactly() -> None:
    # GIVEN the npm dependencies
    pinned = json.loads((ROOT / "package.json").read_text(encoding="utf-8"))["devDependencies"]

    # THEN Node is pinned to one exact supported version
    version = pinned["node"]
    assert version.split(".")[0] in SUPPORTED_MAJORS
    assert version.replace(".", "").isdecimal()


def test_make_runs_the_cdk_cli_and_jsii_on_the_pinned_node() -> None:
    # GIVEN the environment make gives its recipes
    environment = makefile_environment()
    pinned = json.loads((ROOT / "package.json").read_text(encoding="utf-8"))["devDependencies"]

    # THEN `node` on PATH and the node jsii starts are the pinned one
    node_bin = ROOT / "node_modules" / ".bin"
    assert environment["PATH"].split(os.pathsep)[0] == str(node_bin)
    assert environment["JSII_NODE"] == str(node_bin / "node")
    version = subprocess.run(
        [environment["JSII_NODE"], "--version"], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert version == f"v{pinned['node']}"


def test_the_cdk_library_starts_without_an_end_of_life_banner() -> None:
    # GIVEN Python with the Makefile's environment
    environment = {**os.environ, **makefile_environment()}

    # WHEN the CDK library starts its jsii runtime
    started = subprocess.run(
        [sys.executable, "-c", "import aws_cdk; aws_cdk.App()"],
        cwd=ROOT, env=environment, capture_output=True, text=True, check=True, timeout=120,
    )  # fmt: skip

    # THEN nothing warns about the Node version
    output = started.stdout + started.stderr
    assert "end-of-life" not in output
    assert "not supported" not in output
