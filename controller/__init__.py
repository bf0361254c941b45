"""bosun: declarative GitOps for ML experiments, pipelines, quotas and serving."""

__version__ = "0.1.0"
