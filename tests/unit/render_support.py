"""Catalogs for render tests: the demo repository, or manifests given as text."""

from __future__ import annotations

import pathlib
import textwrap

import sample_environments
from bosun import render
from bosun.load import sources
from bosun.spec import catalog
from bosun.validate import engine, schema

ROOT = pathlib.Path(__file__).resolve().parents[2]
SOURCE = render.Source(
    commit="4b825dc642cb6eb9a060e54bf8d69288fbee4904",
    branch=None,
    repo_url="https://github.com/acme/ml-platform.git",
)
OPTIONS = render.RenderOptions(
    tracking_uri="http://mlflow.mlflow.svc.cluster.local:5000",
    system_image="ghcr.io/bosun-dev/bosun:0.1.0",
)


def load_tree(root: pathlib.Path) -> sources.Loaded:
    """The manifests under ``root``, named relative to it (as the CLI annotates them)."""
    files, problems = sources.discover([str(root)])
    assert not problems
    contents = {f.resolve().relative_to(root.resolve()).as_posix(): f.read_bytes() for f in files}
    return sources.load_bytes(contents)


def valid(loaded: sources.Loaded, environment: str | None = None) -> catalog.Catalog:
    result = engine.validate_loaded(loaded, engine.Options(environment=environment))
    assert result.valid, [f"{d.file}:{d.line} {d.code} {d.message}" for d in result.diagnostics]
    return result.catalog


def demo(environment: str | None = None) -> catalog.Catalog:
    return valid(load_tree(ROOT), environment)


ENVIRONMENTS = {
    **sample_environments.ENVIRONMENTS,
    "teams/t/team.yaml": """
        apiVersion: bosun.dev/v1alpha1
        kind: Team
        metadata: {name: t}
        spec: {owners: ["@acme/t"]}
    """,
}


def catalog_of(files: dict[str, str], *, with_base: bool = True) -> catalog.Catalog:
    """A validated catalog of ``files`` (dedented YAML), plus two environments and team ``t``."""
    texts = {**(ENVIRONMENTS if with_base else {}), **files}
    loaded = sources.load_bytes({k: textwrap.dedent(v).encode() for k, v in texts.items()})
    return valid(loaded)


def schema_only(files: dict[str, str]) -> catalog.Catalog:
    """Like ``catalog_of`` but without validate's cross-document checks, to prove that render
    defends itself against what those checks would catch."""
    texts = {**ENVIRONMENTS, **files}
    loaded = sources.load_bytes({k: textwrap.dedent(v).encode() for k, v in texts.items()})
    entries = []
    for document in loaded.documents:
        manifest, problems = schema.check_document(document)
        assert manifest is not None, problems
        entries.append(catalog.Entry(manifest, catalog.Source(document.file, document.index)))
    return catalog.Catalog(tuple(entries))


def find(objects: list[dict], kind: str, name: str | None = None) -> dict:
    matches = [o for o in objects if o["kind"] == kind and name in (None, o["metadata"]["name"])]
    assert len(matches) == 1, [(o["kind"], o["metadata"]["name"]) for o in objects]
    return matches[0]


def template(obj: dict, name: str) -> dict:
    spec = obj["spec"].get("workflowSpec", obj["spec"])
    return next(t for t in spec["templates"] if t["name"] == name)
