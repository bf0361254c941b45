"""The tags bosun writes on MLflow runs and model versions (DESIGN §2), and the environment of a
step they come from (docs/internals/execution-contract.md). Everything that finds runs again,
the system steps, ``bosun run``'s summary and the reconcile loop, reads these names from here."""

from __future__ import annotations

import dataclasses
import pathlib
from collections.abc import Mapping

GIT_COMMIT = "mlflow.source.git.commit"
GIT_BRANCH = "mlflow.source.git.branch"
SOURCE_NAME = "mlflow.source.name"
SOURCE_TYPE = "mlflow.source.type"
PARENT_RUN = "mlflow.parentRunId"
ENVIRONMENT = "bosun.environment"
TEAM = "bosun.team"
EXPERIMENT = "bosun.experiment"
WORKFLOW = "bosun.workflow"
TRIAL = "bosun.trial"
ROLE = "bosun.role"
"""``workflow`` on the parent run of a workflow, ``trial`` on each nested trial run."""
STATUS = "bosun.status"
"""The Argo phase as bosun saw it: Running, Succeeded, Failed or Error. A trial is Succeeded only
once end-trial has run, whatever MLflow status a user step left on its run."""
OBJECTIVE = "bosun.objective"
"""On a parent run, once select-best ran: the metric, and ``GOAL`` maximize or minimize."""
GOAL = "bosun.goal"
BEST_RUN = "bosun.best_run_id"
BEST_TRIAL = "bosun.best_trial"
REGISTERED_MODEL = "bosun.registered_model"
REGISTERED_VERSION = "bosun.registered_version"
RUN_ID = "bosun.run_id"
"""On a model version: the trial run whose logged model it is."""

ROLE_WORKFLOW, ROLE_TRIAL = "workflow", "trial"

ENV_TRACKING_URI = "MLFLOW_TRACKING_URI"
ENV_EXPERIMENT_NAME = "MLFLOW_EXPERIMENT_NAME"
ENV_OUTPUTS = "BOSUN_OUTPUTS"
ENV_WORKFLOW = "BOSUN_WORKFLOW"
ENV_TAGS = {
    "BOSUN_GIT_COMMIT": GIT_COMMIT,
    "BOSUN_GIT_BRANCH": GIT_BRANCH,
    "BOSUN_ENVIRONMENT": ENVIRONMENT,
    "BOSUN_TEAM": TEAM,
    "BOSUN_EXPERIMENT": EXPERIMENT,
}
REQUIRED_ENV = (ENV_TRACKING_URI, ENV_EXPERIMENT_NAME, ENV_WORKFLOW, ENV_OUTPUTS)
OPTIONAL_ENV = ("BOSUN_GIT_COMMIT", "BOSUN_GIT_BRANCH")
"""A run from a working tree outside Git has no commit or branch; the tag is then left out."""


class MissingEnvironmentError(Exception):
    def __init__(self, names: list[str]) -> None:
        super().__init__(
            "missing environment variable(s) " + ", ".join(names) + ": system steps take them "
            "from the rendered workflow (docs/internals/execution-contract.md)"
        )


@dataclasses.dataclass(frozen=True)
class StepContext:
    """What a system step knows from its environment."""

    tracking_uri: str
    experiment_name: str
    workflow: str
    outputs: pathlib.Path
    run_tags: Mapping[str, str]
    """The DESIGN §2 tags every run of this workflow carries."""

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> StepContext:
        needed = [*REQUIRED_ENV, *(name for name in ENV_TAGS if name not in OPTIONAL_ENV)]
        missing = [name for name in needed if not env.get(name)]
        if missing:
            raise MissingEnvironmentError(missing)
        workflow = env[ENV_WORKFLOW]
        run_tags = {tag: env[name] for name, tag in ENV_TAGS.items() if env.get(name)}
        run_tags |= {WORKFLOW: workflow, SOURCE_TYPE: "JOB", SOURCE_NAME: f"bosun:{workflow}"}
        return cls(
            tracking_uri=env[ENV_TRACKING_URI],
            experiment_name=env[ENV_EXPERIMENT_NAME],
            workflow=workflow,
            outputs=pathlib.Path(env[ENV_OUTPUTS]),
            run_tags=run_tags,
        )
