"""What every command shares: the one-line parser, the stage options and the usage checks."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from connect_survey.config.errors import ConfigError
from connect_survey.config.stage import load_stage, read_context
from connect_survey.flow_language.engine import FlowError, UnknownFunctionError
from connect_survey.flows.catalog import FLOW_KEYS, OPT_IN_SURVEY, language_key
from connect_survey.flows.render import RenderError

if TYPE_CHECKING:
    from collections.abc import Sequence

    from connect_survey.flows.offline import OfflineStage

CDK_JSON = Path("cdk.json")
PROG = "connect-survey"
# The flows a stage deploys depend on its languages: help states the rule, errors list the
# chosen stage's keys (OfflineStage.flow_keys).
FLOW_KEYS_HELP = (
    f"{', '.join(FLOW_KEYS)}, and for each further language the stage lists the same keys "
    f"ending in -LANGUAGE, e.g. {language_key(OPT_IN_SURVEY, 'ko-KR')}"
)


class UsageError(Exception):
    """Raised when an argument is well-formed but names nothing the stage has."""


# Every error a user can cause, by package base: one line on stderr and exit status 2.
USER_ERRORS: tuple[type[Exception], ...] = (UsageError, ConfigError, FlowError, RenderError)


class Parser(argparse.ArgumentParser):
    """argparse that reports a mistake in one line (no usage block) and exits 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{PROG}: {self.one_line(message)} (see {self.prog} --help)\n")

    @staticmethod
    def one_line(message: str) -> str:
        """argparse's message, saying the option once ("argument --keys: --keys '5x'...")."""
        option, sep, rest = message.partition(": ")
        if sep and option.startswith("argument ") and rest.startswith(option[9:].split("/")[0]):
            return rest
        return message


def stage_options(command: argparse.ArgumentParser) -> None:
    command.add_argument("--stage", default=None, help="stage in cdk.json (default: dev)")
    command.add_argument("--config", default=str(CDK_JSON), help="path to cdk.json")


def stage_from(args: argparse.Namespace) -> OfflineStage:
    path = Path(args.config)
    if not path.is_file():
        raise UsageError(f"{path} not found: run from the project folder or pass --config")
    context = read_context(path)
    stage = load_stage(context, args.stage).offline
    spoken = getattr(args, "language", None)
    if spoken and spoken not in stage.languages:
        # A language the stage does not list: play the stage as if cdk.json said
        # `"language": ...` for it. (A listed one is the contact's language code: simulate.)
        stages, name = context["stages"], stage.name
        context = {**context, "stages": {**stages, name: {**stages[name], "language": spoken}}}
        stage = load_stage(context, args.stage).offline
    return stage


def require_flow_key(stage: OfflineStage, text: str, *, file_too: bool = True) -> str:
    """`text` if the stage deploys a flow of that key; else a UsageError listing its keys."""
    if text not in stage.flow_keys:
        keys = ", ".join(stage.flow_keys)
        if file_too:
            raise UsageError(
                f"{text!r} is neither a flow key of stage {stage.name} ({keys}) nor a file"
            )
        raise UsageError(f"{text!r} is not a flow key of stage {stage.name}; choose one of {keys}")
    return text


def require_known(names: Sequence[str], known: Any, option: str, what: str) -> None:
    for name in names:
        if name not in known:
            raise UsageError(f"{option} {name!r}: unknown {what}; choose one of {listed(known)}")


def listed(names: Any) -> str:
    return ", ".join(sorted(names))


def explained(error: Exception) -> str:
    if isinstance(error, UnknownFunctionError):
        return (
            f"{error}; it is none of the project's handlers: stub it with --lambda-stub "
            "PATTERN=RESPONSE"
        )
    return str(error)


def plural(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"
