"""Build steps install the tools they run at exact versions.

CDK Pipelines installs the CDK CLI (self-mutation, security check) and cdk-assets (asset
publishing) with `npm install -g` in each CodeBuild project, by default at `aws-cdk@2`,
`cdk-assets@latest` and an unversioned `aws-cdk`: a release published between two runs changes
what deploys production. Every global install and `npx` download must name one version.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Final

from aws_cdk import aws_codebuild as codebuild
from cdk_nag import NagRuleCompliance

from connect_survey.infra.nag.template import Compliance, resolved, text

if TYPE_CHECKING:
    from aws_cdk import CfnResource

# `npm install -g a b@1`, `npm i a --global`: the arguments, up to the end of the command.
NPM_INSTALL: Final = re.compile(r"\bnpm\s+(?:install|i|add)\s+([^\"'\\;&|\n]+)")
GLOBAL: Final = {"-g", "--global"}
# `npx pkg` fetches the latest release unless told not to install (`--no-install`).
NPX: Final = re.compile(r"\bnpx\s+((?:-\S+\s+)*)([^\s\"'\\;&|]+)")
EXACT: Final = re.compile(r"^(@[^/@\s]+/)?[^@\s]+@\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$")
LATEST: Final = re.compile(r"[\w@/.-]+@latest\b")

READS: Final = (codebuild.CfnProject,)
"""The resource types the rule reads; the pack hands it no other."""


def build_tools_are_pinned(node: CfnResource) -> Compliance:
    """Findings: each tool installed without an exact version, as the buildspec writes it."""
    if not isinstance(node, READS):
        return NagRuleCompliance.NOT_APPLICABLE
    source = resolved(node, node.source)
    spec = text(source.get("buildSpec", "")) if isinstance(source, dict) else ""
    return unpinned_tools(spec) or NagRuleCompliance.COMPLIANT


def unpinned_tools(commands: str) -> list[str]:
    """The tool specs in `commands` that do not name one exact version, in order, once each."""
    found: list[str] = [match.group(0) for match in LATEST.finditer(commands)]
    for match in NPM_INSTALL.finditer(commands):
        arguments = match.group(1).split()
        if GLOBAL & set(arguments):
            packages = [arg for arg in arguments if not arg.startswith("-")]
            found += [package for package in packages if not EXACT.match(package)]
    for match in NPX.finditer(commands):
        options, package = match.group(1).split(), match.group(2)
        if "--no-install" not in options and not EXACT.match(package):
            found.append(f"npx {package}")
    return list(dict.fromkeys(found))
