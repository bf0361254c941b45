"""One document against the schema of its kind: pydantic errors become located-later diagnostics."""

from __future__ import annotations

import datetime
import re
import types as pytypes
import typing
from typing import Any

import pydantic
from bosun import diagnostics
from bosun.load import sources
from bosun.spec import catalog, v1alpha1
from bosun.validate import suggest
from pydantic_core import ErrorDetails

_EXPECTED = {
    "string_type": "a string",
    "int_type": "an integer",
    "int_from_float": "an integer",
    "float_type": "a number",
    "bool_type": "true or false",
    "list_type": "a list",
    "dict_type": "a mapping",
    "model_type": "a mapping",
    "model_attributes_type": "a mapping",
    "dataclass_type": "a mapping",
    "none_required": "null",
}


def check_document(
    document: sources.Document,
) -> tuple[v1alpha1.Manifest | None, list[diagnostics.Diagnostic]]:
    data = document.data
    kind, name = data.get("kind"), _name_of(data)
    shown_kind = kind if isinstance(kind, str) else None

    def found(
        code: str,
        message: str,
        loc: diagnostics.Loc,
        hint: str | None = None,
        at_key: bool = False,
    ) -> diagnostics.Diagnostic:
        return diagnostics.Diagnostic(
            code,
            message,
            document.file,
            loc,
            document.index,
            hint=hint,
            kind=shown_kind,
            name=name,
            at_key=at_key,
        )

    api_version = data.get("apiVersion")
    if api_version is None:
        return None, [found("BOS202", "missing required field 'apiVersion'", ())]
    if api_version != v1alpha1.API_VERSION:
        return None, [
            found(
                "BOS206",
                f"unsupported apiVersion {diagnostics.quote(api_version)}",
                ("apiVersion",),
                hint=f"bosun reads {v1alpha1.API_VERSION}; add files that are not bosun "
                "manifests to .bosunignore",
            )
        ]
    if kind is None:
        return None, [found("BOS202", "missing required field 'kind'", ())]
    model = v1alpha1.KINDS.get(kind) if isinstance(kind, str) else None
    if model is None:
        return None, [
            found(
                "BOS205",
                f"unknown kind {diagnostics.quote(kind)}",
                ("kind",),
                hint=suggest.did_you_mean(str(kind), v1alpha1.KINDS),
            )
        ]
    try:
        return model.model_validate(data), []
    except pydantic.ValidationError as error:
        return None, [_diagnostic(found, details, model) for details in error.errors()]


def key_of(data: dict[str, Any]) -> catalog.Key | None:
    """The (kind, team, name) of a document as far as it can be read, schema or not.

    An unknown kind (a typo such as ``Pipline``) is ``""``, an unreadable name ``""`` and an
    unreadable team ``None``: checks treat them as wildcards.
    """
    kind = data.get("kind")
    if not isinstance(kind, str):
        return None
    if kind not in v1alpha1.KINDS:
        kind = ""
    metadata = data.get("metadata")
    team = metadata.get("team") if isinstance(metadata, dict) else None
    return (kind, team if isinstance(team, str) else None, _name_of(data) or "")


def _name_of(data: dict[str, Any]) -> str | None:
    metadata = data.get("metadata")
    name = metadata.get("name") if isinstance(metadata, dict) else None
    return name if isinstance(name, str) else None


_KEY = "[key]"
"""The last part of a pydantic error's location when a mapping key failed its rule."""


def _diagnostic(
    found: typing.Callable[..., diagnostics.Diagnostic],
    error: ErrorDetails,
    model: type[pydantic.BaseModel],
) -> diagnostics.Diagnostic:
    """One pydantic error as a diagnostic; a bad mapping key is located at the key itself."""
    at_key = bool(error["loc"]) and error["loc"][-1] == _KEY
    if at_key:
        error = error.copy()
        error["loc"] = error["loc"][:-1]
    code, message, loc, hint = _translate(error, model)
    return found(code, message, loc, hint, at_key)


def _translate(
    error: ErrorDetails, model: type[pydantic.BaseModel]
) -> tuple[str, str, diagnostics.Loc, str | None]:
    """(code, message, loc, hint) for one pydantic error."""
    loc = tuple(error["loc"])
    kind = error["type"]
    value = error.get("input")
    if kind.startswith("BOS"):
        return kind, error["msg"], _data_loc(loc, model) + _culprit(error), None
    if kind == "extra_forbidden":
        field = str(loc[-1])
        allowed = fields_at(model, loc[:-1])
        return (
            "BOS201",
            f"unknown field {diagnostics.quote(field)}",
            _data_loc(loc, model),
            suggest.did_you_mean(field, allowed),
        )
    if kind in ("missing", "union_tag_not_found"):
        field = str(loc[-1]) if kind == "missing" else "type"
        where = loc[:-1] if kind == "missing" else loc
        return "BOS202", f"missing required field '{field}'", _data_loc(where, model), None
    if kind in _EXPECTED:
        got = _yaml_type(value)
        return (
            "BOS203",
            f"expected {_EXPECTED[kind]}, got {got}",
            _data_loc(loc, model),
            _type_hint(value, kind),
        )
    hint = None
    if kind == "literal_error" and isinstance(value, str):
        expected = error.get("ctx", {}).get("expected", "")
        hint = suggest.did_you_mean(
            value, [p.strip(" '") for p in expected.replace(" or ", ",").split(",")]
        )
    return "BOS204", _plain(error["msg"]), _data_loc(loc, model), hint


def _culprit(error: ErrorDetails) -> diagnostics.Loc:
    """The field a model-level rule blames, when it names one: a step that uses a template and
    sets ``image`` is pointed at ``image``."""
    context = error.get("ctx") or {}
    blamed = context.get("field") or str(context.get("fields", "")).split(", ")[0]
    return (blamed,) if blamed else ()


def _plain(message: str) -> str:
    """pydantic's message in bosun's words, with a long input that it quotes cut short."""
    message = _LONG_QUOTED.sub(lambda match: diagnostics.quote(match.group(1)), message)
    return message.replace("Input should be", "should be").replace("Value error, ", "")


_LONG_QUOTED = re.compile("'([^']{" + str(diagnostics.SHOWN_CHARACTERS + 1) + ",})'")


def _data_loc(loc: diagnostics.Loc, model: type[pydantic.BaseModel]) -> diagnostics.Loc:
    """Drop discriminator tags (``target.kubernetes.context`` → ``target.context``)."""
    out: list[str | int] = []
    annotation: Any = model
    for part in loc:
        annotation, is_tag = _descend(annotation, part)
        if not is_tag:
            out.append(part)
    return tuple(out)


def _yaml_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, int | float):
        return f"the number {diagnostics.shorten(str(value))}"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, datetime.date):
        return "a date"
    return type(value).__name__


def _type_hint(value: Any, kind: str) -> str | None:
    if kind == "string_type" and isinstance(value, bool):
        return "YAML reads yes/no/on/off/true/false as booleans; quote the value"
    if kind == "string_type" and isinstance(value, int | float | datetime.date):
        return "quote the value to keep it a string"
    if kind in ("int_type", "int_from_float", "float_type") and isinstance(value, str):
        return "write the number without quotes" if _NUMBER.fullmatch(value.strip()) else None
    return None


_NUMBER = re.compile(r"[-+]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][-+]?[0-9]+)?")
"""A string that YAML would have read as a number without its quotes."""


# --- walking the models along an error location ---------------------------------------------------


def fields_at(model: type[pydantic.BaseModel], loc: diagnostics.Loc) -> list[str]:
    """The field names (aliases) allowed by the model found at ``loc``."""
    annotation: Any = model
    for part in loc:
        annotation, _ = _descend(annotation, part)
    target = _model_in(annotation)
    if target is None:
        return []
    return [field.alias or name for name, field in target.model_fields.items()]


def _descend(annotation: Any, part: str | int) -> tuple[Any, bool]:
    """The annotation one step down ``part``, and whether ``part`` was a union tag."""
    annotation = _unwrap(annotation)
    members = _union_members(annotation)
    if len(members) > 1:
        for member in members:
            tag = _literal_type_tag(member)
            if tag is not None and tag == part:
                return member, True
        annotation = next((m for m in members if _model_in(m) is not None), members[0])
    annotation = _unwrap(annotation)
    origin = typing.get_origin(annotation)
    if origin in (list, tuple) and isinstance(part, int):
        return typing.get_args(annotation)[0], False
    if origin is dict:
        return typing.get_args(annotation)[1], False
    model = _model_in(annotation)
    if model is not None and isinstance(part, str):
        for name, field in model.model_fields.items():
            if part in (name, field.alias):
                return field.annotation, False
    return Any, False


def _unwrap(annotation: Any) -> Any:
    while typing.get_origin(annotation) is typing.Annotated:
        annotation = typing.get_args(annotation)[0]
    return annotation


def _union_members(annotation: Any) -> list[Any]:
    if typing.get_origin(annotation) in (typing.Union, pytypes.UnionType):
        return [_unwrap(a) for a in typing.get_args(annotation) if a is not type(None)]
    return [annotation]


def _model_in(annotation: Any) -> type[pydantic.BaseModel] | None:
    for member in _union_members(_unwrap(annotation)):
        if isinstance(member, type) and issubclass(member, pydantic.BaseModel):
            return member
    return None


def _literal_type_tag(member: Any) -> str | None:
    model = _model_in(member)
    field = model.model_fields.get("type") if model is not None else None
    if field is None or typing.get_origin(field.annotation) is not typing.Literal:
        return None
    values = typing.get_args(field.annotation)
    return str(values[0]) if values else None
