"""The outcome of a run, read from its status document: which steps ran, came from the cache,
were reused by a resume or failed, and what the experiment produced (best trial, registered
version). Used by ``bosun run``'s closing lines and its ``--format json``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def steps(status: Mapping[str, Any]) -> dict[str, list[Any]]:
    out: dict[str, list[Any]] = {"ran": [], "cached": [], "reused": [], "failed": []}
    for node_id, record in status.get("nodes", {}).items():
        if record.get("type") != "Container":
            continue
        if record.get("phase") == "Succeeded":
            how = "cached" if record.get("cached") else "reused" if record.get("reused") else "ran"
            out[how].append(node_id)
        elif record.get("phase") in ("Failed", "Error"):
            out["failed"].append(
                {"node": node_id, "message": record.get("message", ""), "log": record.get("log")}
            )
    return out


def registered(status: Mapping[str, Any], model: str | None) -> dict[str, str] | None:
    """The version that the experiment's ``register`` system step created."""
    record = status.get("nodes", {}).get("register") or {}
    version = (record.get("outputs") or {}).get("parameters", {}).get("version")
    if model is None or version is None:
        return None
    return {"model": model, "version": str(version)}


def best_trial(status: Mapping[str, Any], metric: str | None) -> dict[str, Any] | None:
    """The trial ``select`` chose (its MLflow run, and the objective value its pipeline output),
    or the only trial of an experiment without a sweep."""
    nodes = status.get("nodes", {})
    chosen = (nodes.get("select") or {}).get("outputs", {}).get("parameters", {}).get("run_id")
    trials = [n for n in nodes if n == "trials" or (n.startswith("trials.") and n.count(".") == 1)]
    for trial in trials:
        run_id = (nodes[trial].get("outputs") or {}).get("parameters", {}).get("run_id")
        if run_id is None or (chosen is not None and run_id != chosen):
            continue
        found: dict[str, Any] = {"node": trial, "run_id": run_id}
        pipeline = (nodes.get(f"{trial}.pipeline") or {}).get("outputs", {}).get("parameters", {})
        for name, value in sorted(pipeline.items()):
            if metric is not None and name.endswith(f"-{metric}"):
                found["metric"] = {"name": metric, "value": value}
        return found
    return None
