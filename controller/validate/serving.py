"""A ServingTarget serves a model that some Experiment registers (BOS306), unless the model is
declared ``external: true`` (registered outside bosun)."""

from __future__ import annotations

from collections.abc import Iterator

from bosun import diagnostics
from bosun.spec import catalog
from bosun.validate import base, index, suggest


def check(manifests: catalog.Catalog, options: base.Options) -> Iterator[diagnostics.Diagnostic]:
    found = index.of(manifests)
    if found.any_rejected("Experiment"):
        return  # the model may be registered by the experiment that failed its schema
    for target in found.serving:
        spec = target.manifest.spec
        if spec.external or spec.model in found.registered_models:
            continue
        close = suggest.closest(spec.model, found.registered_models)
        hint = f"did you mean '{close}'? " if close else ""
        yield base.at(
            target.entry,
            "BOS306",
            f"no Experiment registers model '{spec.model}'",
            ("spec", "model"),
            hint=hint + "register it from an Experiment (spec.register.model), or set "
            "external: true if it is registered outside bosun",
        )
