"""What every cross-document check shares: its options and its signature."""

from __future__ import annotations

import typing
from collections.abc import Callable, Iterable

from bosun import diagnostics
from bosun.spec import catalog


class Options(typing.NamedTuple):
    environment: str | None = None
    """With ``--env``: also enforce that environment's policy."""


Check = Callable[[catalog.Catalog, Options], Iterable[diagnostics.Diagnostic]]
"""A cross-document check: pure; returns diagnostics anchored with (file, document, loc)."""


def at(
    entry: catalog.Entry,
    code: str,
    message: str,
    loc: diagnostics.Loc = (),
    hint: str | None = None,
    *,
    key: bool = False,
) -> diagnostics.Diagnostic:
    """A diagnostic about ``entry``, positioned later from ``loc``; ``key``: the last part of
    ``loc`` is a mapping key that is itself the problem (a misspelled name), so the caret goes
    under the key rather than its value."""
    return diagnostics.Diagnostic(
        code,
        message,
        entry.source.file,
        loc,
        entry.source.document,
        hint=hint,
        kind=entry.kind,
        name=entry.name,
        at_key=key,
    )
