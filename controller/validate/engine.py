"""Validation from documents to located diagnostics: the schema of each document, then the
checks across documents, then positions for the documents that have errors."""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Iterable

from bosun import diagnostics
from bosun.load import fanout, positions, sources
from bosun.spec import catalog
from bosun.validate import base, checks, index, schema

Options = base.Options


@dataclasses.dataclass(frozen=True)
class Result:
    catalog: catalog.Catalog
    diagnostics: list[diagnostics.Diagnostic]
    documents: int
    files: int

    @property
    def valid(self) -> bool:
        return not diagnostics.has_errors(self.diagnostics)


def check_documents(
    documents: Iterable[sources.Document], options: Options, *, unreadable: bool = False
) -> tuple[catalog.Catalog, list[diagnostics.Diagnostic]]:
    """Schema-check each document and run every cross-document check. Positions are not filled.

    ``unreadable``: some file or document could not be loaded, so any name may be declared there;
    checks then report no unknown references (they would be a cascade of the load error).
    """
    entries: list[catalog.Entry] = []
    rejected: set[catalog.Key] = {catalog.UNREADABLE} if unreadable else set()
    found: list[diagnostics.Diagnostic] = []
    for document in documents:
        manifest, problems = schema.check_document(document)
        found.extend(problems)
        if manifest is not None:
            entries.append(catalog.Entry(manifest, catalog.Source(document.file, document.index)))
        else:
            key = schema.key_of(document.data)
            if key is not None:
                rejected.add(key)
    manifests = catalog.Catalog(tuple(entries), frozenset(rejected))
    found.extend(run_checks(manifests, options))
    return manifests, found


PARALLEL_CHECKS_FROM = 1000
"""From this many manifests on, the checks are shared out among forked processes, which inherit
the catalog and its index and send back only their diagnostics (bench/validate.py)."""


def run_checks(manifests: catalog.Catalog, options: Options) -> list[diagnostics.Diagnostic]:
    """The diagnostics of every check of ``checks.ALL``, in its order."""
    jobs = 1
    if len(manifests) >= PARALLEL_CHECKS_FROM:
        jobs = fanout.available_cpus()
        index.of(manifests)  # built once, here, for every process
    results = fanout.map_items(
        functools.partial(_run_check, manifests, options), checks.ALL, jobs=jobs
    )
    return [found for result in results for found in result]


def _run_check(
    manifests: catalog.Catalog, options: Options, check: base.Check
) -> list[diagnostics.Diagnostic]:
    return list(check(manifests, options))


def validate_loaded(loaded: sources.Loaded, options: Options) -> Result:
    manifests, found = check_documents(
        loaded.documents, options, unreadable=diagnostics.has_errors(loaded.diagnostics)
    )
    located = positions.locate(loaded.diagnostics + found, loaded.texts)
    return Result(
        manifests, diagnostics.sort_diagnostics(located), len(loaded.documents), loaded.files
    )
