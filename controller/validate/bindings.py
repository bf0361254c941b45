"""Steps that use a StepTemplate: the template exists (BOS302), ``with`` names its inputs
(BOS304), supplies every required one (BOS310), and feeds artifact inputs with artifacts and
parameter inputs with values (BOS317)."""

from __future__ import annotations

from collections.abc import Iterator

from bosun import diagnostics
from bosun.spec import catalog, v1alpha1
from bosun.spec.v1alpha1 import refs
from bosun.validate import base, graph, index, suggest


def check(manifests: catalog.Catalog, options: base.Options) -> Iterator[diagnostics.Diagnostic]:
    found = index.of(manifests)
    for pipeline in found.all_pipelines:
        for i, step in enumerate(pipeline.manifest.spec.steps):
            if step.template is None:
                continue
            template = found.templates.get(step.template)
            where = ("spec", "steps", i)
            if template is not None:
                yield from _bindings(
                    pipeline.entry,
                    where,
                    step,
                    template.manifest,
                    found.graph_of(pipeline.manifest),
                )
            elif not found.is_rejected("StepTemplate", step.template):
                yield base.at(
                    pipeline.entry,
                    "BOS302",
                    f"step '{step.name}' uses template '{step.template}', which does not exist",
                    (*where, "template"),
                    hint=suggest.did_you_mean(step.template, found.templates)
                    or "StepTemplates live in templates/ and are shared by every team",
                )


def _bindings(
    entry: catalog.Entry,
    where: diagnostics.Loc,
    step: v1alpha1.pipeline.Step,
    template: v1alpha1.StepTemplate,
    dag: graph.PipelineGraph,
) -> Iterator[diagnostics.Diagnostic]:
    inputs = template.spec.inputs
    parameters = {p.name for p in inputs.parameters}
    artifacts = {a.name for a in inputs.artifacts}
    name = template.metadata.name
    for key, value in step.with_.items():
        loc = (*where, "with", key)
        if key in artifacts:
            yield from _artifact_input(entry, loc, key, value, dag)
        elif key in parameters:
            yield from _parameter_input(entry, loc, key, value, dag)
        else:
            yield base.at(
                entry,
                "BOS304",
                f"template '{name}' has no input '{key}'",
                loc,
                hint=suggest.did_you_mean(key, parameters | artifacts)
                or f"template '{name}' declares no inputs",
                key=True,
            )
    required = [p.name for p in inputs.parameters if p.default is None]
    required += [a.name for a in inputs.artifacts]
    missing = [r for r in required if r not in step.with_]
    if missing:
        shown = ", ".join(f"'{m}'" for m in missing)
        plural = "s" if len(missing) > 1 else ""
        yield base.at(
            entry,
            "BOS310",
            f"step '{step.name}' does not supply required input{plural} {shown} of template "
            f"'{name}'",
            (*where, "with") if step.with_ else (*where, "template"),
            hint=f"add them under with: ({missing[0]}: ...)",
        )


def _artifact_input(
    entry: catalog.Entry, loc: diagnostics.Loc, key: str, value: str, dag: graph.PipelineGraph
) -> Iterator[diagnostics.Diagnostic]:
    parts = _parts(value)
    if len(parts) == 1 and isinstance(parts[0], refs.StepOutputRef):
        ref = parts[0]
        outputs = dag.outputs.get(ref.step)
        if outputs is None or not outputs.known or ref.name not in outputs.parameters:
            return  # an artifact, or an unknown step/output that the expressions check reports
        message = f"input artifact '{key}' is given output parameter '{ref.name}' of '{ref.step}'"
    else:
        got = diagnostics.quote(value)
        message = f"input artifact '{key}' needs a step's output artifact, got {got}"
    yield base.at(
        entry,
        "BOS317",
        message,
        loc,
        hint="write ${{ steps.STEP.outputs.ARTIFACT }}, naming an output artifact of an "
        "earlier step",
    )


def _parameter_input(
    entry: catalog.Entry, loc: diagnostics.Loc, key: str, value: str, dag: graph.PipelineGraph
) -> Iterator[diagnostics.Diagnostic]:
    for ref in _parts(value):
        if not isinstance(ref, refs.StepOutputRef):
            continue
        outputs = dag.outputs.get(ref.step)
        if outputs is not None and ref.name in outputs.artifacts:
            yield base.at(
                entry,
                "BOS317",
                f"input parameter '{key}' is given output artifact '{ref.name}' of '{ref.step}'",
                loc,
                hint="artifacts are files: declare an input artifact in the template and pass "
                "the artifact to it",
            )


def _parts(value: str) -> tuple[refs.Part, ...]:
    try:
        return refs.parse(value)
    except refs.ReferenceSyntaxError:
        return ()  # the schema reported it
