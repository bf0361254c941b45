"""The two environments that test repositories without their own get: dev (local) and
production (a Kubernetes target with a namespace prefix, a service account and a tracking server),
as dedent-able YAML texts by path."""

from __future__ import annotations

ENVIRONMENTS = {
    "environments/dev.yaml": """
        apiVersion: bosun.dev/v1alpha1
        kind: Environment
        metadata: {name: dev}
        spec: {branch: main, registryAlias: staging}
    """,
    "environments/production.yaml": """
        apiVersion: bosun.dev/v1alpha1
        kind: Environment
        metadata: {name: production}
        spec:
          branch: production
          registryAlias: production
          target: {type: kubernetes, namespacePrefix: ml-, serviceAccountName: bosun-runner}
          tracking: {uri: "https://mlflow.example.com"}
    """,
}
