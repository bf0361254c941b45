"""Building blocks shared by several kinds: metadata, resources, env, inputs/outputs, gates."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Literal

from bosun.spec.v1alpha1 import refs, types
from pydantic import BaseModel, ConfigDict, Field, model_validator
from pydantic_core import PydanticCustomError

API_VERSION = "bosun.dev/v1alpha1"


class Model(BaseModel):
    """Closed, immutable and strict: unknown fields are errors and ``"2"`` is not an int."""

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        strict=True,
        defer_build=True,
        # An attribute's docstring is its schema description: spec.docstrings reads them when a
        # schema is generated (pydantic's use_attribute_docstrings slows every start by 130 ms).
    )


Text = Annotated[str, Field(max_length=4096)]


class Metadata(Model):
    """Metadata of platform-wide kinds (Team, StepTemplate, Environment)."""

    name: types.DNSLabel
    """Unique per kind (and team); it becomes part of Kubernetes object names."""
    labels: dict[str, str] = Field(default_factory=dict)
    """Free-form key/value labels."""
    annotations: dict[str, str] = Field(default_factory=dict)
    """Free-form key/value annotations."""


class TeamMetadata(Metadata):
    """Metadata of team-scoped kinds; ``team`` must match the ``teams/<team>/`` folder."""

    team: types.DNSLabel
    """The owning team: the `teams/<team>/` folder the manifest lives in."""


class Resources(Model):
    """CPU, memory and GPUs: a step's requests (limits equal requests) or a quota's hard caps.

    ``gpu`` becomes ``nvidia.com/gpu``.
    """

    cpu: types.Quantity | None = None
    """CPU cores: `2`, or `500m` for half a core."""
    memory: types.Quantity | None = None
    """Bytes with a Kubernetes suffix: `512Mi`, `4Gi` (not `4GB`)."""
    gpu: Annotated[int, Field(ge=0)] | None = None
    """Whole GPUs (`nvidia.com/gpu`)."""

    def amounts(self) -> dict[str, Decimal]:
        """Comparable amounts of the resources that are set."""
        out: dict[str, Decimal] = {}
        if self.cpu is not None:
            out["cpu"] = types.quantity_value(self.cpu)
        if self.memory is not None:
            out["memory"] = types.quantity_value(self.memory)
        if self.gpu is not None:
            out["gpu"] = Decimal(self.gpu)
        return out

    def merged_over(self, defaults: Resources | None) -> Resources:
        """These resources, with unset fields taken from ``defaults``."""
        if defaults is None:
            return self
        return Resources(
            cpu=self.cpu if self.cpu is not None else defaults.cpu,
            memory=self.memory if self.memory is not None else defaults.memory,
            gpu=self.gpu if self.gpu is not None else defaults.gpu,
        )


class SecretRef(Model):
    name: types.DNSSubdomain
    """Name of the Kubernetes Secret."""
    key: types.SecretKey
    """Key inside the Secret."""


class EnvVar(Model):
    """An environment variable: a literal ``value`` or a ``secretRef``, never both."""

    model_config = ConfigDict(
        json_schema_extra={
            "oneOf": [
                {"required": ["value"], "properties": {"value": {"type": "string"}}},
                {"required": ["secretRef"], "properties": {"secretRef": {"type": "object"}}},
            ]
        }
    )

    name: types.Identifier
    """Variable name."""
    value: refs.Expression | None = None
    """Literal value; may hold `${{ }}` references."""
    secretRef: SecretRef | None = None
    """Read the value from a Kubernetes Secret instead of writing it here."""

    @model_validator(mode="after")
    def _value_or_secret(self) -> EnvVar:
        if (self.value is None) == (self.secretRef is None):
            raise PydanticCustomError(
                "BOS204", "an env entry has exactly one of 'value' or 'secretRef'"
            )
        return self


class InputParameter(Model):
    name: types.Identifier
    """Referenced as `${{ params.NAME }}` in a pipeline, `${{ inputs.NAME }}` in a template."""
    default: types.ParamValue | None = None
    """Used when no value is given; without a default the parameter is required."""
    description: Text | None = None


class InputArtifact(Model):
    name: types.Identifier
    """Referenced as `${{ inputs.NAME }}`: a local path to a copy of the artifact."""
    description: Text | None = None


class OutputParameter(Model):
    """Its value is the stripped content of ``$BOSUN_OUTPUTS/<fromFile or name>``."""

    name: types.Identifier
    """Read by later steps as `${{ steps.STEP.outputs.NAME }}`."""
    fromFile: types.OutputPath | None = None
    """File to read, relative to `$BOSUN_OUTPUTS`, instead of `NAME`; it may not leave it."""
    description: Text | None = None


class OutputArtifact(Model):
    """A file or directory the step writes at ``$BOSUN_OUTPUTS/<fromFile or name>``."""

    name: types.Identifier
    """Written at `${{ outputs.NAME }}`; read by later steps as `${{ steps.STEP.outputs.NAME }}`."""
    fromFile: types.OutputPath | None = None
    """Path to collect, relative to `$BOSUN_OUTPUTS`, instead of `NAME`; it may not leave it."""
    description: Text | None = None


class Inputs(Model):
    parameters: list[InputParameter] = Field(default_factory=list)
    """String values the step receives."""
    artifacts: list[InputArtifact] = Field(default_factory=list)
    """Files or directories the step receives."""


class Outputs(Model):
    parameters: list[OutputParameter] = Field(default_factory=list)
    """Short string results (a file's stripped content)."""
    artifacts: list[OutputArtifact] = Field(default_factory=list)
    """Files or directories the step produces."""

    def names(self) -> set[str]:
        return {p.name for p in self.parameters} | {a.name for a in self.artifacts}


class Retries(Model):
    """Argo ``retryStrategy``: ``limit`` retries, waiting ``backoff`` * ``factor``^n between."""

    limit: Annotated[int, Field(ge=0, le=100)]
    """Retries after the first failure."""
    backoff: types.Duration | None = None
    """Wait before the first retry (`10s`; at most 366 days)."""
    factor: Annotated[int, Field(ge=1, le=10)] = 2
    """Multiplier of the wait after each retry."""
    maxBackoff: types.Duration | None = None
    """Longest wait between two retries (at most 366 days)."""


class Gate(Model):
    """A condition on a metric of the model version's source run."""

    metric: types.MetricName
    """Metric logged on the model version's source run."""
    op: Literal[">=", ">", "<=", "<", "=="]
    """Comparison of the metric with `value`."""
    value: float
    """Threshold."""

    def passes(self, observed: float) -> bool:
        return {
            ">=": observed >= self.value,
            ">": observed > self.value,
            "<=": observed <= self.value,
            "<": observed < self.value,
            "==": observed == self.value,
        }[self.op]

    def __str__(self) -> str:
        return f"{self.metric} {self.op} {self.value:g}"
