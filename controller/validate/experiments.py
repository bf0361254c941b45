"""An Experiment runs a pipeline of its own team (BOS303) with parameters it declares (BOS304),
supplies those without a default (BOS310), and registers or logs an output artifact of one of its
steps (BOS305, BOS315)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

from bosun import diagnostics
from bosun.spec import catalog, v1alpha1
from bosun.validate import base, graph, index, suggest


def check(manifests: catalog.Catalog, options: base.Options) -> Iterator[diagnostics.Diagnostic]:
    found = index.of(manifests)
    teams_of: dict[str, list[str]] = defaultdict(list)
    names_in: dict[str, list[str]] = defaultdict(list)
    for team, name in found.pipelines:
        teams_of[name].append(team)
        names_in[team].append(name)
    for experiment in found.experiments:
        spec = experiment.manifest.spec
        team = experiment.manifest.metadata.team
        pipeline = found.pipelines.get((team, spec.pipeline))
        if pipeline is not None:
            yield from _against(experiment, pipeline.manifest, found.graph_of(pipeline.manifest))
        elif not found.is_rejected("Pipeline", spec.pipeline, team):
            others = teams_of.get(spec.pipeline)
            hint = (
                f"pipeline '{spec.pipeline}' belongs to team '{others[0]}'; an Experiment runs "
                "a pipeline of its own team"
                if others
                else suggest.did_you_mean(spec.pipeline, names_in[team])
            )
            yield base.at(
                experiment.entry,
                "BOS303",
                f"team '{team}' has no pipeline '{spec.pipeline}'",
                ("spec", "pipeline"),
                hint=hint,
            )


def _against(
    experiment: index.Found[v1alpha1.Experiment],
    pipeline: v1alpha1.Pipeline,
    dag: graph.PipelineGraph,
) -> Iterator[diagnostics.Diagnostic]:
    entry, spec = experiment.entry, experiment.manifest.spec
    declared = [p.name for p in pipeline.spec.parameters]
    given: list[tuple[diagnostics.Loc, str]] = [
        (("spec", "parameters", n), n) for n in spec.parameters
    ]
    if spec.sweep is not None:
        given += [(("spec", "sweep", "parameters", n), n) for n in spec.sweep.parameters]
    for loc, name in given:
        if name not in declared:
            yield base.at(
                entry,
                "BOS304",
                f"pipeline '{pipeline.metadata.name}' has no parameter '{name}'",
                loc,
                hint=suggest.did_you_mean(name, declared),
                key=True,
            )
    supplied = {name for _, name in given}
    missing = [
        p.name for p in pipeline.spec.parameters if p.default is None and p.name not in supplied
    ]
    if missing:
        yield base.at(
            entry,
            "BOS310",
            "pipeline parameter " + ", ".join(f"'{m}'" for m in missing) + " has no default "
            "and is not set",
            ("spec", "parameters") if spec.parameters else ("spec", "pipeline"),
            hint="set it under spec.parameters or sweep over it in spec.sweep.parameters",
        )
    if spec.register_ is not None:
        yield from _artifact(entry, "register", spec.register_.step, spec.register_.artifact, dag)
    if spec.dataset is not None:
        yield from _artifact(entry, "dataset", spec.dataset.step, spec.dataset.artifact, dag)


def _artifact(
    entry: catalog.Entry, field: str, step: str, artifact: str, dag: graph.PipelineGraph
) -> Iterator[diagnostics.Diagnostic]:
    if step not in dag.positions:
        yield base.at(
            entry,
            "BOS305",
            f"{field}.step '{step}' is not a step of the pipeline",
            ("spec", field, "step"),
            hint=suggest.did_you_mean(step, dag.positions),
        )
        return
    outputs = dag.outputs[step]
    if not outputs.known or artifact in outputs.artifacts:
        return
    if artifact in outputs.parameters:
        hint = f"'{artifact}' is an output parameter; {field} needs an output artifact"
    else:
        hint = suggest.did_you_mean(artifact, outputs.artifacts) or (
            f"step '{step}' declares no output artifacts"
        )
    yield base.at(
        entry,
        "BOS315",
        f"step '{step}' has no output artifact '{artifact}'",
        ("spec", field, "artifact"),
        hint=hint,
    )
