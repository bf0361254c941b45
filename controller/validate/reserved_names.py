"""Names bosun takes for itself in rendered workflows (BOS318): step names ``main``/``bosun`` or
starting with a digit, and the MLFLOW_*/BOSUN_* env wiring that every step receives."""

from __future__ import annotations

from collections.abc import Iterator

from bosun import diagnostics
from bosun.spec import catalog, v1alpha1
from bosun.spec.v1alpha1 import common, reserved
from bosun.validate import base

_ENV_HINT = "bosun sets the MLFLOW_* and BOSUN_* wiring on every step; choose another name"


def check(manifests: catalog.Catalog, options: base.Options) -> Iterator[diagnostics.Diagnostic]:
    for entry in manifests:
        manifest = entry.manifest
        if isinstance(manifest, v1alpha1.Pipeline):
            for i, step in enumerate(manifest.spec.steps):
                problem = reserved.step_name_problem(step.name)
                if problem is not None:
                    yield base.at(entry, "BOS318", problem, ("spec", "steps", i, "name"))
                yield from _env(entry, step.env, ("spec", "steps", i, "env"))
        elif isinstance(manifest, v1alpha1.StepTemplate):
            yield from _env(entry, manifest.spec.env, ("spec", "env"))


def _env(
    entry: catalog.Entry, env: list[common.EnvVar], loc: diagnostics.Loc
) -> Iterator[diagnostics.Diagnostic]:
    for i, variable in enumerate(env):
        if variable.name in reserved.RESERVED_ENV:
            yield base.at(
                entry,
                "BOS318",
                f"env '{variable.name}' is set by bosun on every step",
                (*loc, i, "name"),
                hint=_ENV_HINT,
            )
