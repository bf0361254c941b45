"""Every ``${{ }}`` reference resolves where it is written.

In a pipeline step (command, args, env values, ``with``):
- ``params.N``: N is a pipeline parameter (BOS304);
- ``steps.S.outputs.N``: S is a step (BOS305) and an ancestor in the DAG (BOS309), and N one of
  its declared outputs (BOS315);
- ``outputs.N``: N is an output of the step itself (BOS315), not in ``with``;
- ``inputs.N``: never (BOS308): only a StepTemplate has inputs.

In a StepTemplate, only ``inputs.N`` and ``outputs.N`` of its own declarations (BOS308).
"""

from __future__ import annotations

from collections.abc import Iterator

from bosun import diagnostics
from bosun.spec import catalog, v1alpha1
from bosun.spec.v1alpha1 import refs
from bosun.validate import base, graph, index, suggest

Located = tuple[diagnostics.Loc, str]


def check(manifests: catalog.Catalog, options: base.Options) -> Iterator[diagnostics.Diagnostic]:
    found = index.of(manifests)
    for pipeline in found.all_pipelines:
        yield from _pipeline(pipeline.entry, pipeline.manifest, found)
    for template in found.all_templates:
        yield from _template(template.entry, template.manifest)


def _pipeline(
    entry: catalog.Entry, pipeline: v1alpha1.Pipeline, found: index.Index
) -> Iterator[diagnostics.Diagnostic]:
    dag = found.graph_of(pipeline)
    acyclic = not dag.cycles()
    parameters = [p.name for p in pipeline.spec.parameters]
    for i, step in enumerate(pipeline.spec.steps):
        if dag.positions[step.name] != i:
            continue  # a second step of the same name: reported as a duplicate
        complete = acyclic and all(d in dag.positions for d in step.dependsOn)
        scope = _StepScope(step, dag, parameters, ordered=complete)
        for loc, text in _step_texts(("spec", "steps", i), step):
            for ref in _references(text):
                problem = scope.resolve(ref, in_with=loc[-2] == "with")
                if problem is not None:
                    code, message, hint = problem
                    yield base.at(entry, code, message, loc, hint=hint)


Problem = tuple[str, str, str | None]


class _StepScope:
    """What the references of one pipeline step may name."""

    def __init__(
        self,
        step: v1alpha1.pipeline.Step,
        dag: graph.PipelineGraph,
        parameters: list[str],
        *,
        ordered: bool,
    ) -> None:
        """``ordered``: the step's ancestors are known (no cycle, no unknown dependsOn), so
        that a missing ancestor is the user's error rather than a consequence of another."""
        self.step, self.dag, self.parameters, self.ordered = step, dag, parameters, ordered
        self.own = dag.outputs.get(step.name, graph.UNKNOWN)

    def resolve(self, ref: refs.Ref, *, in_with: bool) -> Problem | None:
        if isinstance(ref, refs.ParamRef):
            if ref.name in self.parameters:
                return None
            return (
                "BOS304",
                f"{ref} names no parameter of this pipeline",
                suggest.did_you_mean(ref.name, self.parameters)
                or "declare it under spec.parameters",
            )
        if isinstance(ref, refs.StepOutputRef):
            return self._step_output(ref)
        if isinstance(ref, refs.InputRef):
            return (
                "BOS308",
                f"{ref} is only valid inside a StepTemplate",
                "in a pipeline, use ${{ params.NAME }} or ${{ steps.STEP.outputs.NAME }}",
            )
        if in_with:
            return (
                "BOS308",
                f"{ref} cannot be passed through 'with'",
                "the template writes its own outputs; pass inputs here",
            )
        if not self.own.known or ref.name in self.own.names():
            return None
        return (
            "BOS315",
            f"{ref}: step '{self.step.name}' declares no output '{ref.name}'",
            suggest.did_you_mean(ref.name, self.own.names())
            or "declare it under outputs.parameters or outputs.artifacts",
        )

    def _step_output(self, ref: refs.StepOutputRef) -> Problem | None:
        if ref.step not in self.dag.positions:
            return (
                "BOS305",
                f"{ref} names no step of this pipeline",
                suggest.did_you_mean(ref.step, self.dag.positions),
            )
        if ref.step == self.step.name:
            return ("BOS309", f"{ref}: a step cannot consume its own output", None)
        if self.ordered and ref.step not in self.dag.ancestors(self.step.name):
            return (
                "BOS309",
                f"{ref}: step '{ref.step}' does not run before '{self.step.name}'",
                f"add '{ref.step}' to dependsOn of '{self.step.name}'",
            )
        outputs = self.dag.outputs[ref.step]
        if not outputs.known or ref.name in outputs.names():
            return None
        return (
            "BOS315",
            f"{ref}: step '{ref.step}' declares no output '{ref.name}'",
            suggest.did_you_mean(ref.name, outputs.names())
            or f"step '{ref.step}' declares no outputs",
        )


def _step_texts(where: diagnostics.Loc, step: v1alpha1.pipeline.Step) -> Iterator[Located]:
    yield from (((*where, "command", k), text) for k, text in enumerate(step.command or ()))
    yield from (((*where, "args", k), text) for k, text in enumerate(step.args))
    yield from _env_texts((*where, "env"), step.env)
    yield from (((*where, "with", key), text) for key, text in step.with_.items())


def _env_texts(where: diagnostics.Loc, env: list[v1alpha1.common.EnvVar]) -> Iterator[Located]:
    for k, variable in enumerate(env):
        if variable.value is not None:
            yield (*where, k, "value"), variable.value


def _template(
    entry: catalog.Entry, template: v1alpha1.StepTemplate
) -> Iterator[diagnostics.Diagnostic]:
    spec = template.spec
    inputs = [p.name for p in spec.inputs.parameters] + [a.name for a in spec.inputs.artifacts]
    outputs = sorted(spec.outputs.names())
    texts: list[Located] = [(("spec", "command", k), t) for k, t in enumerate(spec.command)]
    texts += [(("spec", "args", k), t) for k, t in enumerate(spec.args)]
    texts += list(_env_texts(("spec", "env"), spec.env))
    for loc, text in texts:
        for ref in _references(text):
            if isinstance(ref, refs.InputRef):
                declared, what = inputs, "input"
            elif isinstance(ref, refs.OutputRef):
                declared, what = outputs, "output"
            else:
                yield base.at(
                    entry,
                    "BOS308",
                    f"{ref} is not available in a StepTemplate",
                    loc,
                    hint="a template sees only ${{ inputs.NAME }} and ${{ outputs.NAME }}: "
                    "declare an input and let the pipeline pass the value with 'with'",
                )
                continue
            if ref.name not in declared:
                yield base.at(
                    entry,
                    "BOS308",
                    f"{ref}: template '{template.metadata.name}' declares no {what} '{ref.name}'",
                    loc,
                    hint=suggest.did_you_mean(ref.name, declared)
                    or f"declare it under spec.{what}s",
                )


def _references(text: str) -> tuple[refs.Ref, ...]:
    if "${{" not in text:
        return ()
    try:
        return refs.references(text)
    except refs.ReferenceSyntaxError:
        return ()  # the schema reported it
