"""cdk.schema.json is generated from the configuration models and kept current."""

from __future__ import annotations

import json

from connect_survey.config.schema import SCHEMA_FILE, cdk_json_schema, schema_text


def test_checked_in_schema_is_current() -> None:
    # GIVEN the schema generated from the models now / WHEN compared with the checked-in file
    # THEN they are the same (otherwise: run `make schema` and commit cdk.schema.json)
    assert SCHEMA_FILE.read_text(encoding="utf-8") == schema_text(), "run `make schema`"


def test_schema_names_stage_settings_by_their_camel_case_keys_and_forbids_others() -> None:
    stage = cdk_json_schema()["$defs"]["StageSettings"]
    assert stage["additionalProperties"] is False
    assert {"account", "region", "instanceArn", "namePrefix", "queues", "menu"} <= set(
        stage["required"]
    )
    assert stage["properties"]["logRetentionDays"]["enum"][:3] == [1, 3, 5]


def test_schema_file_is_valid_json_pointing_stages_at_the_stage_model() -> None:
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    stages = schema["properties"]["context"]["properties"]["stages"]
    assert stages["additionalProperties"] == {"$ref": "#/$defs/StageSettings"}


def test_schema_covers_the_pipeline_settings_by_their_camel_case_keys() -> None:
    # GIVEN the generated schema / WHEN reading context.pipeline
    schema = cdk_json_schema()
    pipeline = schema["properties"]["context"]["properties"]["pipeline"]
    model = schema["$defs"][pipeline["$ref"].rsplit("/", 1)[-1]]
    # THEN it is the pipeline model, closed to unknown keys, with its camelCase settings
    assert model["additionalProperties"] is False
    assert {"connectionArn", "repository", "account", "region", "order"} <= set(model["required"])
    assert "approvalStages" in model["properties"]
