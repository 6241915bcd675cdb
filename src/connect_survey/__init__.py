"""Post-call surveys for Amazon Connect, deployed as one AWS CDK app and playable offline.

The subpackages, from the bottom layer up (imports only ever point down; `lint-imports` checks):

- `lambda_asset`: the Lambda asset, a separate small package that imports nothing else of ours;
- `flow_language`: a toolkit for Amazon Connect's Flow Language (spec, checks, linter, engine),
  usable on any flow;
- `flows`: our flows (templates, rendering, prompts, languages) and the catalog of what they use;
- `simulator` and `reports`: calls played offline on an embedded AWS, and the survey reports;
- `config`: the stage and pipeline settings of `cdk.json`, validated;
- `infra`: the CDK stacks and constructs, and the project's cdk-nag rules;
- `verify`, `bench` and `cli`: checks of a deployed stage, benchmarks, and `connect-survey`.
"""

from pathlib import Path

# The checkout the package is installed from (editable, from src/): cdk.json, pyproject.toml.
PROJECT_ROOT = Path(__file__).resolve().parents[2]
