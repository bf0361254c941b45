"""StepTemplate: a reusable, platform-wide step (in ``templates/``)."""

from __future__ import annotations

from typing import Annotated, Literal

from bosun.spec.v1alpha1 import common, refs, types
from pydantic import Field


class StepTemplateSpec(common.Model):
    image: types.Image = Field(description="Container image; policy may require a digest.")
    command: Annotated[list[refs.Expression], Field(min_length=1)] = Field(
        description="argv[0..]: run without a shell, with the repository root as working directory."
    )
    args: list[refs.Expression] = Field(
        default_factory=list,
        description="More argv elements. ${{ inputs.NAME }} and ${{ outputs.NAME }} are allowed.",
    )
    env: list[common.EnvVar] = Field(default_factory=list)
    """Environment variables of the step's process."""
    inputs: common.Inputs = Field(default_factory=common.Inputs)
    """Parameters and artifacts that a step passes with `with`."""
    outputs: common.Outputs = Field(default_factory=common.Outputs)
    """Output parameters and artifacts, written under `$BOSUN_OUTPUTS`."""
    resources: common.Resources | None = None
    """Default requests; a step's own `resources` win."""
    retries: common.Retries | None = None
    """Default retry policy; a step's own `retries` win."""
    timeout: types.Duration | None = None
    """Default timeout (`30m`, `1h30m`; at most 366 days); a step's own `timeout` wins."""
    description: common.Text | None = None


class StepTemplate(common.Model):
    """A reusable step. Pipelines of every team use it with ``template:`` and ``with:``."""

    apiVersion: Literal["bosun.dev/v1alpha1"]
    kind: Literal["StepTemplate"]
    metadata: common.Metadata
    spec: StepTemplateSpec
