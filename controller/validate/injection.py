"""Template injection: a literal ``{{`` anywhere in user text is refused (BOS401), because Argo
evaluates ``{{ ... }}`` in every string of a workflow.

Fields that accept ``${{ }}`` references (command, args, env values, ``with``) are checked by the
schema, which knows the reference grammar; this check covers the rest: names, descriptions,
labels, annotations, parameter values, keys.
"""

from __future__ import annotations

from collections.abc import Iterator

from bosun import diagnostics
from bosun.spec import catalog
from bosun.validate import base, walk


def check(manifests: catalog.Catalog, options: base.Options) -> Iterator[diagnostics.Diagnostic]:
    for entry in manifests:
        for text in walk.strings(entry.manifest, where=_has_braces):
            if not text.expression:
                yield base.at(entry, "BOS401", _message(text), text.loc, hint=_hint(text))


def _has_braces(value: str) -> bool:
    return "{{" in value


def _message(text: walk.Text) -> str:
    what = "key" if text.is_key else "value"
    return (
        f"literal '{{{{' in a {what}: Argo would evaluate it as an expression (template injection)"
    )


def _hint(text: walk.Text) -> str:
    if "${{" in text.value:
        return (
            "${{ }} references are resolved only in command, args, env values and with; "
            "this field is passed on as it is"
        )
    return "remove the braces; to pass a value to a step use ${{ params.NAME }} in its args"
