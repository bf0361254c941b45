"""bosun.dev/v1alpha1: the manifest kinds of DESIGN §2."""

from __future__ import annotations

from typing import Annotated

from bosun.spec.v1alpha1.common import API_VERSION
from bosun.spec.v1alpha1.environment import Environment
from bosun.spec.v1alpha1.experiment import Experiment
from bosun.spec.v1alpha1.pipeline import Pipeline
from bosun.spec.v1alpha1.quota import Quota
from bosun.spec.v1alpha1.serving_target import ServingTarget
from bosun.spec.v1alpha1.step_template import StepTemplate
from bosun.spec.v1alpha1.team import Team
from pydantic import Field

Manifest = Team | Quota | StepTemplate | Pipeline | Experiment | ServingTarget | Environment
"""Any v1alpha1 manifest."""

AnyManifest = Annotated[Manifest, Field(discriminator="kind")]

KINDS: dict[str, type[Manifest]] = {
    "Team": Team,
    "Quota": Quota,
    "StepTemplate": StepTemplate,
    "Pipeline": Pipeline,
    "Experiment": Experiment,
    "ServingTarget": ServingTarget,
    "Environment": Environment,
}
TEAM_SCOPED = frozenset({"Quota", "Pipeline", "Experiment", "ServingTarget"})

__all__ = [
    "API_VERSION",
    "KINDS",
    "TEAM_SCOPED",
    "AnyManifest",
    "Environment",
    "Experiment",
    "Manifest",
    "Pipeline",
    "Quota",
    "ServingTarget",
    "StepTemplate",
    "Team",
]
