"""``bosun promote`` on real git repositories in tmp, against a real sqlite MLflow registry:
the promotion branch pins the version with every other byte kept, and nothing the user has
(working tree, index, HEAD, production) moves."""

from __future__ import annotations

import pathlib
import shutil
import subprocess

import pytest
import registry_support
from bosun import cli
from bosun.tracking import registry
from click.testing import CliRunner
from registry_support import MODEL

REPO = pathlib.Path(__file__).resolve().parents[2]
SERVING = """\
# yaml-language-server: $schema=../../schema/v1alpha1/servingtarget.json
apiVersion: bosun.dev/v1alpha1
kind: ServingTarget
metadata: {name: iris-api, team: vision}   # the public endpoint
spec:
  model: iris-classifier
  version: latest            # dev follows the newest version
  gates: [{metric: accuracy, op: ">=", value: 0.85}]
  overrides:
    # production is pinned; bosun promote moves this
    production: {version: "1", replicas: {min: 2, max: 6}}
---
apiVersion: bosun.dev/v1alpha1
kind: ServingTarget
metadata:
  name: iris-batch
  team: vision
spec:
  model: iris-classifier
  version: 1    # pinned everywhere
"""


def _git(repo: pathlib.Path, *args: str) -> str:
    done = subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True, text=True)
    return done.stdout.strip()


@pytest.fixture(scope="module")
def tracking(tmp_path_factory: pytest.TempPathFactory) -> str:
    uri = registry_support.make_registry(tmp_path_factory.mktemp("registry"))
    registry.MlflowRegistry(uri).set_alias(MODEL, "production", "1")
    return uri


@pytest.fixture
def repo(tmp_path: pathlib.Path) -> pathlib.Path:
    root = tmp_path / "platform"
    (root / "environments").mkdir(parents=True)
    (root / "teams" / "vision").mkdir(parents=True)
    shutil.copy(REPO / "environments" / "production.yaml", root / "environments")
    (root / "teams" / "vision" / "serving.yaml").write_text(SERVING)
    _git(root, "init", "-q", "-b", "main")
    _git(root, "config", "user.email", "ml@example.com")
    _git(root, "config", "user.name", "ML Team")
    _git(root, "add", ".")
    _git(root, "commit", "-qm", "manifests")
    _git(root, "branch", "production")
    (root / "notes.txt").write_text("staged\n")
    _git(root, "add", "notes.txt")
    (root / "teams" / "vision" / "serving.yaml").write_text(SERVING + "# local edit\n")
    return root


def _promote(repo: pathlib.Path, tracking: str, version: str) -> tuple[int, str, str]:
    argv = ["promote", MODEL, "--version", version, "--repo", str(repo)]
    result = CliRunner().invoke(cli.group, [*argv, "--tracking-uri", tracking])
    return result.exit_code, result.stdout, result.stderr


def _snapshot(repo: pathlib.Path) -> tuple[str, ...]:
    return (
        _git(repo, "rev-parse", "HEAD", "production"),
        _git(repo, "symbolic-ref", "HEAD"),
        _git(repo, "status", "--porcelain"),
        _git(repo, "diff", "--cached"),
        (repo / "teams" / "vision" / "serving.yaml").read_text(),
    )


def test_promotion_branch_pins_the_version_and_touches_nothing_else(
    repo: pathlib.Path, tracking: str
) -> None:
    before = _snapshot(repo)
    code, out, err = _promote(repo, tracking, "2")
    assert (code, err) == (0, "")
    assert "promote/iris-classifier-v2" in out and "pull request" in out
    assert _snapshot(repo) == before
    branch = "promote/iris-classifier-v2"
    pinned = _git(repo, "show", f"{branch}:teams/vision/serving.yaml") + "\n"
    expected = SERVING.replace('production: {version: "1"', 'production: {version: "2"')
    expected = expected.replace("version: 1    # pinned", "version: 2    # pinned")
    assert pinned == expected
    assert _git(repo, "rev-parse", f"{branch}^") == _git(repo, "rev-parse", "production")
    changed = _git(repo, "diff", "--name-only", "production", branch)
    assert changed == "teams/vision/serving.yaml"
    message = _git(repo, "log", "-1", "--format=%B", branch)
    assert message.startswith("promote iris-classifier v2 to production")
    assert "accuracy: 0.92 vs 0.8 (+0.12)" in message
    assert "passed: accuracy 0.92 > 0.85 (gate >= 0.85)" in message


def test_refuses_a_missing_version(repo: pathlib.Path, tracking: str) -> None:
    before = _snapshot(repo)
    code, _, err = _promote(repo, tracking, "9")
    assert code == 1
    assert err == "bosun promote: model 'iris-classifier' has no version '9' in the registry\n"
    assert _snapshot(repo) == before
    assert not _git(repo, "branch", "--list", "promote/*")
    code, _, err = _promote(repo, tracking, "latest")
    assert (code, err) == (
        1,
        "bosun promote: --version must be a registry version number, not 'latest'\n",
    )


def test_refuses_a_version_whose_gate_fails(repo: pathlib.Path, tracking: str) -> None:
    code, _, err = _promote(repo, tracking, "1")
    assert code == 1
    assert err == (
        "bosun promote: version 1 of iris-classifier fails its gate: "
        "accuracy 0.8 < 0.85 (gate >= 0.85)\n"
    )
    assert not _git(repo, "branch", "--list", "promote/*")


def test_refuses_an_existing_branch_and_a_repo_without_production(
    repo: pathlib.Path, tracking: str, tmp_path: pathlib.Path
) -> None:
    assert _promote(repo, tracking, "2")[0] == 0
    code, _, err = _promote(repo, tracking, "2")
    assert code == 1 and "exists already" in err
    _git(repo, "branch", "-D", "production")
    code, _, err = _promote(repo, tracking, "2")
    assert (code, err) == (1, "bosun promote: the repository has no production branch\n")
    code, _, err = _promote(tmp_path / "nowhere", tracking, "2")
    assert code == 1 and "not a git repository" in err


def test_refuses_a_missing_store_without_creating_one(
    repo: pathlib.Path, tmp_path: pathlib.Path
) -> None:
    argv = ["promote", MODEL, "--version", "2", "--repo", str(repo)]
    result = CliRunner().invoke(cli.group, [*argv, "--state-dir", str(tmp_path / "state")])
    assert result.exit_code == 1
    assert result.stderr.startswith("bosun promote: no MLflow store at ")
    assert not (tmp_path / "state").exists()
