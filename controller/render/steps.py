"""One pipeline step → its container template and its task in the pipeline's ``main`` DAG.

A StepTemplate's container is inlined, so that the step's own resources, env, retries and timeout
apply to it (an Argo ``templateRef`` cannot override a container). References become Argo text in
the scope where they are read:

* in a container: ``${{ inputs.X }}`` → ``{{inputs.parameters.X}}`` or ``/tmp/bosun/inputs/X``,
  ``${{ outputs.X }}`` → ``/tmp/bosun/outputs/X``, ``${{ params.X }}`` → an input ``X``,
  ``${{ steps.S.outputs.N }}`` → an input ``S-N`` (parameter, or artifact at its path);
* in the task that calls it: the values of those inputs, from ``main``'s inputs and
  ``{{tasks.S.outputs...}}``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

from bosun.render import argo_text, containers, context, scope
from bosun.spec.v1alpha1 import common, pipeline, refs, step_template

Loc = scope.Loc


@dataclasses.dataclass(frozen=True)
class Outputs:
    """The output parameter and artifact names of every step of one pipeline."""

    parameters: dict[str, frozenset[str]]
    artifacts: dict[str, frozenset[str]]

    def kind(self, step: str, name: str) -> str | None:
        if name in self.parameters.get(step, ()):
            return "parameter"
        if name in self.artifacts.get(step, ()):
            return "artifact"
        return None


@dataclasses.dataclass
class _Needs:
    """Inputs that step-level text asks for: input name → the task's value for it (Argo text)."""

    parameters: dict[str, str] = dataclasses.field(default_factory=dict)
    artifacts: dict[str, str] = dataclasses.field(default_factory=dict)


class StepRenderer(scope.Scope):
    """Renders the steps of one pipeline; raises ``RenderError`` anchored on the pipeline."""

    def __init__(
        self,
        ctx: context.Context,
        manifest: pipeline.Pipeline,
        templates: dict[str, step_template.StepTemplate],
        outputs: Outputs,
        defaults: common.Resources | None,
    ) -> None:
        super().__init__(ctx, manifest)
        self.templates = templates
        self.outputs = outputs
        self.defaults = defaults
        self.params = {p.name for p in manifest.spec.parameters}

    def render(self, index: int, step: pipeline.Step) -> tuple[dict[str, Any], dict[str, Any]]:
        """(container template, DAG task) of ``spec.steps[index]``."""
        loc: Loc = ("spec", "steps", index)
        if step.template is None:
            spec, task = self._inline(step, loc)
        else:
            spec, task = self._templated(step, loc)
        if step.dependsOn:
            task["depends"] = " && ".join(step.dependsOn)
        return containers.template(spec), task

    # --- references in step-level text ------------------------------------------------------------

    def _step_resolver(
        self, step: pipeline.Step, loc: Loc, needs: _Needs, own: Callable[[refs.Ref], str | None]
    ) -> Callable[[refs.Ref], str]:
        def resolve(ref: refs.Ref) -> str:
            found = own(ref)
            if found is not None:
                return found
            if isinstance(ref, refs.ParamRef):
                if ref.name not in self.params:
                    raise self.fail(loc, "BOS304", f"unknown parameter '{ref.name}'")
                needs.parameters[ref.name] = argo_text.input_parameter(ref.name)
                return argo_text.input_parameter(ref.name)
            if isinstance(ref, refs.StepOutputRef):
                return self._step_output(ref, loc, needs)
            raise self.fail(loc, "BOS308", f"{ref} does not resolve in step '{step.name}'")

        return resolve

    def _step_output(self, ref: refs.StepOutputRef, loc: Loc, needs: _Needs) -> str:
        kind = self.outputs.kind(ref.step, ref.name)
        if kind is None:
            raise self.fail(loc, "BOS315", f"{ref}: step '{ref.step}' has no output '{ref.name}'")
        name = f"{ref.step}-{ref.name}"
        if kind == "parameter":
            needs.parameters[name] = argo_text.argo(
                f"tasks.{ref.step}.outputs.parameters.{ref.name}"
            )
            return argo_text.input_parameter(name)
        needs.artifacts[name] = argo_text.argo(f"tasks.{ref.step}.outputs.artifacts.{ref.name}")
        return argo_text.input_path(name)

    # --- inline steps -----------------------------------------------------------------------------

    def _inline(self, step: pipeline.Step, loc: Loc) -> tuple[containers.Container, dict[str, Any]]:
        needs = _Needs()
        own_outputs = step.outputs.names()

        def own(ref: refs.Ref) -> str | None:
            if isinstance(ref, refs.OutputRef):
                if ref.name not in own_outputs:
                    raise self.fail(loc, "BOS315", f"step '{step.name}' has no output '{ref.name}'")
                return argo_text.output_path(ref.name)
            return None

        resolve = self._step_resolver(step, loc, needs, own)
        command = [
            self.text(c, (*loc, "command", i), resolve) for i, c in enumerate(step.command or [])
        ]
        args = [self.text(a, (*loc, "args", i), resolve) for i, a in enumerate(step.args)]
        env = self.env(step.env, (*loc, "env"), resolve)
        spec = containers.Container(
            name=step.name,
            image=step.image or "",
            command=command,
            args=args,
            env=containers.bosun_env(trial=True) + env,
            parameters=scope.trial_inputs() + [{"name": n} for n in needs.parameters],
            artifacts=scope.source_artifacts(self.ctx) + [{"name": n} for n in needs.artifacts],
            outputs=step.outputs,
            resources=_resources(step.resources, None, self.defaults),
            retries=step.retries,
            timeout=step.timeout,
            cache=step.cache,
        )
        return spec, _task(step.name, needs.parameters, needs.artifacts)

    # --- steps that use a StepTemplate ------------------------------------------------------------

    def _templated(
        self, step: pipeline.Step, loc: Loc
    ) -> tuple[containers.Container, dict[str, Any]]:
        template = self.templates.get(step.template or "")
        if template is None:
            raise self.fail(
                (*loc, "template"), "BOS302", f"unknown step template '{step.template}'"
            )
        base, own = self.template_container(step.name, template, (*loc, "template"))
        needs = _Needs()
        resolve = self._step_resolver(step, loc, needs, own)
        env_by_name = {e["name"]: e for e in base.env}
        for entry in self.env(step.env, (*loc, "env"), resolve):
            env_by_name[entry["name"]] = entry
        taken = {p["name"] for p in base.parameters} | {a["name"] for a in base.artifacts}
        clash = sorted((set(needs.parameters) | set(needs.artifacts)) & taken)
        if clash:
            raise self.fail(
                (*loc, "env"),
                "BOS318",
                f"'{clash[0]}' is both an input of template '{template.metadata.name}' and a "
                "value that this step's env references",
                hint="pass the value through 'with' instead",
            )
        arguments, from_artifacts = self._with(step, template, loc)
        container = dataclasses.replace(
            base,
            env=list(env_by_name.values()),
            parameters=base.parameters + [{"name": n} for n in needs.parameters],
            artifacts=base.artifacts + [{"name": n} for n in needs.artifacts],
            resources=_resources(step.resources, template.spec.resources, self.defaults),
            retries=step.retries or template.spec.retries,
            timeout=step.timeout or template.spec.timeout,
            cache=step.cache,
        )
        task = _task(
            step.name, {**arguments, **needs.parameters}, {**from_artifacts, **needs.artifacts}
        )
        return container, task

    def _with(
        self, step: pipeline.Step, template: step_template.StepTemplate, loc: Loc
    ) -> tuple[dict[str, str], dict[str, str]]:
        """Task arguments from ``with``: (parameter values, artifact ``from``s)."""
        spec = template.spec
        known = {p.name for p in spec.inputs.parameters} | {a.name for a in spec.inputs.artifacts}
        for key in step.with_:
            if key not in known:
                raise self.fail(
                    (*loc, "with", key),
                    "BOS304",
                    f"template '{template.metadata.name}' has no input '{key}'",
                )
        values: dict[str, str] = {}
        for p in spec.inputs.parameters:
            if p.name in step.with_:
                values[p.name] = self._task_value(step.with_[p.name], (*loc, "with", p.name))
            elif p.default is None:
                raise self.fail(
                    (*loc, "with"), "BOS310", f"missing required template input '{p.name}'"
                )
        artifacts: dict[str, str] = {}
        for a in spec.inputs.artifacts:
            wloc: Loc = (*loc, "with", a.name)
            ref = argo_text.single_ref(step.with_.get(a.name, ""))
            if a.name not in step.with_:
                raise self.fail(
                    (*loc, "with"), "BOS310", f"missing required template input '{a.name}'"
                )
            if (
                not isinstance(ref, refs.StepOutputRef)
                or self.outputs.kind(ref.step, ref.name) != "artifact"
            ):
                raise self.fail(
                    wloc,
                    "BOS308",
                    f"input artifact '{a.name}' needs exactly one reference "
                    "'${{ steps.STEP.outputs.NAME }}' to an output artifact",
                )
            artifacts[a.name] = argo_text.argo(f"tasks.{ref.step}.outputs.artifacts.{ref.name}")
        return values, artifacts

    def _task_value(self, value: str, loc: Loc) -> str:
        """A ``with`` value in ``main``'s scope."""

        def resolve(ref: refs.Ref) -> str:
            if isinstance(ref, refs.ParamRef) and ref.name in self.params:
                return argo_text.input_parameter(ref.name)
            if isinstance(ref, refs.StepOutputRef):
                kind = self.outputs.kind(ref.step, ref.name)
                if kind == "parameter":
                    return argo_text.argo(f"tasks.{ref.step}.outputs.parameters.{ref.name}")
                if kind == "artifact":
                    raise self.fail(
                        loc, "BOS308", f"{ref} is an artifact; it cannot fill a parameter input"
                    )
                raise self.fail(loc, "BOS315", f"step '{ref.step}' has no output '{ref.name}'")
            if isinstance(ref, refs.ParamRef):
                raise self.fail(loc, "BOS304", f"unknown parameter '{ref.name}'")
            raise self.fail(loc, "BOS308", f"{ref} does not resolve in 'with'")

        return self.text(value, loc, resolve)


def _resources(
    step: common.Resources | None,
    template: common.Resources | None,
    defaults: common.Resources | None,
) -> common.Resources | None:
    """The step's own values, then its template's, then the quota's ``defaultStepResources``."""
    merged = template.merged_over(defaults) if template is not None else defaults
    return step.merged_over(merged) if step is not None else merged


def _task(name: str, parameters: dict[str, str], artifacts: dict[str, str]) -> dict[str, Any]:
    passed = [
        {
            "name": containers.RUN_ID_INPUT,
            "value": argo_text.input_parameter(containers.RUN_ID_INPUT),
        },
        {
            "name": containers.TRIAL_INPUT,
            "value": argo_text.input_parameter(containers.TRIAL_INPUT),
        },
        *({"name": k, "value": v} for k, v in parameters.items()),
    ]
    arguments: dict[str, Any] = {"parameters": passed}
    if artifacts:
        arguments["artifacts"] = [{"name": k, "from": v} for k, v in artifacts.items()]
    return {"name": name, "template": name, "arguments": arguments}
