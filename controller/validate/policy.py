"""With ``--env E``, the policy of environment E:

- ``requirePinnedImages``: every image (inline steps, StepTemplates) carries ``@sha256:`` (BOS601);
- ``allowedRegistries``: every image lives under one of the prefixes, compared by path components
  so that ``ghcr.io/acme`` allows ``ghcr.io/acme/x`` but not ``ghcr.io/acme-evil/x`` (BOS602);
- ``requirePinnedModelVersions``: the version served in E, after ``overrides[E]``, and the canary
  version are not ``latest`` (BOS603);
- ``minGates``: the gates in effect in E are at least as strict as each minimum gate (BOS604).
"""

from __future__ import annotations

from collections.abc import Iterator

from bosun import diagnostics
from bosun.spec import catalog, v1alpha1
from bosun.spec.v1alpha1 import common, types
from bosun.validate import base, index

Interval = tuple[float | None, bool, float | None, bool]
"""(low, low included, high, high included); None is unbounded."""


def check(manifests: catalog.Catalog, options: base.Options) -> Iterator[diagnostics.Diagnostic]:
    if options.environment is None:
        return
    found = index.of(manifests)
    environment = found.environments.get(options.environment)
    if environment is None:
        return  # the environments check reports an unknown --env
    policy = environment.manifest.spec.policy
    name = options.environment
    if policy.requirePinnedImages or policy.allowedRegistries:
        for entry, loc, image in _images(found):
            yield from _image(entry, loc, image, policy, name)
    for target in found.serving:
        if policy.requirePinnedModelVersions:
            yield from _versions(target, name)
        if policy.minGates:
            yield from _gates(target, name, policy.minGates)


def _images(found: index.Index) -> Iterator[tuple[catalog.Entry, diagnostics.Loc, str]]:
    for pipeline in found.all_pipelines:
        for i, step in enumerate(pipeline.manifest.spec.steps):
            if step.image is not None:
                yield pipeline.entry, ("spec", "steps", i, "image"), step.image
    for template in found.all_templates:
        yield template.entry, ("spec", "image"), template.manifest.spec.image


def _image(
    entry: catalog.Entry,
    loc: diagnostics.Loc,
    image: str,
    policy: v1alpha1.environment.Policy,
    environment: str,
) -> Iterator[diagnostics.Diagnostic]:
    reference = types.parse_image(image)
    if policy.requirePinnedImages and not reference.pinned:
        yield base.at(
            entry,
            "BOS601",
            f"image '{image}' is not pinned by digest, as {environment} requires",
            loc,
            hint=f"append @sha256:<digest> (crane digest {image})",
        )
    allowed = policy.allowedRegistries
    if allowed and not registry_allowed(reference, allowed):
        yield base.at(
            entry,
            "BOS602",
            f"image '{image}' ({reference.name}) is not from a registry {environment} allows",
            loc,
            hint="allowed: " + ", ".join(allowed),
        )


def registry_allowed(reference: types.ImageReference, allowed: list[str]) -> bool:
    """Whether the image's ``registry/repository`` starts with an allowed prefix, component-wise.

    Docker Hub images are normalized (``python`` is ``docker.io/library/python``)."""
    parts = reference.name.split("/")
    for prefix in allowed:
        wanted = [p for p in prefix.strip().strip("/").split("/") if p]
        if wanted and wanted[0] in ("index.docker.io", "registry-1.docker.io"):
            wanted[0] = "docker.io"
        if wanted and parts[: len(wanted)] == wanted:
            return True
    return False


def _versions(
    target: index.Found[v1alpha1.ServingTarget], environment: str
) -> Iterator[diagnostics.Diagnostic]:
    spec = target.manifest.spec
    override = spec.overrides.get(environment)
    version_loc: tuple[str, ...] = ("spec", "version")
    version = spec.version
    if override is not None and override.version is not None:
        version, version_loc = override.version, ("spec", "overrides", environment, "version")
    hint = (
        f"pin a registry version for {environment}: overrides: {{{environment}: {{version: 'N'}}}}"
    )
    if version == "latest":
        shown = "" if "version" in spec.model_fields_set or override else " (the default)"
        yield base.at(
            target.entry,
            "BOS603",
            f"model '{spec.model}' is served as 'latest'{shown} in {environment}, which requires "
            "a pinned version",
            version_loc,
            hint=hint,
        )
    canary = spec.canary
    canary_loc: tuple[str, ...] = ("spec", "canary", "version")
    if override is not None and override.canary is not None:
        canary, canary_loc = (
            override.canary,
            ("spec", "overrides", environment, "canary", "version"),
        )
    if canary is not None and canary.version == "latest":
        yield base.at(
            target.entry,
            "BOS603",
            f"canary of model '{spec.model}' is 'latest' in {environment}, which requires a "
            "pinned version",
            canary_loc,
            hint="name the canary's registry version",
        )


def _gates(
    target: index.Found[v1alpha1.ServingTarget], environment: str, minimum: list[common.Gate]
) -> Iterator[diagnostics.Diagnostic]:
    spec = target.manifest.spec
    override = spec.overrides.get(environment)
    gates = spec.gates
    where: tuple[str, ...] = ("spec", "gates")
    if override is not None and override.gates is not None:
        gates, where = override.gates, ("spec", "overrides", environment, "gates")
    for required in minimum:
        same_metric = [(k, g) for k, g in enumerate(gates) if g.metric == required.metric]
        if any(at_least_as_strict(g, required) for _, g in same_metric):
            continue
        if same_metric:
            k, weaker = same_metric[0]
            message = f"gate '{weaker}' is weaker than {environment}'s minimum '{required}'"
            loc: diagnostics.Loc = (*where, k, "value")
        else:
            message = f"no gate on '{required.metric}': {environment} requires '{required}'"
            loc = where
        yield base.at(
            target.entry,
            "BOS604",
            message,
            loc,
            hint=f"add or tighten the gate: {{metric: {required.metric}, op: '{required.op}', "
            f"value: {required.value:g}}}",
        )


def _interval(gate: common.Gate) -> Interval:
    value = gate.value
    return {
        ">=": (value, True, None, False),
        ">": (value, False, None, False),
        "<=": (None, False, value, True),
        "<": (None, False, value, False),
        "==": (value, True, value, True),
    }[gate.op]


def at_least_as_strict(gate: common.Gate, required: common.Gate) -> bool:
    """Every value that passes ``gate`` also passes ``required`` (same metric assumed)."""
    low, low_in, high, high_in = _interval(gate)
    min_low, min_low_in, min_high, min_high_in = _interval(required)
    if min_low is not None and (
        low is None or low < min_low or (low == min_low and low_in and not min_low_in)
    ):
        return False
    return min_high is None or not (
        high is None or high > min_high or (high == min_high and high_in and not min_high_in)
    )
