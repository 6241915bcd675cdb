"""`connect-survey`: simulate, lint, render and test the project's flows offline; verify a stage.

Like app.py this is an entry point: it reads the stage from cdk.json (`config`, which needs no
CDK) and hands plain values to the packages below. Each command is one module with an
`add_<name>(commands)` function; `COMMANDS` lists them.

A user mistake is one line on stderr, never a traceback: argument values are checked by `type=`
callables raising `ArgumentTypeError` (`arguments`); what needs the stage (queue names, action
ids) raises `UsageError`; each package's error base is caught once, in `main`. Exit status 2 is
a usage mistake, 1 a failed check (as click does).

Adding a command: a module with its `add_<name>` function, listed in `COMMANDS`; if it brings an
error base of its own, add it to `common.USER_ERRORS`.
"""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING, Any

from connect_survey.cli.common import PROG, USER_ERRORS, Parser, explained
from connect_survey.cli.lint import add_lint
from connect_survey.cli.render import add_render
from connect_survey.cli.report import add_report
from connect_survey.cli.simulate import add_simulate
from connect_survey.cli.test import add_test
from connect_survey.cli.verify import add_verify

if TYPE_CHECKING:
    import argparse
    from collections.abc import Callable, Sequence

COMMANDS: tuple[Callable[[Any], None], ...] = (
    add_simulate,
    add_lint,
    add_render,
    add_verify,
    add_report,
    add_test,
)


def main(argv: Sequence[str] | None = None) -> int:
    try:
        args = parser().parse_args(argv)
    except SystemExit as stop:  # --help, or a mistake argparse has already reported
        return stop.code if isinstance(stop.code, int) else 2
    try:
        code: int = args.command(args)
        sys.stdout.flush()  # a full disk shows here, in one line, not at the interpreter's exit
    except USER_ERRORS as error:
        print(f"{PROG}: {explained(error)}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # `connect-survey simulate ... | head`: the reader has gone
        _silence_stdout()
        return 1
    except OSError as error:  # an output that cannot be written: `> /dev/full`, a missing folder
        print(f"{PROG}: {unwritable(error)}", file=sys.stderr)
        if error.filename is None:  # stdout itself: its final flush at exit would fail again
            _silence_stdout()
        return 2
    return code


def unwritable(error: OSError) -> str:
    """One line for a file the command could not write (or read): which, and why."""
    where = error.filename if error.filename is not None else "standard output"
    return f"cannot write {where}: {error.strerror or error}"


def parser() -> argparse.ArgumentParser:
    """The whole command line: every command of COMMANDS under one one-line-error parser."""
    top = Parser(prog=PROG, description="Play, lint, render and test the survey flows offline.")
    commands = top.add_subparsers(required=True, metavar="COMMAND")
    for add in COMMANDS:
        add(commands)
    return top


def _silence_stdout() -> None:
    """Point stdout at /dev/null so the interpreter's final flush cannot fail again."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
