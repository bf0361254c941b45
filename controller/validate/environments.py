"""Environment names resolve (BOS314): ``--env E``, Quota ``environments`` and ServingTarget
``overrides`` keys. Names are checked only when Environment manifests are present, so that a team
folder can be validated on its own. An environment of target type kubernetes logs to an http(s)
MLflow server (BOS605): its steps run in pods, which cannot reach a sqlite file."""

from __future__ import annotations

from collections.abc import Iterator

from bosun import diagnostics
from bosun.spec import catalog, v1alpha1
from bosun.validate import base, index, suggest


def check(manifests: catalog.Catalog, options: base.Options) -> Iterator[diagnostics.Diagnostic]:
    found = index.of(manifests)
    if options.environment is not None:
        yield from _selected(options.environment, found)
    if not found.environments:
        return
    for env in found.environments.values():
        yield from _tracking_reachable_from_pods(env)
    for quotas in found.quotas.values():
        for quota in quotas:
            for i, name in enumerate(quota.manifest.spec.environments or ()):
                yield from _unknown(found, quota.entry, name, ("spec", "environments", i))
    for target in found.serving:
        for name in target.manifest.spec.overrides:
            yield from _unknown(found, target.entry, name, ("spec", "overrides", name), key=True)


def _unknown(
    found: index.Index,
    entry: catalog.Entry,
    name: str,
    loc: diagnostics.Loc,
    *,
    key: bool = False,
) -> Iterator[diagnostics.Diagnostic]:
    if name in found.environments or found.is_rejected("Environment", name):
        return
    yield base.at(
        entry,
        "BOS314",
        f"environment '{name}' is not declared",
        loc,
        hint=suggest.did_you_mean(name, found.environments),
        key=key,
    )


def _selected(name: str, found: index.Index) -> Iterator[diagnostics.Diagnostic]:
    """``--env E`` names an Environment manifest. Reported on the first Environment manifest, or
    on the validated tree when there is none."""
    if name in found.environments or found.is_rejected("Environment", name):
        return
    known = suggest.did_you_mean(name, found.environments)
    shown = diagnostics.quote(name)
    message = f"--env {diagnostics.shorten(name)}: no Environment named {shown}"
    first = min(
        (e.entry for e in found.environments.values()),
        default=None,
        key=lambda entry: (entry.source.file, entry.source.document),
    )
    if first is None:
        yield diagnostics.Diagnostic(
            "BOS314",
            message + " (no Environment manifests were found)",
            ".",
            line=1,
            column=1,
            hint="environments live in environments/<name>.yaml (kind: Environment)",
        )
        return
    yield base.at(first, "BOS314", message, ("metadata", "name"), hint=known)


def _tracking_reachable_from_pods(
    env: index.Found[v1alpha1.Environment],
) -> Iterator[diagnostics.Diagnostic]:
    spec = env.manifest.spec
    if spec.target.type != "kubernetes":
        return
    uri = spec.tracking.uri
    if uri is not None and uri.split("://", 1)[0].lower() in ("http", "https"):
        return
    shown = "is not set (sqlite on the controller's disk)" if uri is None else f"is {uri!r}"
    loc: diagnostics.Loc = ("spec", "tracking", "uri") if uri is not None else ("spec", "target")
    yield base.at(
        env.entry,
        "BOS605",
        f"environment '{env.manifest.metadata.name}' runs on Kubernetes but its tracking.uri "
        f"{shown}: steps run in pods and cannot reach it",
        loc,
        hint="set spec.tracking.uri to the MLflow server the pods reach, e.g. "
        "http://mlflow.mlflow.svc:5000",
    )
