"""Argument types: each checks one value as the code reading it will, and raises
`ArgumentTypeError` with the fix, so every mistake is one line from argparse."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from connect_survey.flow_language.engine import CallerScript, ScriptError
from connect_survey.flow_language.spec import E164
from connect_survey.simulator.sandbox import FAILABLE_SERVICES
from connect_survey.simulator.simulate import WITHHELD, StubError, parse_stubs

KEYS_EXAMPLE = "--keys 1,5,42#,timeout,hangup"
# A live case waits at most an hour: Connect itself ends a run after 5 minutes.
MAX_CASE_TIMEOUT_SECONDS = 3600


def caller_entries(text: str) -> list[str]:
    """`--keys`: comma-separated caller entries, each checked as the engine reads it."""
    entries = [entry.strip() for entry in text.split(",") if entry.strip()]
    for entry in entries:
        try:
            CallerScript([entry])
        except ScriptError:
            fix = (
                f"separate entries with commas: --keys {','.join(entry.replace(';', ' ').split())}"
                if any(sep in entry for sep in "; ")
                else f"write e.g. {KEYS_EXAMPLE}"
            )
            raise argparse.ArgumentTypeError(
                f"{entry!r} is not keys (0-9, *, #), timeout or hangup; {fix}"
            ) from None
    return entries


def caller_number(text: str) -> str:
    """`--caller-number`: an E.164 number or `withheld`."""
    if text == WITHHELD or E164.match(text):
        return text
    raise argparse.ArgumentTypeError(f"{text!r}: give an E.164 number (+15555550100) or {WITHHELD}")


def agent_count(text: str) -> int:
    """`--supervisors-available`: a whole number, 0 or more."""
    if not text.isdigit():
        raise argparse.ArgumentTypeError(f"{text!r}: give a whole number, 0 or more")
    return int(text)


def attribute(text: str) -> tuple[str, str]:
    """`--attr`: NAME=VALUE."""
    name, sep, value = text.partition("=")
    if not sep or not name.strip():
        raise argparse.ArgumentTypeError(f"{text!r} is not NAME=VALUE; write e.g. --attr Lang=en")
    return name.strip(), value


def failing_service(text: str) -> tuple[str, int]:
    """`sns`, `events=3`...: a service of the embedded AWS and how many calls to fail."""
    service, sep, count = text.partition("=")
    if service not in FAILABLE_SERVICES:
        known = ", ".join(FAILABLE_SERVICES)
        raise argparse.ArgumentTypeError(f"{service!r} is not a service; use one of: {known}")
    if sep and not (count.isdecimal() and int(count) >= 1):
        raise argparse.ArgumentTypeError(f"{text!r}: N must be a whole number >= 1 (sns=2)")
    return service, int(count) if sep else 1


def lambda_stub(text: str) -> str:
    """`--lambda-stub`: PATTERN=RESPONSE, checked as the simulator reads it."""
    try:
        parse_stubs([text])
    except StubError as error:
        raise argparse.ArgumentTypeError(str(error)) from None
    return text


def whole_number(text: str) -> int:
    if not text.strip().lstrip("-").isdecimal():
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number; write e.g. 7")
    return int(text)


def case_timeout(text: str) -> int:
    """`--live-test-timeout`: whole seconds from 1 to MAX_CASE_TIMEOUT_SECONDS."""
    if not text.strip().isdecimal() or not 1 <= int(text) <= MAX_CASE_TIMEOUT_SECONDS:
        raise argparse.ArgumentTypeError(
            f"{text!r}: give whole seconds from 1 to {MAX_CASE_TIMEOUT_SECONDS}, e.g. 360"
        )
    return int(text)


def report_file(text: str) -> Path:
    """`--junit FILE`: a file to write, in a folder that exists."""
    path = Path(text)
    if path.is_dir():
        raise argparse.ArgumentTypeError(f"{text!r} is a folder; give a file name, e.g. junit.xml")
    if not path.parent.is_dir():
        raise argparse.ArgumentTypeError(f"{text!r}: the folder {path.parent} does not exist")
    return path


def flow_target(text: str) -> str:
    """A file, or what the command checks against the stage's flow keys (lint reports a file
    that is not JSON as a finding)."""
    if Path(text).is_dir():
        raise argparse.ArgumentTypeError(
            f"{text!r} is a directory; pass Flow Language JSON files (e.g. {text.rstrip('/')}/"
            "*.json) or flow keys of the stage"
        )
    return text


def flow_to_play(text: str) -> str:
    """A file holding a JSON object (a call cannot play anything else), or what the command
    checks against the stage's flow keys."""
    if not Path(flow_target(text)).is_file():
        return text
    try:
        document = json.loads(Path(text).read_text(encoding="utf-8", errors="replace"))
    except ValueError as error:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a Flow Language document: not valid JSON ({error}); pass a flow "
            "key of the stage or a JSON file (`connect-survey lint` shows what is wrong)"
        ) from None
    if not isinstance(document, dict):
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a Flow Language document: it must be a JSON object with Actions"
        )
    return text
