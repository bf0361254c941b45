"""Names that must be unique: (kind, team, name) across files (BOS301), and the steps,
parameters, inputs, outputs and env entries inside one manifest (BOS316)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Protocol

from bosun import diagnostics
from bosun.spec import catalog, v1alpha1
from bosun.validate import base


def check(manifests: catalog.Catalog, options: base.Options) -> Iterator[diagnostics.Diagnostic]:
    first: dict[catalog.Key, catalog.Entry] = {}
    for entry in manifests:
        earlier = first.setdefault(entry.key, entry)
        if earlier is not entry:
            yield _duplicate(entry, earlier)
        yield from _inside(entry)


def _duplicate(entry: catalog.Entry, earlier: catalog.Entry) -> diagnostics.Diagnostic:
    where = (
        f"earlier in this file (document {earlier.source.document + 1})"
        if earlier.source.file == entry.source.file
        else f"in {earlier.source.file}"
    )
    team = f" of team '{entry.team}'" if entry.team is not None else ""
    return base.at(
        entry,
        "BOS301",
        f"{entry.kind} '{entry.name}'{team} is defined twice: here and {where}",
        ("metadata", "name"),
        hint=f"rename one of them, or delete the copy; {entry.kind} names are unique"
        + (" within a team" if entry.team is not None else ""),
    )


def _inside(entry: catalog.Entry) -> Iterator[diagnostics.Diagnostic]:
    manifest = entry.manifest
    if isinstance(manifest, v1alpha1.Pipeline):
        spec = manifest.spec
        yield from _names(entry, "step", ("spec", "steps"), spec.steps)
        yield from _names(entry, "parameter", ("spec", "parameters"), spec.parameters)
        for i, step in enumerate(spec.steps):
            yield from _outputs(entry, ("spec", "steps", i, "outputs"), step.outputs)
            yield from _names(entry, "env variable", ("spec", "steps", i, "env"), step.env)
    elif isinstance(manifest, v1alpha1.StepTemplate):
        template = manifest.spec
        inputs = ("spec", "inputs")
        yield from _first_seen(
            entry,
            "input",
            [
                *_located((*inputs, "parameters"), template.inputs.parameters),
                *_located((*inputs, "artifacts"), template.inputs.artifacts),
            ],
        )
        yield from _outputs(entry, ("spec", "outputs"), template.outputs)
        yield from _names(entry, "env variable", ("spec", "env"), template.env)
    elif isinstance(manifest, v1alpha1.Quota) and manifest.spec.environments:
        environments = manifest.spec.environments
        yield from _first_seen(
            entry,
            "environment",
            [(("spec", "environments", i), name) for i, name in enumerate(environments)],
        )


class _Named(Protocol):
    @property
    def name(self) -> str: ...


def _located(where: diagnostics.Loc, items: Sequence[_Named]) -> list[tuple[diagnostics.Loc, str]]:
    return [((*where, i, "name"), item.name) for i, item in enumerate(items)]


def _names(
    entry: catalog.Entry, what: str, where: diagnostics.Loc, items: Sequence[_Named]
) -> Iterator[diagnostics.Diagnostic]:
    yield from _first_seen(entry, what, _located(where, items))


def _outputs(
    entry: catalog.Entry, where: diagnostics.Loc, outputs: v1alpha1.common.Outputs
) -> Iterator[diagnostics.Diagnostic]:
    """Output parameters and artifacts share one namespace: ``${{ outputs.NAME }}``."""
    located = [
        *_located((*where, "parameters"), outputs.parameters),
        *_located((*where, "artifacts"), outputs.artifacts),
    ]
    yield from _first_seen(entry, "output", located)


def _first_seen(
    entry: catalog.Entry, what: str, located: Iterable[tuple[diagnostics.Loc, str]]
) -> Iterator[diagnostics.Diagnostic]:
    seen: set[str] = set()
    for loc, name in located:
        if name in seen:
            yield base.at(
                entry,
                "BOS316",
                f"{what} '{name}' is declared twice",
                loc,
                hint=f"{what} names are unique within a {entry.kind}",
            )
        seen.add(name)
