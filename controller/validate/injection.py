"""Template injection: a literal ``{{`` anywhere in user text is refused (BOS401), because Argo
evaluates ``{{ ... }}`` in every string of a workflow.

Fields that accept ``${{ }}`` references (command, args, env values, ``with``) are checked by the
schema, which knows the reference grammar; this check covers the rest: names, descriptions,
labels, annotations, parameter values, keys. In the fields with references it adds the rule that
no reference touches a literal ``{``, ``}`` or another reference (``refs.reject_fused``), which
the renderer enforces too.
"""

from __future__ import annotations

from collections.abc import Iterator

from bosun import diagnostics
from bosun.spec import catalog
from bosun.spec.v1alpha1 import refs
from bosun.validate import base, walk


def check(manifests: catalog.Catalog, options: base.Options) -> Iterator[diagnostics.Diagnostic]:
    for entry in manifests:
        for text in walk.strings(entry.manifest, where=_has_braces):
            if not text.expression:
                yield base.at(
                    entry, "BOS401", _message(text), text.loc, hint=_hint(text), key=text.is_key
                )
                continue
            problem = _fused(text.value)
            if problem is not None:
                yield base.at(entry, problem.code, str(problem), text.loc, hint=refs.FUSED_HINT)


def _fused(value: str) -> refs.ReferenceSyntaxError | None:
    try:
        refs.reject_fused(refs.parse(value))
    except refs.ReferenceSyntaxError as error:
        return error if error.code == "BOS401" else None  # the schema reported the others
    return None


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
