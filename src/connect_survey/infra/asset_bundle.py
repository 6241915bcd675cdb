"""The Lambda asset as deployed: the source with its comments and docstrings blanked, line for line.

What Lambda downloads is about 40 % smaller, while every line keeps its number, so a traceback in
CloudWatch names the line it names in the repository. The code is the same code: each module
must parse to the same tree as its source, docstrings aside, or synth stops. Bundled locally, in
the synth process (no Docker): CDK's local bundling runs it and hashes what it wrote.
"""

from __future__ import annotations

import ast
import io
import shutil
import tokenize
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import jsii
from aws_cdk import BundlingOptions, ILocalBundling
from aws_cdk import aws_lambda as lambda_

if TYPE_CHECKING:
    from collections.abc import Iterator

# Never shipped: what Python writes next to the source.
SKIPPED: Final = ("__pycache__", "*.pyc")

Position = tuple[int, int]  # (line from 1, character column from 0)


class AssetBundleError(RuntimeError):
    """Raised when blanking a module would change its code (it never should: a bug here)."""


def blanked(source: str) -> str:
    """`source` with every comment and docstring emptied, each line where it was."""
    lines = source.splitlines(keepends=True)
    edits: list[tuple[Position, Position, str]] = [
        (token.start, token.end, "")
        for token in tokenize.generate_tokens(io.StringIO(source).readline)
        if token.type == tokenize.COMMENT
    ]
    for node in _docstrings(ast.parse(source)):
        start = (node.lineno, _column(lines, node.lineno, node.col_offset))
        end_line = node.end_lineno or node.lineno
        end = (end_line, _column(lines, end_line, node.end_col_offset or 0))
        newlines = end_line - node.lineno
        edits.append((start, end, '"""' + "\n" * newlines + '"""' if newlines else '""'))
    offsets = [0]
    for line in lines:
        offsets.append(offsets[-1] + len(line))
    text = source
    for (row, col), (end_row, end_col), replacement in sorted(edits, reverse=True):
        text = text[: offsets[row - 1] + col] + replacement + text[offsets[end_row - 1] + end_col :]
    return "".join(line.rstrip() + "\n" for line in text.splitlines())


def same_code(source: str, bundled: str) -> bool:
    """Whether both parse to the same tree once docstrings are set aside."""
    return _code_tree(source) == _code_tree(bundled)


def bundle(source_dir: Path, output_dir: Path) -> None:
    """Copy the asset to `output_dir`, each module blanked and checked to be the same code."""
    shutil.copytree(
        source_dir, output_dir, dirs_exist_ok=True, ignore=shutil.ignore_patterns(*SKIPPED)
    )
    for module in output_dir.rglob("*.py"):
        bundled = _checked_blank(module.read_text(encoding="utf-8"))
        if bundled is None:
            raise AssetBundleError(f"{module.relative_to(output_dir)}: blanking changed its code")
        module.write_text(bundled, encoding="utf-8")


@cache
def _checked_blank(source: str) -> str | None:
    """`blanked(source)`, or None if that would change its code. Kept per source text: every
    stack a process builds (the tests build many) bundles the same modules, and parsing and
    comparing them is most of a stack's build time."""
    bundled = blanked(source)
    if not same_code(source, bundled) or bundled.count("\n") != source.count("\n"):
        return None
    return bundled


@jsii.implements(ILocalBundling)
class _BlankedSource:
    def __init__(self, source_dir: Path) -> None:
        self.source_dir = source_dir

    def try_bundle(self, output_dir: str, *, image: Any, **_: Any) -> bool:
        bundle(self.source_dir, Path(output_dir))
        return True


def asset_code(source_dir: Path, runtime: lambda_.Runtime) -> lambda_.Code:
    """The asset of `source_dir` as Lambda gets it (the runtime's image is never started)."""
    return lambda_.Code.from_asset(
        str(source_dir),
        exclude=[f"**/{pattern}" for pattern in SKIPPED],
        bundling=BundlingOptions(image=runtime.bundling_image, local=_BlankedSource(source_dir)),
    )


def _docstrings(tree: ast.Module) -> Iterator[ast.Expr]:
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            first = node.body[0] if node.body else None
            if (
                isinstance(first, ast.Expr)
                and isinstance(first.value, ast.Constant)
                and isinstance(first.value.value, str)
            ):
                yield first


def _column(lines: list[str], line: int, byte_offset: int) -> int:
    """The character column of a UTF-8 byte offset in `line` (ast counts bytes)."""
    return len(lines[line - 1].encode("utf-8")[:byte_offset].decode("utf-8"))


def _code_tree(source: str) -> str:
    tree = ast.parse(source)
    for node in _docstrings(tree):
        node.value = ast.Constant("")
    return ast.dump(tree)
