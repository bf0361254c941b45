"""ServingTarget: a registered model served in every environment, with per-environment overrides."""

from __future__ import annotations

from typing import Annotated, Literal

from bosun.spec.v1alpha1 import common, types
from pydantic import Field, model_validator
from pydantic_core import PydanticCustomError


class Replicas(common.Model):
    min: Annotated[int, Field(ge=0)] = 1
    """Fewest replicas."""
    max: Annotated[int, Field(ge=1)] = 1
    """Most replicas."""

    @model_validator(mode="after")
    def _ordered(self) -> Replicas:
        if self.max < self.min:
            raise PydanticCustomError(
                "BOS204",
                "replicas.max ({max}) is below replicas.min ({min})",
                {"max": self.max, "min": self.min},
            )
        return self


class Canary(common.Model):
    version: types.ModelVersion = Field(description="The version that receives the canary share.")
    trafficPercent: Annotated[int, Field(ge=0, le=100)] = Field(
        description="Share of requests sent to the canary version, 0-100."
    )


class ServingOverride(common.Model):
    """Values that replace the ServingTarget's own in one environment."""

    version: types.ModelVersion | None = None
    """Version served in this environment."""
    replicas: Replicas | None = None
    """Replicas in this environment."""
    resources: common.Resources | None = None
    """Resources in this environment."""
    canary: Canary | None = None
    """Canary in this environment."""
    gates: list[common.Gate] | None = None
    """Gates in this environment (replacing the target's own)."""


class ServingTargetSpec(common.Model):
    model: types.ModelName = Field(description="Registered model name.")
    external: bool = Field(
        False,
        description="The model is registered outside bosun; no Experiment needs to register it.",
    )
    version: types.ModelVersion = Field(
        "latest", description="A registry version number, or 'latest' where policy allows it."
    )
    replicas: Replicas = Field(default_factory=Replicas)
    """Autoscaling bounds."""
    resources: common.Resources | None = None
    """Requests (and limits) of each replica."""
    canary: Canary | None = None
    """Send a share of the traffic to another version."""
    gates: list[common.Gate] = Field(
        default_factory=list, description="Checked on the version's source run before serving."
    )
    overrides: dict[types.DNSLabel, ServingOverride] = Field(
        default_factory=dict, description="Per-environment values, keyed by environment name."
    )
    description: common.Text | None = None

    def for_environment(self, environment: str) -> ServingTargetSpec:
        """This spec with the environment's override applied (and no overrides left)."""
        override = self.overrides.get(environment)
        changes = {} if override is None else override.model_dump(exclude_none=True)
        updated = self.model_copy(update={"overrides": {}})
        if not changes:
            return updated
        return ServingTargetSpec.model_validate(
            {**updated.model_dump(by_alias=True), **changes}, strict=False
        )


class ServingMetadata(common.TeamMetadata):
    """Metadata of a ServingTarget: its name becomes the InferenceService's."""

    name: types.InferenceServiceName
    """The InferenceService's name: a lowercase letter first, at most 45 characters (KServe)."""


class ServingTarget(common.Model):
    """Serves a registered model: a KServe InferenceService, or a local scoring server."""

    apiVersion: Literal["bosun.dev/v1alpha1"]
    kind: Literal["ServingTarget"]
    metadata: ServingMetadata
    spec: ServingTargetSpec
