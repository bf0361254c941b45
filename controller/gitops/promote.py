"""``bosun promote``'s work: a commit on a new ``promote/<model>-v<N>`` branch off ``production``
that pins the version for production in every ServingTarget of the model. Written with git
plumbing (blobs, a throwaway index, commit-tree, update-ref), so the user's working tree, index,
HEAD and the ``production`` branch are never touched."""

from __future__ import annotations

import dataclasses
import os
import pathlib
import tempfile
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import git
from bosun.gitops import pin
from bosun.plan import gates, ports
from bosun.spec.v1alpha1 import environment, serving_target

PRODUCTION = "production"
_ZERO = "0" * 40


class PromotionError(Exception):
    """A promotion bosun refuses; the message is the one line shown to the user."""


@dataclasses.dataclass(frozen=True)
class Promotion:
    branch: str
    commit: str
    files: Sequence[str]
    candidate: ports.VersionInfo
    current: ports.VersionInfo | None
    results: Sequence[gates.GateResult]


@dataclasses.dataclass(frozen=True)
class _Target:
    path: str
    mode: int
    text: str
    documents: Sequence[int]
    specs: Sequence[serving_target.ServingTargetSpec]


def promote(
    *,
    repo_path: pathlib.Path,
    model: str,
    version: str,
    registry_for: Callable[[str | None], ports.Registry],
) -> Promotion:
    """Create the promotion branch and commit; raises PromotionError for what bosun refuses.
    ``registry_for`` opens the registry of production's ``tracking.uri`` (None: the embedded
    store), the one its reconcile will gate and alias with."""
    repo = _open(repo_path)
    base = _production(repo)
    branch = f"promote/{model}-v{version}"
    if f"refs/heads/{branch}" in {ref.path for ref in repo.heads}:
        raise PromotionError(
            f"branch {branch} exists already; delete it or promote another version"
        )
    targets, env = _manifests(base.tree, model)
    if not targets:
        raise PromotionError(f"no ServingTarget on {PRODUCTION} serves model {model!r}")
    if not version.isdigit():
        raise PromotionError(f"--version must be a registry version number, not {version!r}")
    registry = registry_for(env.spec.tracking.uri if env else None)
    candidate = registry.version(model, version)
    if candidate is None:
        raise PromotionError(f"model {model!r} has no version {version!r} in the registry")
    results = _check_gates(targets, env, candidate)
    alias = env.spec.registryAlias if env else PRODUCTION
    current_number = registry.alias(model, alias)
    current = registry.version(model, current_number) if current_number else None
    edits = {
        t.path: (
            t.mode,
            _pinned(t, env_name=env.metadata.name if env else PRODUCTION, version=version),
        )
        for t in targets
    }
    message = commit_message(candidate, current, results, sorted(edits))
    commit = _commit(repo, base, edits, message)
    repo.git.update_ref(f"refs/heads/{branch}", commit, _ZERO)
    return Promotion(branch, commit, sorted(edits), candidate, current, results)


def _open(path: pathlib.Path) -> git.Repo:
    try:
        return git.Repo(path)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError):
        raise PromotionError(f"{path} is not a git repository") from None


def _production(repo: git.Repo) -> git.Commit:
    try:
        return repo.commit(PRODUCTION)
    except (git.BadName, ValueError):
        raise PromotionError(f"the repository has no {PRODUCTION} branch") from None


def _manifests(tree: git.Tree, model: str) -> tuple[list[_Target], environment.Environment | None]:
    targets, env = [], None
    for item in tree.traverse():
        if not isinstance(item, git.Blob) or not str(item.path).endswith((".yaml", ".yml")):
            continue
        path = str(item.path)
        text = item.data_stream.read().decode("utf-8", errors="replace")
        try:
            docs = list(pin.documents(text))
        except Exception:
            continue
        env = env or _environment(docs)
        indexes = pin.serving_targets(text, model)
        if indexes:
            specs = [_spec(docs[i]["spec"], path) for i in indexes]
            targets.append(_Target(path, item.mode, text, indexes, specs))
    return targets, env


def _plain(node: Any) -> Any:
    if isinstance(node, Mapping):
        return {str(k): _plain(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_plain(v) for v in node]
    return node


def _spec(node: Any, path: str) -> serving_target.ServingTargetSpec:
    try:
        return serving_target.ServingTargetSpec.model_validate(_plain(node), strict=False)
    except ValueError:
        raise PromotionError(f"{path}: invalid ServingTarget (run bosun validate)") from None


def _environment(docs: Sequence[Any]) -> environment.Environment | None:
    for doc in docs:
        if not isinstance(doc, Mapping) or doc.get("kind") != "Environment":
            continue
        spec = doc.get("spec")
        if isinstance(spec, Mapping) and spec.get("branch") == PRODUCTION:
            try:
                return environment.Environment.model_validate(_plain(doc), strict=False)
            except ValueError:
                raise PromotionError("the production Environment is invalid") from None
    return None


def _check_gates(
    targets: Sequence[_Target], env: environment.Environment | None, candidate: ports.VersionInfo
) -> list[gates.GateResult]:
    name = env.metadata.name if env else PRODUCTION
    min_gates = env.spec.policy.minGates if env else []
    results: list[gates.GateResult] = []
    for target in targets:
        for spec in target.specs:
            found = gates.evaluate(spec.for_environment(name).gates, min_gates, candidate.metrics)
            results.extend(r for r in found if r not in results)
    failed = gates.failures(results)
    if failed:
        what = f"version {candidate.version} of {candidate.model}"
        raise PromotionError(f"{what} fails its gate: {failed[0].describe()}")
    return results


def _pinned(target: _Target, *, env_name: str, version: str) -> str:
    text = target.text
    for document in target.documents:
        text = pin.pin(text, document=document, environment=env_name, version=version)
    return text


def _commit(
    repo: git.Repo, base: git.Commit, edits: Mapping[str, tuple[int, str]], message: str
) -> str:
    with tempfile.TemporaryDirectory(prefix="bosun-promote-") as scratch:
        env = {"GIT_INDEX_FILE": os.path.join(scratch, "index")}
        repo.git.read_tree(base.hexsha, env=env)
        for number, (path, (mode, text)) in enumerate(edits.items()):
            written = pathlib.Path(scratch, f"blob-{number}")
            written.write_bytes(text.encode())
            blob = repo.git.hash_object("-w", "--no-filters", str(written))
            repo.git.update_index("--cacheinfo", f"{mode:o},{blob},{path}", env=env)
        tree = repo.git.write_tree(env=env)
    return str(repo.git.commit_tree(tree, "-p", base.hexsha, "-m", message))


def commit_message(
    candidate: ports.VersionInfo,
    current: ports.VersionInfo | None,
    results: Sequence[gates.GateResult],
    files: Sequence[str],
) -> str:
    """Subject, then the candidate's metrics against production's, the gates and the files."""
    lines = [f"promote {candidate.model} v{candidate.version} to {PRODUCTION}", ""]
    against = f"v{current.version}" if current else "nothing served yet"
    lines.append(f"Candidate v{candidate.version} against production ({against}):")
    names = sorted(set(candidate.metrics) | set(current.metrics if current else {}))
    for name in names:
        lines.append("  " + _metric_line(name, candidate, current))
    if results:
        lines += ["", "Gates:"] + [f"  passed: {r.describe()}" for r in results]
    lines += ["", "Pinned in:"] + [f"  {path}" for path in files]
    return "\n".join(lines) + "\n"


def _metric_line(name: str, candidate: ports.VersionInfo, current: ports.VersionInfo | None) -> str:
    new = candidate.metrics.get(name)
    old = current.metrics.get(name) if current else None
    shown_new = "-" if new is None else f"{new:g}"
    if old is None:
        return f"{name}: {shown_new}"
    delta = "" if new is None else f" ({new - old:+.4g})"
    return f"{name}: {shown_new} vs {old:g}{delta}"
