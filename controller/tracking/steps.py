"""``python -m bosun.tracking.steps VERB [--flag value]...``: bosun's system steps, the MLflow
bookkeeping that runs inside every rendered workflow (docs/internals/execution-contract.md).

Inputs are the flags below and the step's environment (``MLFLOW_TRACKING_URI``,
``MLFLOW_EXPERIMENT_NAME``, ``BOSUN_WORKFLOW``, ``BOSUN_OUTPUTS`` and the ``BOSUN_*`` tag
variables); output parameters are files under ``$BOSUN_OUTPUTS``. Exit status: 0 done, 1 the
tracking store or an input artifact failed (worth a retry or a look at the log), 2 usage error.
MLflow is imported only once a verb runs, so ``--help`` answers at once."""

from __future__ import annotations

import argparse
import math
import os
import pathlib
import sys
from collections.abc import Callable, Mapping, Sequence

from bosun.tracking import port, tags, verbs

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
PROG = "python -m bosun.tracking.steps"


class UsageError(Exception):
    """Flags that make no sense together."""


class InputError(Exception):
    """An input artifact named by a flag is missing or malformed."""


def _pair(text: str) -> tuple[str, str]:
    name, sep, value = text.partition("=")
    if not sep or not name:
        raise argparse.ArgumentTypeError(f"expected NAME=VALUE, got {text!r}")
    return name, value


def _metric(text: str) -> tuple[str, float]:
    name, value = _pair(text)
    try:
        number = float(value.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"metric {name!r} is not a number: {value.strip()!r}"
        ) from None
    if not math.isfinite(number):
        raise argparse.ArgumentTypeError(f"metric {name!r} is not finite: {value.strip()!r}")
    return name, number


def _trial(text: str) -> int:
    if not text.isdigit():
        raise argparse.ArgumentTypeError(f"trial index must be a non-negative integer: {text!r}")
    return int(text)


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(
        prog=PROG,
        description="bosun's MLflow system steps. Each verb is idempotent: a retry finds the "
        "run, model or version an earlier attempt created.",
        epilog="Environment: MLFLOW_TRACKING_URI, MLFLOW_EXPERIMENT_NAME, BOSUN_WORKFLOW, "
        "BOSUN_OUTPUTS, BOSUN_ENVIRONMENT, BOSUN_TEAM, BOSUN_EXPERIMENT, BOSUN_GIT_COMMIT, "
        "BOSUN_GIT_BRANCH. Exit status: 0 done, 1 tracking or input failure, 2 usage error.",
    )
    verbs_ = root.add_subparsers(dest="verb", required=True, metavar="VERB")
    verbs_.add_parser("start-workflow", help="create (or find) the workflow's parent run")
    trial = verbs_.add_parser("start-trial", help="create (or find) a trial's nested run")
    trial.add_argument("--parent-run-id", required=True, metavar="ID")
    trial.add_argument("--trial", required=True, type=_trial, metavar="N")
    trial.add_argument("--param", action="append", type=_pair, default=[], metavar="NAME=VALUE")
    end = verbs_.add_parser("end-trial", help="log a trial's metrics, dataset and model; end it")
    end.add_argument("--run-id", required=True, metavar="ID")
    end.add_argument("--metric", action="append", type=_metric, default=[], metavar="NAME=VALUE")
    end.add_argument("--model-path", type=pathlib.Path, metavar="P")
    end.add_argument("--model-artifact", metavar="NAME")
    end.add_argument("--dataset-path", type=pathlib.Path, metavar="P")
    end.add_argument("--dataset-name", metavar="NAME")
    best = verbs_.add_parser("select-best", help="pick the best succeeded trial by a metric")
    best.add_argument("--parent-run-id", required=True, metavar="ID")
    best.add_argument("--metric", required=True, metavar="NAME")
    best.add_argument("--goal", required=True, choices=["maximize", "minimize"])
    reg = verbs_.add_parser("register", help="register a trial's logged model as a new version")
    reg.add_argument("--run-id", required=True, metavar="ID")
    reg.add_argument("--model", required=True, metavar="NAME")
    reg.add_argument("--artifact", required=True, metavar="NAME")
    fin = verbs_.add_parser("end-workflow", help="end the parent run with the workflow status")
    fin.add_argument("--status", required=True, choices=["Succeeded", "Failed", "Error"])
    return root


def _artifact(
    args: argparse.Namespace, kind: str, *, check: Callable[[pathlib.Path], str | None]
) -> verbs.Artifact | None:
    path, name = getattr(args, f"{kind}_path"), getattr(args, f"{kind}_{_NAME_FLAG[kind]}")
    if path is None and name is None:
        return None
    if path is None or not name:
        raise UsageError(f"--{kind}-path and --{kind}-{_NAME_FLAG[kind]} go together")
    problem = check(path)
    if problem:
        raise InputError(f"--{kind}-path {path}: {problem}")
    return verbs.Artifact(path=path, name=name)


_NAME_FLAG = {"model": "artifact", "dataset": "name"}


def _model_problem(path: pathlib.Path) -> str | None:
    if not (path / "MLmodel").is_file():
        return "not an MLflow model directory (no MLmodel file; write it with save_model)"
    return None


def _dataset_problem(path: pathlib.Path) -> str | None:
    return None if path.exists() else "does not exist"


def run_verb(args: argparse.Namespace, ctx: tags.StepContext, tracker: port.Tracker) -> str:
    """Run one verb; returns the line to print. Output parameters are written here."""
    if args.verb == "start-workflow":
        run = verbs.start_workflow(tracker, ctx)
        _output(ctx, "run_id", run.run_id)
        return f"workflow {ctx.workflow}: run {run.run_id} in experiment {ctx.experiment_name}"
    if args.verb == "start-trial":
        run = verbs.start_trial(
            tracker,
            ctx,
            parent_run_id=args.parent_run_id,
            trial=args.trial,
            params=dict(args.param),
        )
        _output(ctx, "run_id", run.run_id)
        return f"trial {args.trial}: run {run.run_id} (parent {args.parent_run_id})"
    if args.verb == "end-trial":
        logged = verbs.end_trial(
            tracker,
            ctx,
            run_id=args.run_id,
            metrics=dict(args.metric),
            model=args.model_input,
            dataset=args.dataset_input,
        )
        where = f", model {logged.uri}" if logged else ""
        return f"trial run {args.run_id} succeeded{where}"
    if args.verb == "select-best":
        best = verbs.select_best(
            tracker, ctx, parent_run_id=args.parent_run_id, metric=args.metric, goal=args.goal
        )
        _output(ctx, "run_id", best.run_id)
        value = best.metrics[args.metric]
        return f"best trial {best.tags.get(tags.TRIAL)}: run {best.run_id}, {args.metric}={value}"
    if args.verb == "register":
        version = verbs.register(
            tracker, ctx, run_id=args.run_id, model=args.model, artifact=args.artifact
        )
        _output(ctx, "version", version.version)
        return f"registered {args.model} version {version.version} from run {args.run_id}"
    ended = verbs.end_workflow(tracker, ctx, status=args.status)
    if ended is None:
        return f"workflow {ctx.workflow} has no MLflow run; nothing to end"
    return f"workflow {ctx.workflow}: run {ended.run_id} ended ({args.status})"


def _output(ctx: tags.StepContext, name: str, value: str) -> None:
    ctx.outputs.mkdir(parents=True, exist_ok=True)
    partial = ctx.outputs / f".{name}.partial"
    partial.write_text(value, encoding="utf-8")
    partial.replace(ctx.outputs / name)


def main(argv: Sequence[str] | None = None, *, env: Mapping[str, str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        ctx = tags.StepContext.from_env(os.environ if env is None else env)
        if args.verb == "end-trial":  # checked before paying for the MLflow import
            args.model_input = _artifact(args, "model", check=_model_problem)
            args.dataset_input = _artifact(args, "dataset", check=_dataset_problem)
    except (tags.MissingEnvironmentError, UsageError) as exc:
        print(f"{PROG} {args.verb}: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except InputError as exc:
        print(f"{PROG} {args.verb}: {exc}", file=sys.stderr)
        return EXIT_FAILED
    try:
        print(f"{args.verb}: {run_verb(args, ctx, _connect(ctx.tracking_uri))}", flush=True)
    except (port.TrackingError, OSError) as exc:
        print(f"{PROG} {args.verb}: {exc}", file=sys.stderr)
        return EXIT_FAILED
    return EXIT_OK


def _connect(uri: str) -> port.Tracker:
    from bosun.tracking import mlflow_tracker  # noqa: PLC0415  (MLflow costs ~2 s to import)

    return mlflow_tracker.MlflowTracker(uri)


if __name__ == "__main__":
    sys.exit(main())
