"""Plain-data manifests for the unit tests of the validation checks.

Each builder returns a dict (as YAML would load it) for one valid manifest; tests change one field
and run one check on a catalog built from model-validated entries, without files or positions.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable
from typing import Any

from bosun import diagnostics
from bosun.spec import catalog, v1alpha1
from bosun.validate import base

API = "bosun.dev/v1alpha1"
DIGEST = "@sha256:" + "ab" * 32

Doc = dict[str, Any]


def team(name: str = "ml") -> Doc:
    return {
        "apiVersion": API,
        "kind": "Team",
        "metadata": {"name": name},
        "spec": {"owners": ["@acme/ml"]},
    }


def template(name: str = "fit", **spec: Any) -> Doc:
    body: Doc = {
        "image": "ghcr.io/acme/steps:1.0",
        "command": ["python", "fit.py"],
        "args": [
            "--data",
            "${{ inputs.data }}",
            "--epochs",
            "${{ inputs.epochs }}",
            "--out",
            "${{ outputs.model }}",
        ],
        "inputs": {
            "parameters": [{"name": "epochs", "default": "5"}],
            "artifacts": [{"name": "data"}],
        },
        "outputs": {"artifacts": [{"name": "model"}], "parameters": [{"name": "accuracy"}]},
        "resources": {"cpu": "1", "memory": "2Gi"},
    }
    body.update(spec)
    return {"apiVersion": API, "kind": "StepTemplate", "metadata": {"name": name}, "spec": body}


def prepare_step(**changes: Any) -> Doc:
    step: Doc = {
        "name": "prepare",
        "image": "ghcr.io/acme/ml:1.0",
        "command": ["python", "prepare.py"],
        "args": ["--out", "${{ outputs.data }}"],
        "outputs": {"artifacts": [{"name": "data"}]},
    }
    step.update(changes)
    return step


def fit_step(**changes: Any) -> Doc:
    step: Doc = {
        "name": "fit",
        "template": "fit",
        "with": {"data": "${{ steps.prepare.outputs.data }}", "epochs": "${{ params.epochs }}"},
        "dependsOn": ["prepare"],
    }
    step.update(changes)
    return step


def pipeline(
    name: str = "train",
    team_name: str = "ml",
    steps: list[Doc] | None = None,
    parameters: list[Doc] | None = None,
) -> Doc:
    return {
        "apiVersion": API,
        "kind": "Pipeline",
        "metadata": {"name": name, "team": team_name},
        "spec": {
            "parameters": [{"name": "epochs", "default": "10"}]
            if parameters is None
            else parameters,
            "steps": [prepare_step(), fit_step()] if steps is None else steps,
        },
    }


def experiment(name: str = "baseline", team_name: str = "ml", **spec: Any) -> Doc:
    body: Doc = {
        "pipeline": "train",
        "parameters": {"epochs": "20"},
        "objective": {"metric": "accuracy"},
        "register": {"model": "recommender", "artifact": "model", "step": "fit"},
    }
    body.update(spec)
    return {
        "apiVersion": API,
        "kind": "Experiment",
        "metadata": {"name": name, "team": team_name},
        "spec": body,
    }


def quota(name: str = "default", team_name: str = "ml", **spec: Any) -> Doc:
    body: Doc = {
        "hard": {"cpu": "8", "memory": "32Gi", "gpu": 1},
        "maxParallelSteps": 4,
        "defaultStepResources": {"cpu": "500m", "memory": "1Gi"},
    }
    body.update(spec)
    return {
        "apiVersion": API,
        "kind": "Quota",
        "metadata": {"name": name, "team": team_name},
        "spec": body,
    }


def serving(name: str = "api", team_name: str = "ml", **spec: Any) -> Doc:
    body: Doc = {
        "model": "recommender",
        "version": "3",
        "gates": [{"metric": "accuracy", "op": ">=", "value": 0.9}],
    }
    body.update(spec)
    return {
        "apiVersion": API,
        "kind": "ServingTarget",
        "metadata": {"name": name, "team": team_name},
        "spec": body,
    }


def environment(name: str = "production", **policy: Any) -> Doc:
    return {
        "apiVersion": API,
        "kind": "Environment",
        "metadata": {"name": name},
        "spec": {"branch": name, "registryAlias": name, "policy": policy},
    }


def repository() -> list[Doc]:
    """A small valid repository: team, template, pipeline, experiment, quota, serving."""
    return [team(), template(), pipeline(), experiment(), quota(), serving()]


def default_file(doc: Doc) -> str:
    kind, metadata = doc["kind"], doc["metadata"]
    if kind == "StepTemplate":
        return f"templates/{metadata['name']}.yaml"
    if kind == "Environment":
        return f"environments/{metadata['name']}.yaml"
    owner = metadata.get("team", metadata["name"])
    return f"teams/{owner}/{kind.lower()}-{metadata['name']}.yaml"


def catalog_of(
    docs: Iterable[Doc | tuple[str, Doc]], rejected: Iterable[catalog.Key] = ()
) -> catalog.Catalog:
    """Entries validated by their models; a ``(file, doc)`` pair places a doc in a file."""
    entries: list[catalog.Entry] = []
    for item in docs:
        file, doc = item if isinstance(item, tuple) else (default_file(item), item)
        model = v1alpha1.KINDS[doc["kind"]]
        document = sum(1 for e in entries if e.source.file == file)
        entries.append(
            catalog.Entry(model.model_validate(copy.deepcopy(doc)), catalog.Source(file, document))
        )
    return catalog.Catalog(tuple(entries), frozenset(rejected))


def run(
    check: base.Check,
    docs: Iterable[Doc | tuple[str, Doc]],
    *,
    env: str | None = None,
    rejected: Iterable[catalog.Key] = (),
) -> list[diagnostics.Diagnostic]:
    return list(check(catalog_of(docs, rejected), base.Options(environment=env)))


def found(diagnostics_: Iterable[diagnostics.Diagnostic]) -> list[tuple[str, str]]:
    """(code, dotted path) of each diagnostic, sorted: what most assertions compare."""
    return sorted((d.code, d.path) for d in diagnostics_)
