"""Configuration mistakes, and the one translator that words pydantic's errors for people.

Every mistake raises `ConfigError` naming the setting path (`stages.dev.menu.3`,
`pipeline.order[2]`) and the fix; stages and the pipeline share `config_error`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any, get_args, get_origin

from pydantic import BaseModel
from pydantic_core import PydanticCustomError

if TYPE_CHECKING:
    from pydantic import ValidationError
    from pydantic.fields import FieldInfo


class ConfigError(ValueError):
    """Base of every configuration mistake; the message names the setting path and the fix."""

    def __init__(self, setting: str, message: str) -> None:
        super().__init__(f"{setting}: {message}")
        self.setting = setting
        self.message = message


class UnknownStageError(ConfigError):
    """Raised when the chosen stage is not one of the stages in cdk.json."""


class ConfigFileError(ConfigError):
    """Raised when cdk.json itself cannot be read: missing, not JSON, or without `context`."""


def setting_error(at: str, message: str) -> PydanticCustomError:
    """An error for a validator to raise; `at` is the path below the model (`menu.3`), or ""."""
    return PydanticCustomError("config", message, {"at": at})


def config_error(root: str, error: ValidationError, model: type[BaseModel]) -> ConfigError:
    """The first mistake pydantic found in `model` read at `root` (`stages.dev`, `pipeline`),
    said as `root.path: what is wrong; the fix`."""
    # A misspelt key also leaves the real one missing; naming the misspelling helps more.
    first = sorted(error.errors(), key=lambda e: e["type"] != "extra_forbidden")[0]
    loc: list[str | int] = [part for part in first["loc"] if part != "[key]"]
    if first["type"] == "config":
        loc += [part for part in (first.get("ctx") or {})["at"].split(".") if part]
    path = root + "".join(
        f"[{part}]" if isinstance(part, int) else part if part.startswith("[") else f".{part}"
        for part in loc
    )
    return ConfigError(path, _message(first, model, loc))


# What a setting should have been, in JSON's words, by pydantic's (strict) type error.
JSON_TYPE_WANTED = {
    "int_type": "a number",
    "float_type": "a number",
    "string_type": "a string",
    "bool_type": "true or false",
    "list_type": "a list",
    "dict_type": "an object",
    "model_type": "an object",
}


def _json_type(value: object) -> str:
    """The JSON type of a value read from cdk.json, as a user would name it."""
    if isinstance(value, bool):
        return "true or false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return "null" if value is None else type(value).__name__


def _wrong_json_type(kind: str, value: object) -> str:
    """ ": a number, not a string" when the setting has the wrong JSON type, else ""."""
    wanted = JSON_TYPE_WANTED.get(kind)
    given = _json_type(value)
    return f": {wanted}, not {given}" if wanted and wanted != given else ""


def _message(error: Any, model: type[BaseModel], loc: list[str | int]) -> str:
    kind = error["type"]
    if kind == "config":
        return str(error["msg"])
    if kind == "missing":
        _, parent = _walk(model, loc[:-1])
        hint = getattr(parent, "missing_hints", {}).get(loc[-1]) if loc else None
        return f"is required: {hint}" if hint else "is required"
    if kind == "extra_forbidden":
        _, parent = _walk(model, loc[:-1])
        if parent is None:
            return "unknown setting"
        known = sorted(f.alias or n for n, f in parent.model_fields.items())
        noun = getattr(parent, "key_noun", "setting")
        return f"unknown {noun}; known {noun}s: {', '.join(known)}"
    field, _ = _walk(model, loc)
    wrong_type = _wrong_json_type(kind, error["input"])
    if field is not None and field.description:
        return f"{error['input']!r} is not valid{wrong_type}; expected {field.description}"
    if wrong_type:
        return f"{error['input']!r} is not valid{wrong_type}"
    if kind == "model_type":
        return f"{error['input']!r} is not valid; expected an object of settings"
    return f"{error['input']!r} is not valid: {error['msg'][0].lower()}{error['msg'][1:]}"


def _walk(
    model: type[BaseModel], loc: list[str | int]
) -> tuple[FieldInfo | None, type[BaseModel] | None]:
    """The last field on the way along `loc` (aliases, list indexes), and the model it ends in."""
    field: FieldInfo | None = None
    current: Any = model
    for part in loc:
        if isinstance(part, int) or part.startswith("["):
            continue  # an item of a list: the walk goes on in the item type
        if not (isinstance(current, type) and issubclass(current, BaseModel)):
            current = None  # a key of a plain dict: keep the field that holds it
            continue
        found = next((f for n, f in current.model_fields.items() if (f.alias or n) == part), None)
        if found is None:
            return field, None
        field, current = found, _item_type(found.annotation)
    model_type = current if isinstance(current, type) and issubclass(current, BaseModel) else None
    return field, model_type


def _item_type(annotation: Any) -> Any:
    """`list[X]`, `dict[K, X]`, `X | None` -> X, so a walk can go into the items."""
    while get_origin(annotation) is not None:
        args = [arg for arg in get_args(annotation) if arg is not type(None)]
        annotation = args[0] if get_origin(annotation) is Annotated else args[-1]
    return annotation
