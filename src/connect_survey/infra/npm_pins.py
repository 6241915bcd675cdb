"""The npm tools the pipeline installs, at the versions package.json pins (the one place)."""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Final

from connect_survey import PROJECT_ROOT

if TYPE_CHECKING:
    from pathlib import Path

PACKAGE_JSON: Final = PROJECT_ROOT / "package.json"
CDK_CLI: Final = "aws-cdk"
CDK_ASSETS: Final = "cdk-assets"
EXACT_VERSION: Final = re.compile(r"^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$")


def pinned_npm_version(package: str, manifest: Path = PACKAGE_JSON) -> str:
    """The exact version `manifest` pins `package` at; a range or absence is an error."""
    document = json.loads(manifest.read_text(encoding="utf-8"))
    version = document.get("devDependencies", {}).get(package)
    if not isinstance(version, str) or not EXACT_VERSION.match(version):
        raise LookupError(
            f"{manifest}: pin {package} to one exact version in devDependencies "
            f"(npm install --save-dev --save-exact {package}@X.Y.Z), found {version!r}"
        )
    return version
