"""Quota: the resources a team may use in each environment."""

from __future__ import annotations

from typing import Annotated, Literal

from bosun.spec.v1alpha1 import common, types
from pydantic import Field


class QuotaSpec(common.Model):
    environments: list[types.DNSLabel] | None = Field(
        None, description="Environments this quota applies to; all of them when omitted."
    )
    hard: common.Resources = Field(
        description="Caps on the total requests of the team's running steps (a ResourceQuota)."
    )
    maxConcurrentWorkflows: Annotated[int, Field(ge=1)] | None = Field(
        None, description="Workflows beyond this many queue on a semaphore instead of failing."
    )
    maxParallelSteps: Annotated[int, Field(ge=1)] | None = Field(
        None, description="Upper bound of the parallelism of any workflow, sweeps included."
    )
    defaultStepResources: common.Resources | None = Field(
        None, description="Requests of steps that set none (a LimitRange default)."
    )

    def applies_to(self, environment: str) -> bool:
        return self.environments is None or environment in self.environments


class Quota(common.Model):
    """The resources a team may use in each environment it applies to."""

    apiVersion: Literal["bosun.dev/v1alpha1"]
    kind: Literal["Quota"]
    metadata: common.TeamMetadata
    spec: QuotaSpec
