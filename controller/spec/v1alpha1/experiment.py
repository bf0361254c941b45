"""Experiment: a run of a pipeline that logs to MLflow, optionally a sweep of trials."""

from __future__ import annotations

from typing import Annotated, Literal

from bosun.spec.v1alpha1 import common, types
from pydantic import ConfigDict, Field, model_validator
from pydantic_core import PydanticCustomError


class Sweep(common.Model):
    strategy: Literal["grid", "random"] = "grid"
    """`grid`: combinations in order; `random`: `maxTrials` seeded samples."""
    maxTrials: Annotated[int, Field(ge=1, le=1000)] = Field(
        20, description="Cap on the number of trials (grid: first N combinations in order)."
    )
    parallelism: Annotated[int, Field(ge=1)] = Field(
        1, description="Trials run at once; never above the quota's maxParallelSteps."
    )
    seed: Annotated[int, Field(ge=0)] = Field(0, description="Seed of the random strategy.")
    parameters: Annotated[
        dict[types.Identifier, Annotated[list[types.ParamValue], Field(min_length=1)]],
        Field(min_length=1),
    ] = Field(description="Candidate values of each swept pipeline parameter.")


class Objective(common.Model):
    metric: types.MetricName
    """Metric that ranks trials."""
    goal: Literal["maximize", "minimize"] = "maximize"
    """Whether a higher or a lower value is better."""


class Register(common.Model):
    model: types.ModelName = Field(description="Registered model name in MLflow.")
    artifact: types.Identifier = Field(description="Output artifact holding the MLflow model.")
    step: types.DNSLabel = Field(description="Pipeline step that writes the artifact.")


class DatasetRef(common.Model):
    step: types.DNSLabel = Field(description="Pipeline step that writes the dataset.")
    artifact: types.Identifier = Field(description="Output artifact holding the dataset.")


class ExperimentSpec(common.Model):
    model_config = ConfigDict(
        json_schema_extra={
            "if": {"required": ["sweep"], "properties": {"sweep": {"type": "object"}}},
            "then": {"required": ["objective"], "properties": {"objective": {"type": "object"}}},
        }
    )

    pipeline: types.DNSLabel
    """Name of a Pipeline of the same team."""
    parameters: dict[types.Identifier, types.ParamValue] = Field(
        default_factory=dict, description="Values of pipeline parameters, overriding defaults."
    )
    sweep: Sweep | None = None
    """Run several trials with different parameter values."""
    objective: Objective | None = None
    """How to pick the best trial; required with a sweep."""
    register_: Register | None = Field(
        None, alias="register", description="Register the best trial's artifact as a model version."
    )
    dataset: DatasetRef | None = Field(
        None,
        description="Output artifact whose digest each trial logs as its MLflow dataset input.",
    )
    schedule: types.Cron | None = Field(
        None,
        description="5-field cron in UTC (`0 3 * * *`), or one of `@yearly`, `@annually`, "
        "`@monthly`, `@weekly`, `@daily`, `@midnight`, `@hourly` (as Argo accepts them); renders "
        "a CronWorkflow instead of a one-off Workflow.",
    )
    description: common.Text | None = None

    @model_validator(mode="after")
    def _consistent(self) -> ExperimentSpec:
        if self.sweep is not None and self.objective is None:
            raise PydanticCustomError(
                "BOS202", "a sweep needs an 'objective' to select its best trial"
            )
        if self.sweep is not None:
            both = sorted(set(self.sweep.parameters) & set(self.parameters))
            if both:
                raise PydanticCustomError(
                    "BOS204",
                    "parameter {names} is both fixed in 'parameters' and swept in "
                    "'sweep.parameters'",
                    {"names": ", ".join(repr(n) for n in both)},
                )
        return self


class Experiment(common.Model):
    """Runs a pipeline once per distinct (spec, commit), or on a schedule."""

    apiVersion: Literal["bosun.dev/v1alpha1"]
    kind: Literal["Experiment"]
    metadata: common.TeamMetadata
    spec: ExperimentSpec
