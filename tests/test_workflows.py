"""The GitHub workflows keep the hardening docs/security.md describes (actionlint checks the rest).

actionlint does not flag `${{ inputs.* }}` in a script, a checkout that leaves its token on
disk, an unpinned action or a tool installed at `@latest`; these tests do.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import pytest
import yaml

from connect_survey import PROJECT_ROOT
from connect_survey.infra.nag.pinned_tools import unpinned_tools

if TYPE_CHECKING:
    from pathlib import Path

GITHUB = PROJECT_ROOT / ".github"
WORKFLOWS = sorted((GITHUB / "workflows").glob("*.yml"))
# owner/repo@<commit> # vX.Y.Z: Dependabot updates the SHA and the tag together.
PINNED = re.compile(r"^[\w.-]+/[\w.-]+(/[\w./-]+)?@[0-9a-f]{40} # v\d+\.\d+\.\d+$")
MAIN = "github.ref == 'refs/heads/main'"


def load(path: Path) -> dict[Any, Any]:
    document: dict[Any, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    return document


def triggers(workflow: dict[Any, Any]) -> dict[str, Any]:
    # YAML 1.1 reads the key `on` as True.
    found = workflow.get("on", workflow.get(True))
    return found if isinstance(found, dict) else {name: None for name in found}


def jobs(path: Path) -> list[tuple[str, dict[str, Any]]]:
    return [(f"{path.name}:{name}", job) for name, job in load(path)["jobs"].items()]


def steps(path: Path) -> list[tuple[str, dict[str, Any]]]:
    return [(where, step) for where, job in jobs(path) for step in job.get("steps", [])]


def test_there_are_workflows_to_check() -> None:
    assert {p.name for p in WORKFLOWS} >= {"ci.yml", "deploy.yml", "deploy-stage.yml"}


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_every_action_is_pinned_by_commit_with_its_tag(path: Path) -> None:
    # GIVEN every `uses:` line as written (the tag lives in a comment YAML drops)
    lines = re.findall(r"^\s*(?:-\s+)?uses:\s*(.+?)\s*$", path.read_text(encoding="utf-8"), re.M)
    assert lines

    # THEN local workflows aside, each names a full commit SHA and the tag it is
    for line in lines:
        if not line.startswith("./"):
            assert PINNED.match(line), line


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_id_token_is_granted_per_job_to_jobs_that_assume_a_role(path: Path) -> None:
    workflow = load(path)
    assert "id-token" not in (workflow.get("permissions") or {})
    for where, job in jobs(path):
        assumes = any(
            str(step.get("uses", "")).startswith("aws-actions/configure-aws-credentials@")
            for step in job.get("steps", [])
        )
        calls = str(job.get("uses", "")).startswith("./")
        granted = (job.get("permissions") or {}).get("id-token")
        if assumes or (calls and granted):
            assert granted == "write", where
        else:
            assert granted is None, where


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_no_expression_is_expanded_inside_a_script(path: Path) -> None:
    # `${{ }}` in `run:` is pasted into the script before the shell reads it: pass values
    # through `env:` instead (inputs above all).
    for where, step in steps(path):
        assert "${{" not in str(step.get("run", "")), (where, step.get("name"))


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_scripts_install_no_tool_at_a_floating_version(path: Path) -> None:
    # The same check as the pipeline's (ConnectSurvey-UnpinnedBuildTool): no @latest, no
    # unversioned global install, no npx download.
    for where, step in steps(path):
        assert unpinned_tools(str(step.get("run", ""))) == [], (where, step.get("name"))


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_checkouts_leave_no_credentials_behind(path: Path) -> None:
    for where, step in steps(path):
        if str(step.get("uses", "")).startswith("actions/checkout@"):
            assert (step.get("with") or {}).get("persist-credentials") is False, where


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_deploying_and_dispatched_workflows_run_from_main_only(path: Path) -> None:
    workflow = load(path)
    on = triggers(workflow)
    deploys = any("environment" in job or "uses" in job for _, job in jobs(path))
    if "workflow_dispatch" not in on and not deploys:
        pytest.skip("neither dispatched nor deploying")
    if "push" in on:
        assert on["push"] == {"branches": ["main"]}
    for where, job in jobs(path):
        assert MAIN in str(job.get("if", "")), where


def test_dependabot_keeps_actions_pip_and_npm_current() -> None:
    config = load(GITHUB / "dependabot.yml")
    assert config["version"] == 2
    updates = {u["package-ecosystem"]: u for u in config["updates"]}
    assert set(updates) == {"github-actions", "pip", "npm"}
    for update in updates.values():
        assert update["directory"] == "/"
        assert update["schedule"]["interval"]
