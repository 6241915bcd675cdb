"""Fixtures every test may use: fake AWS credentials, and the Connect sample events."""

from __future__ import annotations

import copy
import json
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from connect_survey import PROJECT_ROOT
from connect_survey.simulator.fast_paths import shared_service_data

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Mapping

EVENTS = Path(__file__).parent / "events"

FAKE_AWS_ENVIRONMENT = {
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_REGION": "us-east-1",
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SECURITY_TOKEN": "testing",
    "AWS_SESSION_TOKEN": "testing",
}


@pytest.fixture(autouse=True)
def fake_aws_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    """No test can reach a real account, even by mistake."""
    for name, value in FAKE_AWS_ENVIRONMENT.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_PROFILE", raising=False)


@pytest.fixture(scope="session", autouse=True)
def service_data_parsed_once() -> Iterator[None]:
    """Each test with an embedded AWS starts fresh botocore sessions; they share what the
    first one parsed of AWS's service models (as a simulator run does)."""
    with shared_service_data():
        yield


@pytest.fixture(scope="session")
def context() -> dict[str, Any]:
    """The context of the checked-in cdk.json."""
    return json.loads((PROJECT_ROOT / "cdk.json").read_text(encoding="utf-8"))["context"]


@pytest.fixture
def stages(context: dict[str, Any]) -> dict[str, Any]:
    """A deep copy of the stages, safe to edit in a test."""
    return copy.deepcopy(context["stages"])


@cache
def _read_event(name: str) -> dict[str, Any]:
    return json.loads((EVENTS / f"{name}.json").read_text(encoding="utf-8"))


@pytest.fixture
def load_event() -> Callable[..., dict[str, Any]]:
    """Load tests/events/<name>.json as a fresh dict, optionally replacing Parameters/Attributes."""

    def load(
        name: str,
        *,
        parameters: Mapping[str, Any] | None = None,
        attributes: Mapping[str, Any] | None = None,
    ) -> dict[str, Any]:
        event = copy.deepcopy(_read_event(name))
        if parameters is not None:
            event["Details"]["Parameters"] = dict(parameters)
        if attributes is not None:
            event["Details"]["ContactData"]["Attributes"] = dict(attributes)
        return event

    return load
