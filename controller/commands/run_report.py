"""The closing lines of ``bosun run``: the steps (ran, cached, reused, failed) from the run's
status.json, then the MLflow side of the run (bosun.tracking.summary: trials, best trial,
registered version, store, ``mlflow ui`` command); ``--format json`` gets one object instead."""

from __future__ import annotations

import importlib
import pathlib
import sys
from collections.abc import Mapping
from typing import Any

from bosun.targets.local import records, runtime, summary
from bosun.tracking import store
from bosun.tracking import summary as tracking_summary


def document(
    result: runtime.Result, info: Mapping[str, Any], tracking_uri: str, seconds: float
) -> dict[str, Any]:
    """The ``--format json`` summary (docs/local-runtime.md); built without importing MLflow."""
    status = result.status
    return {
        "run": result.run,
        "phase": result.phase,
        "message": status.get("message", ""),
        "experiment": info["experiment"],
        "environment": info["environment"],
        "seconds": round(seconds, 3),
        "runDir": str(result.run_dir),
        "status": str(result.run_dir / records.STATUS),
        "trackingUri": tracking_uri,
        "mlflowUi": tracking_summary.ui_command(tracking_uri, cwd=pathlib.Path.cwd()),
        "steps": summary.steps(status),
        "best": summary.best_trial(status, info.get("objective")),
        "registered": summary.registered(status, info.get("model")),
        "signal": result.signal,
    }


def text(report: Mapping[str, Any], info: Mapping[str, Any]) -> str:
    """The steps' side of the closing lines (status.json only, no MLflow): what ran, came from
    the cache or was reused, what failed with its log, and how to resume a run that did not
    succeed (stopped by a signal included)."""
    steps = report["steps"]
    counts = ", ".join(f"{len(steps[k])} {k}" for k in ("ran", "cached", "reused") if steps[k])
    lines = [f"\n{report['phase']}: run {report['run']} in {report['seconds']:.1f}s"]
    lines[0] += f" ({counts} steps)" if counts else ""
    if report["message"]:
        lines.append(f"  message      {report['message']}")
    if steps["cached"]:
        lines.append(f"  cached       {', '.join(steps['cached'])}")
    if steps["reused"]:
        lines.append(f"  reused       {', '.join(steps['reused'])}")
    for failed in steps["failed"]:
        log = f"{report['runDir']}/{failed['log']}" if failed["log"] else "none"
        lines.append(f"  failed       {failed['node']}: {failed['message']} (log: {log})")
    lines.append(f"  status       {report['status']}")
    if report["phase"] != "Succeeded":
        again = f"bosun run {info['experiment']} --env {info['environment']}"
        lines.append(f"  resume with  {again} --resume {report['run']}")
    return "\n".join(lines) + "\n"


def mlflow_text(report: Mapping[str, Any], info: Mapping[str, Any]) -> str:
    """bosun.tracking.summary's lines when the run's parent MLflow run exists; else what
    status.json knows (``status_lines``). Reading MLflow imports it (seconds), paid once the
    run is over."""
    uri = report["trackingUri"]
    db = store.sqlite_path(uri)
    if db is None or db.exists():
        try:
            tracker = importlib.import_module("bosun.tracking.mlflow_tracker").MlflowTracker(uri)
            found = tracking_summary.describe(
                tracker,
                experiment_name=f"{info['team']}/{info['experiment']}",
                workflow=report["run"],
            )
        except Exception as e:  # the run is over: a tracking failure only costs the summary
            sys.stderr.write(f"bosun run: cannot read the MLflow records: {e}\n")
            found = None
        if found is not None:
            run_dir = pathlib.Path(report["runDir"])
            return tracking_summary.format_text(found, cwd=pathlib.Path.cwd(), run_dir=run_dir)
    return status_lines(report)


def status_lines(report: Mapping[str, Any]) -> str:
    """The MLflow side as status.json knows it: best trial, registered version, the UI."""
    lines = []
    if report["best"]:
        best, metric = report["best"], report["best"].get("metric")
        value = f", {metric['name']} {metric['value']}" if metric else ""
        lines.append(f"  best         {best['node']} (run {best['run_id']}{value})")
    if report["registered"]:
        registered = report["registered"]
        lines.append(f"  registered   {registered['model']} version {registered['version']}")
    lines.append(f"  MLflow UI    {report['mlflowUi']}")
    return "\n".join(lines)
