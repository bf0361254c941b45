"""ServingTarget → KServe InferenceService (``serving.kserve.io/v1beta1``) in the team's namespace,
after the environment's ``overrides`` are applied.

The predictor serves the MLflow model format over the Open Inference Protocol (v2, what KServe's
MLflow runtime speaks). ``storageUri`` comes from the resolver: ``models:/<model>/<version>`` from
the static one ("latest" kept), the version's files with "latest" pinned to a number from a
registry-backed one (``bosun render --resolve-models``). With a canary, KServe's own
rollout does the split: the predictor points at the canary version with ``canaryTrafficPercent``,
and the rest of the traffic stays on the last revision that was rolled out at 100%.
"""

from __future__ import annotations

from typing import Any

from bosun import diagnostics
from bosun.render import argo_text, containers, context
from bosun.spec import catalog
from bosun.spec.v1alpha1 import serving_target

MODEL_VERSION = "bosun.dev/model-version"
CANARY_VERSION = "bosun.dev/canary-version"
MODEL_NAME = "bosun.dev/model"


def inference_service(
    ctx: context.Context,
    manifest: serving_target.ServingTarget,
    source: catalog.Source,
    resolver: context.ModelResolver,
) -> tuple[dict[str, Any] | None, list[diagnostics.Diagnostic]]:
    """The InferenceService, or None and a warning when a version does not resolve yet."""
    spec = manifest.spec.for_environment(ctx.env_name)
    stable = resolver.resolve(spec.model, spec.version)
    if stable is None:
        loc = _version_loc(manifest, ctx.env_name, "version")
        return None, [
            _unresolved(ctx, manifest, spec.model, spec.version, outcome="is left out", loc=loc)
        ]
    warnings: list[diagnostics.Diagnostic] = []
    canary = resolver.resolve(spec.model, spec.canary.version) if spec.canary else None
    if spec.canary is not None and canary is None:
        loc = _version_loc(manifest, ctx.env_name, "canary")
        outcome = "serves without its canary"
        warnings.append(
            _unresolved(ctx, manifest, spec.model, spec.canary.version, outcome=outcome, loc=loc)
        )
    predictor = _predictor(spec, _uri(ctx, manifest, (canary or stable).storage_uri))
    annotations = {MODEL_NAME: spec.model, MODEL_VERSION: stable.version}
    if spec.canary is not None and canary is not None:
        predictor["canaryTrafficPercent"] = spec.canary.trafficPercent
        annotations[CANARY_VERSION] = canary.version
    team = manifest.metadata.team
    return {
        "apiVersion": "serving.kserve.io/v1beta1",
        "kind": "InferenceService",
        "metadata": ctx.metadata(
            manifest.metadata.name,
            team=team,
            source=source,
            namespace=ctx.namespace(team),
            annotations=annotations,
        ),
        "spec": {"predictor": predictor},
    }, warnings


def _predictor(spec: serving_target.ServingTargetSpec, storage_uri: str) -> dict[str, Any]:
    model: dict[str, Any] = {
        "modelFormat": {"name": "mlflow"},
        "protocolVersion": "v2",
        "storageUri": storage_uri,
    }
    limits = containers.resources(spec.resources)
    if limits is not None:
        model["resources"] = limits
    return {"minReplicas": spec.replicas.min, "maxReplicas": spec.replicas.max, "model": model}


def _uri(ctx: context.Context, manifest: serving_target.ServingTarget, uri: str) -> str:
    try:
        return argo_text.literal(uri)
    except argo_text.TextError as error:
        raise ctx.error(
            manifest, error.code, f"storage URI {uri!r}: {error}", ("spec", "model")
        ) from None


def _version_loc(
    manifest: serving_target.ServingTarget, environment: str, field: str
) -> diagnostics.Loc:
    """Where the environment's version (or canary) is written: its override, else the spec."""
    override = manifest.spec.overrides.get(environment)
    if override is not None and getattr(override, field) is not None:
        loc: diagnostics.Loc = ("spec", "overrides", environment, field)
    else:
        loc = ("spec", field)
    return (*loc, "version") if field == "canary" else loc


def _unresolved(
    ctx: context.Context,
    manifest: serving_target.ServingTarget,
    model: str,
    version: str,
    *,
    outcome: str,
    loc: diagnostics.Loc,
) -> diagnostics.Diagnostic:
    where = ctx.source_of(manifest)
    return diagnostics.Diagnostic(
        "BOS319",
        f"model '{model}' has no version '{version}' yet; the InferenceService {outcome} "
        "until it does",
        where.file,
        loc,
        where.document,
        kind=manifest.kind,
        name=manifest.metadata.name,
        severity="warning",
    )
