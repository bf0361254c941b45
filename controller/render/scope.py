"""The text of one manifest → Argo text, with failures anchored on that manifest; and a
StepTemplate's container, which pipelines inline and ClusterWorkflowTemplates wrap."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bosun.render import argo_text, containers, context
from bosun.spec.v1alpha1 import common, pipeline, refs, step_template

Loc = tuple[str | int, ...]
Resolve = Callable[[refs.Ref], str]
OwnResolve = Callable[[refs.Ref], str | None]


class Scope:
    """Translates the text of ``manifest``; failures become ``RenderError``s anchored on it."""

    def __init__(
        self, ctx: context.Context, manifest: pipeline.Pipeline | step_template.StepTemplate
    ) -> None:
        self.ctx = ctx
        self.manifest = manifest

    def fail(self, loc: Loc, code: str, message: str, hint: str | None = None) -> Exception:
        return self.ctx.error(self.manifest, code, message, loc, hint)

    def text(self, value: str, loc: Loc, resolve: Resolve) -> str:
        try:
            return argo_text.translate(value, resolve)
        except argo_text.TextError as error:
            raise self.fail(loc, error.code, str(error)) from None

    def literal(self, value: str, loc: Loc) -> str:
        try:
            return argo_text.literal(value)
        except argo_text.TextError as error:
            raise self.fail(loc, error.code, str(error)) from None

    def env(self, entries: list[common.EnvVar], loc: Loc, resolve: Resolve) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        for i, entry in enumerate(entries):
            if entry.name in containers.RESERVED_ENV:
                raise self.fail(
                    (*loc, i, "name"),
                    "BOS318",
                    f"env '{entry.name}' is set by bosun on every step",
                    hint="bosun sets the MLFLOW_* and BOSUN_* wiring itself; choose another name",
                )
            if entry.secretRef is not None:
                ref = {"name": entry.secretRef.name, "key": entry.secretRef.key}
                out.append({"name": entry.name, "valueFrom": {"secretKeyRef": ref}})
            else:
                value = self.text(entry.value or "", (*loc, i, "value"), resolve)
                out.append({"name": entry.name, "value": value})
        return out

    def template_container(
        self, name: str, template: step_template.StepTemplate, loc: Loc
    ) -> tuple[containers.Container, OwnResolve]:
        """The StepTemplate's container (its text reads only its own inputs and outputs), and
        the resolver of those references for the text of a step that uses it."""
        spec = template.spec
        own = template_refs(template)

        def inner(ref: refs.Ref) -> str:
            found = own(ref)
            if found is None:
                raise self.fail(
                    loc,
                    "BOS308",
                    f"{ref} in template '{template.metadata.name}' does not resolve: a template "
                    "reads only its own inputs and outputs",
                )
            return found

        parameters = [
            {
                "name": p.name,
                **({} if p.default is None else {"default": self.literal(p.default, loc)}),
            }
            for p in spec.inputs.parameters
        ]
        container = containers.Container(
            name=name,
            image=spec.image,
            command=[self.text(c, loc, inner) for c in spec.command],
            args=[self.text(a, loc, inner) for a in spec.args],
            env=containers.bosun_env(trial=True) + self.env(spec.env, loc, inner),
            parameters=trial_inputs() + parameters,
            artifacts=source_artifacts(self.ctx)
            + [{"name": a.name} for a in spec.inputs.artifacts],
            outputs=spec.outputs,
            resources=spec.resources,
            retries=spec.retries,
            timeout=spec.timeout,
        )
        return container, own


def template_refs(template: step_template.StepTemplate) -> OwnResolve:
    """Argo text of the references a StepTemplate's own text may hold (None for others)."""
    spec = template.spec
    in_params = {p.name for p in spec.inputs.parameters}
    in_artifacts = {a.name for a in spec.inputs.artifacts}
    out_names = spec.outputs.names()

    def own(ref: refs.Ref) -> str | None:
        if isinstance(ref, refs.InputRef) and ref.name in in_params:
            return argo_text.input_parameter(ref.name)
        if isinstance(ref, refs.InputRef) and ref.name in in_artifacts:
            return argo_text.input_path(ref.name)
        if isinstance(ref, refs.OutputRef) and ref.name in out_names:
            return argo_text.output_path(ref.name)
        return None

    return own


def trial_inputs() -> list[dict[str, Any]]:
    """The MLflow run and index of the trial a step runs in (defaults for standalone runs)."""
    return [
        {"name": containers.RUN_ID_INPUT, "default": ""},
        {"name": containers.TRIAL_INPUT, "default": "0"},
    ]


def source_artifacts(ctx: context.Context) -> list[dict[str, Any]]:
    artifact = containers.source_artifact(ctx.source)
    return [] if artifact is None else [artifact]
