"""Pipeline: a DAG of steps, each a StepTemplate use or an inline container."""

from __future__ import annotations

from typing import Annotated, Literal

from bosun.spec.v1alpha1 import common, refs, types
from pydantic import ConfigDict, Field, model_validator
from pydantic_core import PydanticCustomError

_INLINE_ONLY = ("image", "command", "args", "outputs")


class Step(common.Model):
    """One node of the DAG: ``template`` (+ ``with``), or inline ``image`` + ``command``."""

    model_config = ConfigDict(
        json_schema_extra={
            "if": {"required": ["template"], "properties": {"template": {"type": "string"}}},
            "then": {"not": {"anyOf": [{"required": [field]} for field in _INLINE_ONLY]}},
            "else": {
                "required": ["image", "command"],
                "properties": {
                    "image": {"type": "string"},
                    "command": {"type": "array"},
                    "with": {"maxProperties": 0},
                },
            },
        }
    )

    name: types.DNSLabel
    """Unique in the pipeline; `dependsOn` and `${{ steps.NAME.outputs.X }}` refer to it."""
    template: types.DNSLabel | None = Field(None, description="Name of a StepTemplate.")
    with_: dict[types.Identifier, refs.Expression] = Field(
        default_factory=dict,
        alias="with",
        description="Values of the template's inputs: literals, ${{ params.X }} or "
        "${{ steps.S.outputs.X }}.",
    )
    image: types.Image | None = None
    """Container image of an inline step."""
    command: Annotated[list[refs.Expression], Field(min_length=1)] | None = None
    """argv of an inline step: run without a shell, from the repository root."""
    args: list[refs.Expression] = Field(default_factory=list)
    """More argv elements of an inline step."""
    outputs: common.Outputs = Field(default_factory=common.Outputs)
    """Output parameters and artifacts of an inline step."""
    env: list[common.EnvVar] = Field(default_factory=list)
    """Environment variables of the step's process."""
    dependsOn: list[types.DNSLabel] = Field(default_factory=list)
    """Steps that must succeed before this one starts."""
    resources: common.Resources | None = None
    """Requests (and limits) of the step; the quota's `defaultStepResources` when unset."""
    retries: common.Retries | None = None
    """Retry a failed step."""
    timeout: types.Duration | None = None
    """Fail the step when it runs longer than this (`30m`, `1h30m`; at most 366 days)."""
    cache: bool = Field(True, description="Reuse a previous identical execution's outputs locally.")
    description: common.Text | None = None

    @model_validator(mode="after")
    def _template_or_inline(self) -> Step:
        inline = [f for f in _INLINE_ONLY if f in self.model_fields_set]
        if self.template is not None and inline:
            raise PydanticCustomError(
                "BOS311",
                "step '{step}' uses template '{template}' and also sets {fields}: "
                "a step has either 'template' or 'image' + 'command', never both",
                {"step": self.name, "template": self.template, "fields": ", ".join(inline)},
            )
        if self.template is None and (self.image is None or self.command is None):
            missing = " and ".join(f for f in ("image", "command") if getattr(self, f) is None)
            raise PydanticCustomError(
                "BOS311",
                "step '{step}' has no 'template' and no {missing}: a step has either 'template' "
                "or 'image' + 'command'",
                {"step": self.name, "missing": missing},
            )
        if self.template is None and self.with_:
            raise PydanticCustomError(
                "BOS311",
                "step '{step}' sets 'with' but uses no template: pass values to an inline step "
                "in 'args' or 'env'",
                {"step": self.name, "field": "with"},
            )
        return self


class PipelineSpec(common.Model):
    parameters: list[common.InputParameter] = Field(
        default_factory=list, description="Parameters, referenced as ${{ params.NAME }}."
    )
    steps: Annotated[list[Step], Field(min_length=1)]
    """The DAG: steps run as soon as the steps they depend on succeed."""
    description: common.Text | None = None


class Pipeline(common.Model):
    """A DAG of steps that Experiments run."""

    apiVersion: Literal["bosun.dev/v1alpha1"]
    kind: Literal["Pipeline"]
    metadata: common.TeamMetadata
    spec: PipelineSpec
