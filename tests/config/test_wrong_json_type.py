"""A setting of the wrong JSON type says which type it should be and which it is."""

from __future__ import annotations

from typing import Any

import pytest

from connect_survey.config.errors import ConfigError
from connect_survey.config.stage import load_stage


@pytest.mark.parametrize(
    ("setting", "value", "said"),
    [
        (("sampling", "cooldownDays"), "30", "'30' is not valid: a number, not a string; expected"),
        (("sampling", "percent"), True, "True is not valid: a number, not true or false;"),
        (("liveTests",), "true", "'true' is not valid: true or false, not a string;"),
        (("languages",), "en-US", "'en-US' is not valid: a list, not a string;"),
        (("account",), 123456789012, "123456789012 is not valid: a string, not a number;"),
        (("sampling",), "all", "'all' is not valid: an object, not a string"),
    ],
)
def test_a_setting_of_the_wrong_json_type_says_so(
    context: dict[str, Any], stages: dict[str, Any], setting: tuple[str, ...], value: Any, said: str
) -> None:
    parent = stages["dev"]
    for key in setting[:-1]:
        parent = parent[key]
    parent[setting[-1]] = value

    with pytest.raises(ConfigError) as error:
        load_stage({**context, "stages": stages}, "dev")

    assert str(error.value).startswith(f"stages.dev.{'.'.join(setting)}: {said}")


def test_a_value_of_the_right_type_is_not_called_the_wrong_type(
    context: dict[str, Any], stages: dict[str, Any]
) -> None:
    stages["dev"]["sampling"]["percent"] = 101
    with pytest.raises(ConfigError) as error:
        load_stage({**context, "stages": stages}, "dev")
    assert "not valid; expected" in str(error.value)
    assert ", not " not in str(error.value).split(";")[0]
