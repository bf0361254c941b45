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

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, defer_build=True)


Text = Annotated[str, Field(max_length=4096)]


class Metadata(Model):
    """Metadata of platform-wide kinds (Team, StepTemplate, Environment)."""

    name: types.DNSLabel
    labels: dict[str, str] = Field(default_factory=dict)
    annotations: dict[str, str] = Field(default_factory=dict)


class TeamMetadata(Metadata):
    """Metadata of team-scoped kinds; ``team`` must match the ``teams/<team>/`` folder."""

    team: types.DNSLabel


class Resources(Model):
    """CPU, memory and GPUs: a step's requests (limits equal requests) or a quota's hard caps.

    ``gpu`` becomes ``nvidia.com/gpu``.
    """

    cpu: types.Quantity | None = None
    memory: types.Quantity | None = None
    gpu: Annotated[int, Field(ge=0)] | None = None

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
    key: types.SecretKey


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
    value: refs.Expression | None = None
    secretRef: SecretRef | None = None

    @model_validator(mode="after")
    def _value_or_secret(self) -> EnvVar:
        if (self.value is None) == (self.secretRef is None):
            raise PydanticCustomError(
                "BOS204", "an env entry has exactly one of 'value' or 'secretRef'"
            )
        return self


class InputParameter(Model):
    name: types.Identifier
    default: types.ParamValue | None = None
    description: Text | None = None


class InputArtifact(Model):
    name: types.Identifier
    description: Text | None = None


class OutputParameter(Model):
    """Its value is the stripped content of ``$BOSUN_OUTPUTS/<fromFile or name>``."""

    name: types.Identifier
    fromFile: types.OutputPath | None = None
    description: Text | None = None


class OutputArtifact(Model):
    """A file or directory the step writes at ``$BOSUN_OUTPUTS/<fromFile or name>``."""

    name: types.Identifier
    fromFile: types.OutputPath | None = None
    description: Text | None = None


class Inputs(Model):
    parameters: list[InputParameter] = Field(default_factory=list)
    artifacts: list[InputArtifact] = Field(default_factory=list)


class Outputs(Model):
    parameters: list[OutputParameter] = Field(default_factory=list)
    artifacts: list[OutputArtifact] = Field(default_factory=list)

    def names(self) -> set[str]:
        return {p.name for p in self.parameters} | {a.name for a in self.artifacts}


class Retries(Model):
    """Argo ``retryStrategy``: ``limit`` retries, waiting ``backoff`` * ``factor``^n between."""

    limit: Annotated[int, Field(ge=0, le=100)]
    backoff: types.Duration | None = None
    factor: Annotated[int, Field(ge=1, le=10)] = 2
    maxBackoff: types.Duration | None = None


class Gate(Model):
    """A condition on a metric of the model version's source run."""

    metric: types.MetricName
    op: Literal[">=", ">", "<=", "<", "=="]
    value: float

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
