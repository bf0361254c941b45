"""Names that bosun itself uses in rendered workflows, so manifests may not take them."""

from __future__ import annotations

RESERVED_STEP_NAMES = frozenset({"main", "bosun"})
"""``main`` is the pipeline DAG's own template; ``bosun`` prefixes the system inputs of a step."""

TAG_ENV = (
    ("BOSUN_GIT_COMMIT", "bosun-git-commit"),
    ("BOSUN_GIT_BRANCH", "bosun-git-branch"),
    ("BOSUN_ENVIRONMENT", "bosun-environment"),
    ("BOSUN_TEAM", "bosun-team"),
    ("BOSUN_EXPERIMENT", "bosun-experiment"),
)
"""Run tags of DESIGN §2 as (env name, workflow parameter)."""

RESERVED_ENV = frozenset(
    {
        "BOSUN_OUTPUTS",
        "BOSUN_TRIAL",
        "BOSUN_WORKFLOW",
        "MLFLOW_TRACKING_URI",
        "MLFLOW_EXPERIMENT_NAME",
        "MLFLOW_RUN_ID",
        *(name for name, _ in TAG_ENV),
    }
)
"""Env names bosun sets on every step (the MLflow wiring and the run tags)."""


def step_name_problem(name: str) -> str | None:
    """Why a step name cannot become an Argo task name, or None."""
    if name in RESERVED_STEP_NAMES:
        return f"step name '{name}' is reserved by bosun"
    if name[:1].isdigit():
        return f"step name '{name}' starts with a digit, which Argo refuses for task names"
    return None
