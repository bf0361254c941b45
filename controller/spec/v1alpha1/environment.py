"""Environment: where and under which policy one branch is reconciled."""

from __future__ import annotations

from typing import Annotated, Literal

from bosun.spec.v1alpha1 import common, types
from pydantic import Field

NAMESPACE_PREFIX_RE = r"^([a-z0-9][-a-z0-9]*)?$"
NamespacePrefix = Annotated[
    str,
    Field(max_length=30, pattern=NAMESPACE_PREFIX_RE),
]


class LocalTarget(common.Model):
    type: Literal["local"]
    """Run workflows and serving on this machine."""
    namespacePrefix: NamespacePrefix = Field(
        "", description="Prefix of team namespaces in rendered objects (<prefix><team>)."
    )


class KubernetesTarget(common.Model):
    type: Literal["kubernetes"]
    """Apply to a Kubernetes cluster with Argo Workflows and KServe."""
    context: str | None = Field(None, description="kubeconfig context; the current one if unset.")
    namespacePrefix: NamespacePrefix = Field(
        "", description="Prefix of team namespaces (<prefix><team>)."
    )
    serviceAccountName: types.DNSSubdomain | None = Field(
        None, description="Service account that workflow pods run as."
    )
    forceConflicts: bool = Field(
        False,
        description="Take over fields another field manager owns when applying (server-side "
        "apply force); off, such a conflict fails the apply and names the other manager.",
    )


Target = Annotated[LocalTarget | KubernetesTarget, Field(discriminator="type")]


class Tracking(common.Model):
    uri: str | None = Field(
        None, description="MLflow tracking URI; null means sqlite under the state directory."
    )


class Policy(common.Model):
    requirePinnedImages: bool = Field(False, description="Images must carry an @sha256 digest.")
    allowedRegistries: list[str] = Field(
        default_factory=list,
        description="Image name prefixes (registry[/path]) allowed; any when empty.",
    )
    requirePinnedModelVersions: bool = Field(
        False, description="ServingTargets must pin a version; 'latest' is refused."
    )
    minGates: list[common.Gate] = Field(
        default_factory=list,
        description="Every ServingTarget needs gates at least this strict.",
    )
    selfHeal: bool = Field(False, description="Repair objects changed out of band.")
    prune: bool = Field(False, description="Delete objects whose manifests left Git.")
    allowEmpty: bool = Field(
        False,
        description="Let prune delete every object (a commit that empties the environment); "
        "refused otherwise, as Argo CD's allowEmpty.",
    )


class EnvironmentSpec(common.Model):
    branch: types.BranchName
    """Git branch this environment is reconciled from."""
    target: Target = Field(default_factory=lambda: LocalTarget(type="local"))
    """Where workflows run and models are served."""
    tracking: Tracking = Field(default_factory=Tracking)
    """The MLflow server runs log to."""
    registryAlias: types.RegistryAlias = Field(
        description="MLflow alias set on the version this environment serves."
    )
    policy: Policy = Field(default_factory=Policy)
    """Rules that manifests must follow in this environment (`bosun validate --env`)."""
    description: common.Text | None = None


class Environment(common.Model):
    """An environment reconciled from its own branch."""

    apiVersion: Literal["bosun.dev/v1alpha1"]
    kind: Literal["Environment"]
    metadata: common.Metadata
    spec: EnvironmentSpec
