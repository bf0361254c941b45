"""``bosun run``: validate and render one experiment from the working tree, then execute its
Workflow on the local runtime, with MLflow tracking."""

from __future__ import annotations

import json
import secrets
import string
import sys
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any, NoReturn

import click
from bosun import cli, render
from bosun.commands import common, options, run_report
from bosun.gitops import worktree
from bosun.spec import v1alpha1
from bosun.targets.local import errors, interrupts, progress, records, runtime

EPILOG = """\b
Examples:
  bosun run wine-rf --env dev                      # the demo: train, sweep, register
  bosun run wine-rf --env dev --param max_depth=4  # override (and stop sweeping) a parameter
  bosun run wine-rf --env dev --resume wine-rf-1f57d70893-k2x9q
  bosun run wine-rf --env dev --format json | jq .steps.cached

\b
Exit status: 0 succeeded, 1 failed (or invalid manifests), 2 usage error,
130/143 stopped by SIGINT/SIGTERM (every step process is killed first).
Runs, logs and the step cache live under the state directory (docs/local-runtime.md).
"""

SUFFIX_ALPHABET = string.ascii_lowercase + string.digits


@click.command("run", epilog=EPILOG)
@click.argument("experiment")
@click.argument("path", default=".", type=click.Path(exists=True, file_okay=False))
@click.option("--env", "environment", required=True, metavar="ENV", help="Environment to run in.")
@click.option(
    "--param",
    "params",
    multiple=True,
    metavar="NAME=VALUE",
    help="Set a pipeline parameter (repeatable). A swept parameter given here is not swept.",
)
@click.option(
    "--resume",
    metavar="RUN",
    help="Continue the failed run RUN: steps that succeeded (and whose inputs are unchanged) "
    "are reused, the rest run again.",
)
@click.option("--team", metavar="TEAM", help="The experiment's team, when several have one.")
@options.state_dir("runs, step cache, MLflow store.")
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="json: progress on stderr, one summary object on stdout.",
)
def command(
    *,
    experiment: str,
    path: str,
    environment: str,
    params: tuple[str, ...],
    resume: str | None,
    team: str | None,
    state_dir: str,
    output_format: str,
) -> NoReturn:
    """Run EXPERIMENT now on this machine, from the manifests under PATH (default: .).

    The manifests are validated and rendered exactly as for a cluster; the local runtime then
    executes the rendered Argo Workflow: each step is a process with its rendered argv and env,
    run from the repository root by bosun's own Python. Steps log to MLflow (sqlite under the
    state directory unless the environment names a tracking server). Steps whose inputs match an
    earlier successful execution are restored from the step cache (opt out with `cache: false`).
    """
    handler = interrupts.Interrupts()
    with handler.installed():
        _command(
            handler,
            experiment=experiment,
            path=path,
            environment=environment,
            params=params,
            resume=resume,
            team=team,
            state_dir=state_dir,
            json_output=output_format == "json",
        )


def _command(
    handler: interrupts.Interrupts,
    *,
    experiment: str,
    path: str,
    environment: str,
    params: tuple[str, ...],
    resume: str | None,
    team: str | None,
    state_dir: str,
    json_output: bool,
) -> NoReturn:
    """SIGINT/SIGTERM anywhere in here exits 130/143 (docs/local-runtime.md#signals): before the
    run starts nothing is left behind, after it the records are final."""
    started = time.monotonic()
    request = {"experiment": experiment, "team": team, "environment": environment}
    display: progress.Display | None = None
    try:
        with handler.raising():
            overrides = _parse_params(params)
            state = Path(state_dir).resolve()
            state.mkdir(parents=True, exist_ok=True)
            where = worktree.describe(Path(path), exclude=state)
            manifests = common.validated(path, environment)
            env_spec = manifests.catalog.environments()[environment].spec
            tracking_uri = common.tracking_uri(env_spec.tracking.uri, state)
            objects, run_info = _render(
                manifests, request, overrides=overrides, where=where, tracking_uri=tracking_uri
            )
            run_name = resume or f"{run_info['workflow']}-{_suffix()}"
            if resume:
                _check_resumable(state, resume, run_info)
            display = progress.Plain(sys.stderr) if json_output else progress.for_stream(sys.stdout)
            display.note(
                f"run {run_name}: {experiment} in {environment}, source {where.describe()}"
            )
    except interrupts.Interrupted as e:
        if display is not None:
            display.close()
        name = errors.signal_name(e.signum)
        _stopped(
            e.signum, None, f"stopped by {name} before the run started: nothing ran", json_output
        )
    try:
        result = runtime.run(
            objects,
            options=runtime.Options(
                state_dir=state,
                repo_root=where.root,
                run_name=run_name,
                parameters={"bosun-tracking-uri": tracking_uri},
                resume=bool(resume),
                display=display,
                record={**run_info, "trackingUri": tracking_uri, "source": _source(where)},
                interrupts=handler,
            ),
        )
    except errors.StoppedError as e:
        hint = f"; resume it with: {_again(run_info)} --resume {run_name}" if e.kept else ""
        _stopped(e.signum, run_name, str(e) + hint, json_output)
    except errors.LocalRuntimeError as e:
        display.close()
        _fail(str(e))
    report = run_report.document(result, run_info, tracking_uri, time.monotonic() - started)
    if json_output:
        progress.write(sys.stdout, json.dumps(report, indent=2) + "\n")
    else:
        progress.write(sys.stdout, run_report.text(report, run_info))
        progress.write(sys.stdout, "\n" + _mlflow_lines(report, run_info, handler) + "\n")
    if handler.first is not None:
        sys.exit(128 + handler.first)
    sys.exit(cli.EXIT_OK if result.succeeded else cli.EXIT_INVALID)


def _mlflow_lines(
    report: Mapping[str, Any], info: Mapping[str, Any], handler: interrupts.Interrupts
) -> str:
    """The MLflow side of the closing lines. Reading MLflow takes seconds of imports; a signal
    meanwhile gives up on it (the records are final already) for what status.json knows."""
    try:
        with handler.raising():
            return run_report.mlflow_text(report, info)
    except interrupts.Interrupted as e:
        skipped = f"  (MLflow records not read: stopped by {errors.signal_name(e.signum)})"
        return run_report.status_lines(report) + "\n" + skipped


def _stopped(signum: int, run: str | None, message: str, json_output: bool) -> NoReturn:
    """Exit 128 + signal for a run that never started a step (``--format json``: a document
    whose phase is null)."""
    if json_output:
        document = {"run": run, "phase": None, "message": message, "signal": signum}
        progress.write(sys.stdout, json.dumps(document, indent=2) + "\n")
    progress.write(sys.stderr, f"bosun run: {message}\n")
    sys.exit(128 + signum)


def _again(info: Mapping[str, Any]) -> str:
    return f"bosun run {info['experiment']} --env {info['environment']}"


def _parse_params(params: tuple[str, ...]) -> dict[str, str]:
    out: dict[str, str] = {}
    for item in params:
        name, sep, value = item.partition("=")
        if not sep or not name:
            raise click.BadParameter(f"{item!r} is not NAME=VALUE", param_hint="--param")
        out[name] = value
    return out


def _fail(message: str) -> NoReturn:
    sys.stderr.write(f"bosun run: {message}\n")
    sys.exit(cli.EXIT_INVALID)


def _render(
    manifests: common.Validated,
    request: Mapping[str, str | None],
    *,
    overrides: dict[str, str],
    where: worktree.Source,
    tracking_uri: str,
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """The objects to run (the Workflow, its WorkflowTemplates, and the ConfigMap of the quota's
    semaphore) and what status.json records about the experiment."""
    experiment, environment = str(request["experiment"]), str(request["environment"])
    team = request["team"]
    try:
        run = render.render_experiment(
            manifests.catalog,
            environment,
            experiment,
            source=render.Source(where.commit, where.branch),
            options=render.RenderOptions(tracking_uri=tracking_uri, source_root=str(where.root)),
            team=team,
            parameters=overrides,
        )
    except render.RenderError as e:
        manifests.fail(e.diagnostics)
    labels = run.workflow["metadata"].get("labels", {})
    team_name = str(labels.get("bosun.dev/team", team or ""))
    objects = run.objects()
    spec = next(
        m.spec
        for m, _ in manifests.catalog.of_kind(v1alpha1.Experiment)
        if m.metadata.name == experiment and m.metadata.team == team_name
    )
    info = {
        "experiment": experiment,
        "team": team_name,
        "environment": environment,
        "workflow": run.name,
        "objective": spec.objective.metric if spec.objective else None,
        "model": spec.register_.model if spec.register_ else None,
    }
    return objects, info


def _check_resumable(state: Path, run_name: str, info: Mapping[str, Any]) -> None:
    status_path = records.run_dir(state, run_name) / records.STATUS
    try:
        previous = records.load(status_path)
    except (OSError, ValueError):
        _fail(f"no run named {run_name} under {state / 'runs'}")
    for key in ("experiment", "team", "environment"):
        if previous.get(key) != info[key]:
            _fail(
                f"run {run_name} is of {key} {previous.get(key)!r}, not {info[key]!r}: "
                "--resume continues a run of the same experiment and environment"
            )


def _suffix() -> str:
    return "".join(secrets.choice(SUFFIX_ALPHABET) for _ in range(5))


def _source(where: worktree.Source) -> dict[str, Any]:
    return {
        "root": str(where.root),
        "commit": where.commit,
        "branch": where.branch,
        "dirty": where.dirty,
    }
