"""The registry of cross-document checks, in reporting order.

Each check is a pure function ``check(catalog, options) -> Iterable[Diagnostic]`` in a module of
its own; they share one index of the catalog (``index.of``).
"""

from __future__ import annotations

from bosun.validate import (
    base,
    bindings,
    dag,
    environments,
    experiments,
    expressions,
    injection,
    inline_code,
    policy,
    quotas,
    reserved_names,
    secrets,
    serving,
    teams,
    uniqueness,
)

ALL: tuple[base.Check, ...] = (
    uniqueness.check,
    reserved_names.check,
    teams.check,
    environments.check,
    bindings.check,
    dag.check,
    expressions.check,
    experiments.check,
    serving.check,
    injection.check,
    inline_code.check,
    secrets.check,
    quotas.check,
    policy.check,
)
